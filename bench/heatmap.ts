/**
 * Heatmap benchmark: GET /api/heatmap (latency and TTFT, requests by start × log value)
 * and GET /api/heatmap/differences ("what's different" about a brushed region) over the
 * 24 h and 7 d windows ending at the data's end. Issue #15's target: ≤ 1 s at 1M spans.
 * The selection is the slow tail of the window's last sixth (duration ≥ 2 s / TTFT ≥ 1 s),
 * as a user would brush it.
 *
 *   npx tsx bench/heatmap.ts [--url http://127.0.0.1:3000] [--runs 20] [--warmup 3] [--spans N] [--db …] [--schema …]
 */
import { type Figure, summaryLine, TARGETS } from './figures';
import { type LoadedData, loadedData, windowParams } from './loaded-data';
import { type BenchOptions, runReadBenchMain } from './options';
import { getJson, isMain, ms, summary, timed } from './support';

type HeatmapRequest = { name: string; path: string; params: Record<string, string> };

type Answer = { queryMs: number; total?: number; cells?: unknown[]; selectedTotal?: number; restTotal?: number; restSampled?: number; values?: unknown[] };

function selection(data: LoadedData, window: '24h' | '7d', field: 'duration' | 'ttft'): Record<string, string> {
  const { from, to } = windowParams(data, window);
  const toMs = Date.parse(to);
  const selFromMs = toMs - (toMs - Date.parse(from)) / 6;
  return { field, selFrom: new Date(selFromMs).toISOString(), selTo: to, selMin: field === 'duration' ? '2000' : '1000' };
}

function describe(body: Answer): string {
  if (body.cells) return `${body.cells.length} cells, ${body.total} requests`;
  const sampled = body.restSampled !== undefined && body.restSampled < 1 ? ` (rest sampled ${(body.restSampled * 100).toFixed(0)}%)` : '';
  return `${body.values?.length} values, ${body.selectedTotal} selected vs ${body.restTotal}${sampled}`;
}

export async function runHeatmapBench(o: BenchOptions, url: string): Promise<Figure[]> {
  const data = await loadedData(url);
  console.log(`[heatmap] data ends ${data.end}; ${o.runs} runs after ${o.warmup} warm-ups`);
  const requests: HeatmapRequest[] = [];
  for (const window of ['7d', '24h'] as const) {
    requests.push(
      { name: `latency heatmap ${window}`, path: '/api/heatmap', params: { field: 'duration', ...windowParams(data, window) } },
      { name: `TTFT heatmap ${window}`, path: '/api/heatmap', params: { field: 'ttft', ...windowParams(data, window) } },
      {
        name: `what's different, latency ${window}`,
        path: '/api/heatmap/differences',
        params: { ...windowParams(data, window), ...selection(data, window, 'duration') },
      },
      {
        name: `what's different, TTFT ${window}`,
        path: '/api/heatmap/differences',
        params: { ...windowParams(data, window), ...selection(data, window, 'ttft') },
      },
    );
  }
  const figures: Figure[] = [];
  console.log(`${'request'.padEnd(36)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  server p50 / answer`);
  for (const r of requests) {
    const target = `${url}${r.path}?${new URLSearchParams(r.params)}`;
    const serverMs: number[] = [];
    let detail = '';
    const run = await timed(
      async () => {
        const body = await getJson<Answer>(target);
        serverMs.push(body.queryMs);
        detail = describe(body);
      },
      o.runs,
      o.warmup,
    );
    const s = summary(run.ms);
    console.log(
      `${r.name.padEnd(36)} ${ms(s.p50).padStart(6)} ${ms(s.p95).padStart(6)} ${ms(s.max).padStart(6)}  ${ms(summary(serverMs.slice(o.warmup)).p50)} ms / ${detail}`,
    );
    figures.push({ name: `${r.name} p95`, value: s.p95, unit: 'ms', detail, target: TARGETS.heatmap });
  }
  console.log(summaryLine('heatmap', `${requests.length} requests, ${o.runs} runs`, figures));
  return figures;
}

if (isMain(import.meta.url)) runReadBenchMain(runHeatmapBench);
