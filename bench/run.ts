/**
 * The whole performance run of issue #6 on one loaded database: generate (cached)
 * → ingest (server kept up) → where queries → charts → 5,000-span trace page,
 * then one table of every figure beside its target.
 *
 *   npm run bench -- --spans 1000000 [--db postgres|pglite] [--clients 4] [--seed 1] [--runs 20]
 */
import { runChartsBench } from './charts';
import { type Figure, printTable, summaryLine, TARGETS } from './figures';
import { generate } from './generate';
import { runIngest } from './ingest';
import { benchOptions } from './options';
import { runQueryBench } from './query';
import { fmt, isMain, treeRss } from './support';
import { runTracePageBench } from './trace-page';

async function main() {
  const o = benchOptions();
  const w = generate(o.spans, o.seed);
  console.log(`[bench] ${fmt(w.spans)} spans (seed ${o.seed}), database ${o.db}, ${o.clients} ingest clients`);
  const ingest = await runIngest(o, { keepServer: true });
  // The server's RSS over the read benchmarks too: big pages and aggregations can outgrow ingest.
  let peakRss = treeRss(ingest.app.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss(ingest.app.pid))), 200);
  const figures: Figure[] = [...ingest.figures];
  try {
    console.log('');
    figures.push(...(await runQueryBench(o, ingest.app.url)));
    console.log('');
    figures.push(...(await runChartsBench(o, ingest.app.url)));
    console.log('');
    figures.push(...(await runTracePageBench(o, ingest.app.url)));
  } finally {
    clearInterval(sampler);
    await ingest.cleanup();
  }
  figures.push({ name: 'server RSS peak (reads)', value: peakRss / 1e6, unit: 'MB', target: TARGETS.serverRss(o.db) });
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
