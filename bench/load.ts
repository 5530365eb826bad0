/**
 * Load + backpressure benchmark (issue #7): `tracedeck serve` on a fresh database,
 * then two autocannon processes on loopback (bench/load-client.ts), both bounded in
 * time and request count — one posting the workload's protobuf batches without pause,
 * one querying the UI's list (with where filters) and metrics APIs — while the
 * server's RSS (with its children) is sampled. It prints requests/s, latency
 * percentiles, non-2xx answers (429 = throttled by the ingest gate, the intended
 * backpressure), errors and timeouts per role, peak RSS, and one SUMMARY line.
 *
 *   npm run bench:load -- [--duration 30] [--ingest-connections 8] [--read-connections 2]
 *     [--spans 50000] [--db postgres|pglite] [--database-url URL] [--schema bench_load]
 *
 * The server gets the caller's environment, so TRACEDECK_MAX_INFLIGHT_INGEST and
 * friends can be tried here. Keep runs short on a shared machine: 20–30 s shows the
 * steady state.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { type Figure, summaryLine } from './figures';
import { arg, fmt, isMain, serveApp, treeRss } from './support';
import { loadTemplates, spansPerTrace } from './load-workload';
import { workloadFiles } from './workload-files';

/** Spans of acknowledged batches missing from the database (every 200 came after a commit, so this must be 0). */
async function lostSpans(databaseUrl: string, schema: string, workloadDir: string, acknowledged: number[]): Promise<{ acknowledged: number; lost: number }> {
  const templates = loadTemplates(workloadDir);
  const expected = new Map<string, number>();
  for (const i of acknowledged) for (const [trace, n] of spansPerTrace(templates, i)) expected.set(trace, (expected.get(trace) ?? 0) + n);
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  try {
    const rows = await client<{ trace_id: string; n: number }[]>`SELECT trace_id, count(*)::int AS n FROM spans GROUP BY trace_id`;
    const stored = new Map(rows.map((r) => [r.trace_id, r.n]));
    let total = 0;
    let lost = 0;
    for (const [trace, n] of expected) {
      total += n;
      lost += Math.max(0, n - (stored.get(trace) ?? 0));
    }
    return { acknowledged: total, lost };
  } finally {
    await client.end();
  }
}

type ClientResult = {
  role: 'ingest' | 'read';
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Ingest: the batch numbers answered 200. */
  acknowledged?: number[];
};

