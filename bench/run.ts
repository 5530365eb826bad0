/**
 * The whole performance run on one loaded database: generate (cached) → ingest (server
 * kept up) → where queries → charts → aggregate queries → heatmaps → 5,000-span trace page → with the server stopped,
 * bytes per span and the raw COPY baseline → ingest through 2 processes and the freshness
 * lag (bench/ingest.ts finishIngest), then one table of every figure beside its target.
 *
 *   npm run bench -- --spans 1000000 [--db postgres|pglite] [--clients 4] [--seed 1] [--runs 20]
 *     [--freshness-rate 20000] [--freshness-seconds 20] [--freshness-connections 16] [--two-process-spans N]
 */
import { runChartsBench } from './charts';
import { type Figure, printTable, summaryLine, TARGETS } from './figures';
import { generate } from './generate';
import { finishIngest, runIngest } from './ingest';
import { withPeakRss } from './ingest-post';
import { type BenchOptions, benchOptions } from './options';
import { runQueryBench } from './query';
import { runHeatmapBench } from './heatmap';
import { runQueryPipelineBench } from './query-pipeline';
import { fmt, isMain, type ServedApp } from './support';
import { runTracePageBench } from './trace-page';

const READ_PHASES = {
  query: runQueryBench,
  charts: runChartsBench,
  'query pipeline': runQueryPipelineBench,
  heatmaps: runHeatmapBench,
  'trace page': runTracePageBench,
};

/** The read benchmarks one after the other on the loaded server, and the server's RSS peak in each (which requests peak). */
async function runReads(o: BenchOptions, app: ServedApp): Promise<{ result: Figure[]; peakRss: number }> {
  const figures: Figure[] = [];
  const peaks: string[] = [];
  let peakOfAll = 0;
  for (const [phase, run] of Object.entries(READ_PHASES)) {
    console.log('');
    const { result, peakRss } = await withPeakRss([app.pid], () => run(o, app.url));
    figures.push(...result);
    peaks.push(`${phase} ${fmt(peakRss / 1e6)} MB`);
    peakOfAll = Math.max(peakOfAll, peakRss);
  }
  console.log(`\n[reads] server RSS peak by step: ${peaks.join(', ')}`);
  return { result: figures, peakRss: peakOfAll };
}

async function main() {
  const o = benchOptions();
  const w = generate(o.spans, o.seed);
  console.log(`[bench] ${fmt(w.spans)} spans (seed ${o.seed}), database ${o.db}, ${o.clients} ingest clients`);
  const ingest = await runIngest(o);
  let reads: { result: Figure[]; peakRss: number };
  try {
    // The server's RSS over the read benchmarks too: big pages and aggregations can outgrow ingest.
    reads = await runReads(o, ingest.app);
  } catch (err) {
    await ingest.cleanup();
    throw err;
  }
  console.log('');
  const report = await finishIngest(o, ingest);
  const figures: Figure[] = [
    ...report.ingest,
    ...reads.result,
    { name: 'server RSS peak (reads)', value: reads.peakRss / 1e6, unit: 'MB', target: TARGETS.serverRss(o.db) },
    ...report.storage,
    ...report.freshness,
  ];
  console.log(`\n[bench] ${fmt(w.spans)} spans, ${o.db}, ${o.clients} clients, ${o.runs} runs a read figure`);
  printTable(figures);
  console.log(summaryLine('all', `${o.db} ${fmt(w.spans)} spans`, figures));
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
