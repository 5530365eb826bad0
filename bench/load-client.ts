/**
 * The load generator of bench/load.ts, run as its own process (so its CPU and memory
 * are not the server's): one autocannon instance, bounded by time and request count,
 * then one `RESULT {json}` line on stdout.
 *
 *   --role ingest: POST /v1/traces with the workload's protobuf batches, round-robin;
 *                  each pass over the files rewrites the trace ids, so every request
 *                  stores new spans instead of hitting duplicates.
 *   --role read:   GET /api/traces (with where filters) and GET /api/metrics, round-robin.
 *
 *   npx tsx bench/load-client.ts --role ingest --url URL --dir WORKLOAD_DIR [--connections 8] [--duration 30] [--max-requests N]
 */
import autocannon from 'autocannon';
import { bodyFor, loadTemplates } from './load-workload';
import { arg } from './support';
import { WORKLOAD_DAYS, WORKLOAD_END_MS } from './workload-files';

function readPaths(): string[] {
  const to = new Date(WORKLOAD_END_MS).toISOString();
  const week = { from: new Date(WORKLOAD_END_MS - WORKLOAD_DAYS * 86_400_000).toISOString(), to };
  const day = { from: new Date(WORKLOAD_END_MS - 86_400_000).toISOString(), to };
  const q = (params: [string, string][]) => new URLSearchParams(params).toString();
  return [
    `/api/traces?${q([['limit', '50'], ...Object.entries(week)])}`,
    `/api/traces?${q([['where', 'tenant.id=tenant-03'], ['where', 'http.status_code>=500'], ['limit', '50'], ...Object.entries(week)])}`,
    `/api/traces?${q([
      ['where', 'llm.model~claude* duration>2s'],
      ['limit', '50'],
    ])}`,
    `/api/traces?${q([['where', 'tenant.id=tenant-01 OR tenant.id=tenant-02'], ['sort', '-duration'], ['limit', '50'], ...Object.entries(day)])}`,
    `/api/metrics?${q([['group_by', 'tenant.id'], ['top', '8'], ...Object.entries(week)])}`,
    `/api/metrics?${q([['where', 'tenant.id=tenant-01'], ['group_by', 'llm.model'], ['top', '8'], ...Object.entries(day)])}`,
  ];
}

async function main(): Promise<void> {
  const role = arg('role', '');
  const url = arg('url', '').replace(/\/$/, '');
  const connections = Number(arg('connections', role === 'ingest' ? '8' : '2'));
  const duration = Number(arg('duration', '30'));
  const maxRequests = Number(arg('max-requests', '100000'));
  if (!url || (role !== 'ingest' && role !== 'read')) throw new Error('usage: load-client --role ingest|read --url URL [...]');
  const auth: Record<string, string> = process.env.TRACEDECK_TOKEN ? { authorization: `Bearer ${process.env.TRACEDECK_TOKEN}` } : {};

  let requests: autocannon.Request[];
  /** Sequence numbers of the batches answered 200 (bench/load.ts checks each is stored). */
  const acknowledged: number[] = [];
  if (role === 'ingest') {
    const templates = loadTemplates(arg('dir', ''));
    let next = 0;
    requests = [
      {
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/x-protobuf', ...auth },
        // One request at a time per connection, so the connection's context knows which batch its answer is for.
        setupRequest: (req, context) => {
          const i = next++;
          (context as { batch?: number }).batch = i;
          return { ...req, body: bodyFor(templates, i) };
        },
        onResponse: (status, _body, context) => {
          if (status === 200) acknowledged.push((context as { batch: number }).batch);
        },
      },
    ];
  } else {
    requests = readPaths().map((p) => ({ method: 'GET', path: p, headers: auth }));
  }

  const result = await autocannon({
    url,
    connections,
    duration,
    maxOverallRequests: Math.max(maxRequests, connections),
    timeout: 30,
    requests,
  });
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  const out = {
    role,
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    non2xx: result.non2xx,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    acknowledged,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