/** One load-client process; resolves with its RESULT line. */
function runClient(args: string[]): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-client.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`load client ${args.join(' ')} exited with ${code}:\n${out}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as ClientResult);
    });
  });
}

export async function runLoad(argv = process.argv): Promise<Figure[]> {
  const duration = Number(arg('duration', '30', argv));
  const ingestConnections = Number(arg('ingest-connections', '8', argv));
  const readConnections = Number(arg('read-connections', '2', argv));
  const spans = Number(arg('spans', '50000', argv));
  const db = arg('db', 'postgres', argv);
  const databaseUrl = arg('database-url', process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', argv);
  const schema = arg('schema', 'bench_load', argv);
  if (db !== 'postgres' && db !== 'pglite') throw new Error(`--db must be postgres or pglite (got ${db})`);
  if (db === 'postgres' && !/^bench[a-z0-9_]*$/.test(schema))
    throw new Error(`load drops and recreates its schema, so it must be named bench…; got '${schema}'`);

  const workload = workloadFiles(spans);
  let env: Record<string, string>;
  let dataDir: string | null = null;
  if (db === 'postgres') {
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    env = { DATABASE_URL: databaseUrl, TRACEDECK_DB_SCHEMA: schema };
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-load-'));
    env = { DATABASE_URL: '', TRACEDECK_DATA_DIR: dataDir };
  }
  const gate = ['TRACEDECK_MAX_INFLIGHT_INGEST', 'TRACEDECK_MAX_QUEUED_INGEST', 'TRACEDECK_INGEST_QUEUE_TIMEOUT_MS']
    .map((n) => `${n}=${process.env[n] ?? 'default'}`)
    .join(' ');
  console.log(
    `[load] ${db}${db === 'postgres' ? ` (schema ${schema})` : ''}; workload ${fmt(workload.spans)} spans in ${workload.files.length} batches, cycled with new trace ids`,
  );
  console.log(`[load] ${duration} s: ${ingestConnections} ingest connections, ${readConnections} read connections; ${gate}`);

  const app = await serveApp(env);
  try {
    const rss: { t: number; bytes: number }[] = [];
    const started = performance.now();
    const sample = () => rss.push({ t: (performance.now() - started) / 1000, bytes: treeRss(app.pid) });
    sample();
    const sampler = setInterval(sample, 250);
    const common = ['--url', app.url, '--duration', String(duration)];
    const [ingest, read] = await Promise.all([
      runClient([
        '--role',
        'ingest',
        '--dir',
        workload.dir,
        '--connections',
        String(ingestConnections),
        '--max-requests',
        String(Math.ceil((duration * 200_000) / 512)),
        ...common,
      ]),
      runClient(['--role', 'read', '--connections', String(readConnections), '--max-requests', String(duration * 2000), ...common]),
    ]).finally(() => clearInterval(sampler));
    sample();

    const peak = Math.max(...rss.map((s) => s.bytes));
    const half = duration / 2;
    const peakFirstHalf = Math.max(...rss.filter((s) => s.t <= half).map((s) => s.bytes));
    const peakSecondHalf = Math.max(...rss.filter((s) => s.t > half).map((s) => s.bytes));
    const templates = loadTemplates(workload.dir);
    const stored = (ingest.acknowledged ?? []).reduce((n, i) => n + templates[i % templates.length].traceIdOffsets.length, 0);

    const line = (r: ClientResult) => {
      const codes = Object.entries(r.statusCounts)
        .map(([c, n]) => `${c}×${fmt(n)}`)
        .join(' ');
      const failed = r.errors + r.timeouts + failures(r);
      return (
        `${r.role.padEnd(6)} ${fmt(r.requests).padStart(7)} req  ${fmt(r.requestsPerSecond, 1).padStart(7)} req/s  ` +
        `p50 ${fmt(r.latency.p50)} ms  p90 ${fmt(r.latency.p90)} ms  p99 ${fmt(r.latency.p99)} ms  max ${fmt(r.latency.max)} ms  ` +
        `non-2xx ${fmt(r.non2xx)} (throttled 429: ${fmt(r.statusCounts['429'] ?? 0)})  errors ${r.errors}  timeouts ${r.timeouts}  ` +
        `error rate ${((100 * failed) / Math.max(1, r.requests)).toFixed(2)}%  [${codes}]`
      );
    };
    console.log(line(ingest));
    console.log(line(read));
    console.log(`ingest acknowledged: ${fmt(stored / ingest.seconds)} spans/s (${fmt(stored)} spans in ${fmt(ingest.acknowledged?.length ?? 0)} answers 200)`);
    const check = db === 'postgres' ? await lostSpans(databaseUrl, schema, workload.dir, ingest.acknowledged ?? []) : null;
    if (check)
      console.log(`stored: every acknowledged span looked up by trace id in the database: ${fmt(check.acknowledged)} acknowledged, ${fmt(check.lost)} lost`);
    const timeline = rss.filter((s, i) => i === 0 || i === rss.length - 1 || Math.floor(s.t / 5) !== Math.floor(rss[i - 1].t / 5));
    console.log(
      `server RSS: start ${fmt(rss[0].bytes / 1e6)} MB, peak ${fmt(peak / 1e6)} MB (first half ${fmt(peakFirstHalf / 1e6)} MB, second half ${fmt(peakSecondHalf / 1e6)} MB), end ${fmt(rss[rss.length - 1].bytes / 1e6)} MB`,
    );
    console.log(`server RSS every 5 s: ${timeline.map((s) => `${s.t.toFixed(0)} s ${fmt(s.bytes / 1e6)} MB`).join(', ')}`);
    const errorRate = (r: ClientResult) => (r.errors + r.timeouts + failures(r)) / Math.max(1, r.requests);
    const figures: Figure[] = [
      { name: 'ingest', value: ingest.requestsPerSecond, unit: 'req/s' },
      { name: 'ingest spans', value: stored / ingest.seconds, unit: 'spans/s' },
      { name: 'ingest p50', value: ingest.latency.p50, unit: 'ms' },
      { name: 'ingest p99', value: ingest.latency.p99, unit: 'ms' },
      { name: 'ingest throttled', value: ingest.statusCounts['429'] ?? 0, unit: '×429' },
      { name: 'ingest error rate', value: 100 * errorRate(ingest), unit: '%' },
      { name: 'read', value: read.requestsPerSecond, unit: 'req/s' },
      { name: 'read p50', value: read.latency.p50, unit: 'ms' },
      { name: 'read p99', value: read.latency.p99, unit: 'ms' },
      { name: 'read error rate', value: 100 * errorRate(read), unit: '%' },
      { name: 'non-2xx', value: ingest.non2xx + read.non2xx, unit: '' },
      { name: 'errors', value: ingest.errors + read.errors, unit: '' },
      { name: 'timeouts', value: ingest.timeouts + read.timeouts, unit: '' },
      ...(check ? [{ name: 'spans lost', value: check.lost, unit: `of ${fmt(check.acknowledged)}` }] : []),
      { name: 'server RSS peak', value: peak / 1e6, unit: 'MB' },
      { name: 'RSS 2nd-half peak − 1st-half peak', value: (peakSecondHalf - peakFirstHalf) / 1e6, unit: 'MB' },
    ];
    console.log(summaryLine('load', `${db} ${duration} s, ${ingestConnections}+${readConnections} connections`, figures));
    return figures;
  } finally {
    await app.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Answers that are failures: any non-2xx except 429, which is the gate's deliberate "retry later". */
function failures(r: ClientResult): number {
  return Object.entries(r.statusCounts).reduce((n, [code, count]) => (code.startsWith('2') || code === '429' ? n : n + count), 0);
}

if (isMain(import.meta.url)) {
  runLoad()
    .then(() => process.exit(0))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
