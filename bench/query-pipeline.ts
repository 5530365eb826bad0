/**
 * Aggregate query benchmark: GET /api/query (`<filter> | by(…) <agg>`) over the 24 h and
 * 7 d windows ending at the data's end — issue #15's figure `| by(llm.model) p95(duration)`
 * over 7 days (≤ 300 ms p95; it reads the chart rollups), the issue's other examples, and
 * a span-level query. p50/p95 per request, the aggregation time the API reports (queryMs)
 * and the source it says answered (rollups, traces or spans).
 *
 *   npx tsx bench/query-pipeline.ts [--url http://127.0.0.1:3000] [--runs 20] [--warmup 3] [--spans N] [--db …] [--schema …]
 */
import { type Figure, summaryLine, TARGETS, type Target } from './figures';
import { loadedData, windowParams } from './loaded-data';
import { type BenchOptions, runReadBenchMain } from './options';
import { getJson, isMain, ms, summary, timed } from './support';

type PipelineRequest = { name: string; q: string; window: '24h' | '7d'; target?: Target };

type Answer = { queryMs: number; source: string; rows: unknown[] };

export async function runQueryPipelineBench(o: BenchOptions, url: string): Promise<Figure[]> {
  const data = await loadedData(url);
  const tenant = data.busyTenant;
  console.log(`[query-pipeline] data ends ${data.end}; tenant ${tenant}; ${o.runs} runs after ${o.warmup} warm-ups`);
  const requests: PipelineRequest[] = [
    { name: '| by(llm.model) p95(duration) 7d', q: '| by(llm.model) p95(duration)', window: '7d', target: TARGETS.queryPipeline7d },
    { name: '| by(llm.model) p95(duration) 24h', q: '| by(llm.model) p95(duration)', window: '24h' },
    { name: '| by(tenant.id) count(), p95(duration) 7d', q: '| by(tenant.id) count(), p95(duration)', window: '7d' },
    {
      name: `${tenant} by model: p95 TTFT, tokens 7d`,
      q: `tenant.id=${tenant} | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)`,
      window: '7d',
    },
    { name: '5xx by model (traces) 7d', q: 'http.status_code>=500 | by(llm.model) count()', window: '7d' },
    { name: 'spans by service p95 24h', q: '| spans by(service) count(), p95(duration)', window: '24h' },
  ];
  const figures: Figure[] = [];
  console.log(`${'request'.padEnd(44)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  server query p50 / answer`);
  for (const r of requests) {
    const target = `${url}/api/query?${new URLSearchParams({ q: r.q, ...windowParams(data, r.window) })}`;
    const serverMs: number[] = [];
    let detail = '';
    const run = await timed(
      async () => {
        const body = await getJson<Answer>(target);
        serverMs.push(body.queryMs);
        detail = `${body.rows.length} rows from ${body.source}`;
      },
      o.runs,
      o.warmup,
    );
    const s = summary(run.ms);
    console.log(
      `${r.name.padEnd(44)} ${ms(s.p50).padStart(6)} ${ms(s.p95).padStart(6)} ${ms(s.max).padStart(6)}  ${ms(summary(serverMs.slice(o.warmup)).p50)} ms / ${detail}`,
    );
    figures.push({ name: `query ${r.name} p95`, value: s.p95, unit: 'ms', detail, ...(r.target ? { target: r.target } : {}) });
  }
  console.log(summaryLine('query-pipeline', `${requests.length} requests, ${o.runs} runs`, figures));
  return figures;
}

if (isMain(import.meta.url)) runReadBenchMain(runQueryPipelineBench);
