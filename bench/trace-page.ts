/**
 * Trace page benchmark: ingests one 5,000-span trace (OTLP protobuf, several
 * requests), then times GET /api/traces/<id> (all spans as JSON) and the
 * /traces/<id> page HTML (server render of the waterfall data, read to its last byte).
 *
 *   npx tsx bench/trace-page.ts [--url http://127.0.0.1:3000] [--runs 20] [--warmup 3] [--db …] [--schema …]
 */
import { bigTrace } from './big-trace';
import { type Figure, summaryLine, TARGETS } from './figures';
import { type BenchOptions, runReadBenchMain } from './options';
import { TENANTS } from './plano-workload';
import { authHeaders, fmt, getJson, getText, isMain, ms, summary, timed } from './support';
import { WORKLOAD_END_MS } from './workload-files';

const SPANS = 5000;

export async function runTracePageBench(o: BenchOptions, url: string): Promise<Figure[]> {
  // Inside the workload's week (12 h before its end), so it does not move the data's end.
  const trace = bigTrace({ spans: SPANS, batches: 10, startMs: WORKLOAD_END_MS - 12 * 3_600_000, tenant: TENANTS[0] });
  const started = performance.now();
  for (const body of trace.bodies) {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...authHeaders() }, body });
    const answer = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || answer.length > 0) throw new Error(`trace batch: HTTP ${res.status}, ${answer.length}-byte answer (partial success?)`);
  }
  const ingestMs = performance.now() - started;
  console.log(
    `[trace] ${fmt(trace.spans)}-span trace ${trace.traceId} sent in ${trace.bodies.length} requests (${ms(ingestMs)} ms); ${o.runs} runs after ${o.warmup} warm-ups`,
  );

  const api = await timed(() => getJson<{ spans: unknown[] }>(`${url}/api/traces/${trace.traceId}`), o.runs, o.warmup);
  const returned = api.last.spans.length;
  if (returned !== trace.spans) throw new Error(`GET /api/traces/${trace.traceId} returned ${returned} spans, expected ${trace.spans}`);
  const page = await timed(() => getText(`${url}/traces/${trace.traceId}`), o.runs, o.warmup);
  const a = summary(api.ms);
  const p = summary(page.ms);
  console.log(`GET /api/traces/<id>: p50 ${ms(a.p50)} ms, p95 ${ms(a.p95)} ms, max ${ms(a.max)} ms, ${fmt(returned)} spans`);
  console.log(`page /traces/<id>:    p50 ${ms(p.p50)} ms, p95 ${ms(p.p95)} ms, max ${ms(p.max)} ms, ${fmt(page.last.length / 1024)} KiB HTML`);
  const figures: Figure[] = [
    { name: '5,000-span trace API p95', value: a.p95, unit: 'ms', target: TARGETS.bigTrace },
    { name: '5,000-span trace page p95', value: p.p95, unit: 'ms', target: TARGETS.bigTrace },
    { name: '5,000-span trace ingest (10 requests)', value: ingestMs, unit: 'ms' },
  ];
  console.log(summaryLine('trace', `${fmt(returned)} spans returned, API p50 ${ms(a.p50)} ms, page p50 ${ms(p.p50)} ms`, figures));
  return figures;
}

if (isMain(import.meta.url)) runReadBenchMain(runTracePageBench);
