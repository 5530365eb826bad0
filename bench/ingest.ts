/**
 * Ingest benchmark: OTLP/HTTP protobuf batches (~512 spans) posted by several concurrent
 * clients to a running `tracedeck serve` → spans/s acknowledged, request latency
 * percentiles, peak server RSS. bench/run.ts keeps the loaded server up for the read
 * benchmarks; then `finishIngest` measures the rest on the loaded database, with the
 * server stopped: bytes per span on disk, and the baseline of the same run, a raw COPY of
 * the same rows into the same table (bench/copy-baseline.ts). Then, on Postgres, the same
 * workload through 2 server processes on a fresh schema, and the freshness lag measured on
 * those two (bench/freshness.ts); on PGlite, one process per database, the freshness lag
 * on the loaded server, restarted.
 *
 *   npx tsx bench/ingest.ts [--spans 1000000] [--clients 4] [--db postgres|pglite]
 *     [--schema bench_ingest | TRACEDECK_DB_SCHEMA] [--data-dir DIR | TRACEDECK_DATA_DIR]
 *     [--freshness-rate 20000] [--freshness-seconds 20] [--freshness-connections 16] [--two-process-spans N]
 */
import fs from 'node:fs';
import { type BenchDatabase, openBenchSql } from './bench-sql';
import { type CopyResult, copyBaseline } from './copy-baseline';
import { diskFigures, diskUsage, printDiskUsage, waitUntilSettled } from './disk';
import { type Figure, printTable, summaryLine, TARGETS } from './figures';
import { freshnessFigures, measureFreshness, printFreshness } from './freshness';
import { dropSchemas, freshDatabase, type Posted, postAll, withPeakRss } from './ingest-post';
import { type BenchOptions, benchOptions, serverEnv } from './options';
import { fmt, getJson, isMain, type ServedApp, serveApp, summary } from './support';
import { workloadFiles } from './workload-files';

export type IngestRun = Posted & {
  files: string[];
  workloadDir: string;
  spans: number;
  peakRss: number;
  /** The loaded server, up until `finishIngest` stops it. */
  app: ServedApp;
  /** The PGlite folder the server uses (null for Postgres). */
  dataDir: string | null;
  /** Stops the server and removes a temporary PGlite folder. */
  cleanup(): Promise<void>;
};

/** The workload through one server on a fresh database; the server is left up. */
export async function runIngest(o: BenchOptions): Promise<IngestRun> {
  const { files, spans, dir } = workloadFiles(o.spans, o.seed);
  console.log(
    `[ingest] ${fmt(spans)} spans in ${files.length} protobuf batches, ${o.clients} clients, database ${o.db}${o.db === 'postgres' ? ` (schema ${o.schema})` : ''}`,
  );
  const { dataDir, temporary } = await freshDatabase(o);
  const app = await serveApp(serverEnv(o, dataDir));
  const cleanup = async () => {
    await app.stop();
    if (temporary && dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { result, peakRss } = await withPeakRss([app.pid], () => postAll([app.url], files, o.clients));
    const stored = await getJson<{ traces: unknown[] }>(`${app.url}/api/traces?limit=1`);
    if (stored.traces.length === 0) throw new Error('nothing stored');
    const lat = summary(result.latencies);
    console.log(`ingest (1 process, acknowledged): ${fmt(spans / result.seconds)} spans/s over ${result.seconds.toFixed(1)} s`);
    if (result.retried > 0) console.log(`requests sent again after no answer: ${result.retried}`);
    console.log(`request latency (512 spans):      p50 ${fmt(lat.p50)} ms, p95 ${fmt(lat.p95)} ms, p99 ${fmt(lat.p99)} ms, max ${fmt(lat.max)} ms`);
    if (o.db === 'postgres') await analyzeLoaded(o);
    console.log(`peak server RSS:                  ${fmt(peakRss / 1e6)} MB (tracedeck serve + next start)`);
    return { ...result, files, workloadDir: dir, spans, peakRss, app, dataDir, cleanup };
  } catch (err) {
    reportServer(app);
    await cleanup();
    throw err;
  }
}

/** After a failed run: whether the server is still up, and the end of what it printed. */
function reportServer(app: ServedApp): void {
  const tail = app.output().trimEnd().split('\n').slice(-40).join('\n');
  console.error(`[ingest] the server ${app.exited() ? 'had exited' : 'was still running'}; the end of its output:\n${tail}`);
}

const mainDatabase = (o: BenchOptions, run: IngestRun): BenchDatabase =>
  o.db === 'postgres' ? { db: 'postgres', databaseUrl: o.databaseUrl, schema: o.schema } : { db: 'pglite', dataDir: run.dataDir as string };

/**
 * Before the read benchmarks: the summarizer catches up and the tables are analyzed, as autovacuum
 * would within a minute or two. Fresh daily partitions have no statistics yet, and without them the
 * planner takes a day's 20k traces for 450 and sorts them instead of reading the list index in order.
 */
async function analyzeLoaded(o: BenchOptions): Promise<void> {
  const sql = await openBenchSql({ db: 'postgres', databaseUrl: o.databaseUrl, schema: o.schema });
  try {
    const started = performance.now();
    while ((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM trace_deltas'))[0].n > 0) await new Promise((r) => setTimeout(r, 100));
    await sql.query('ANALYZE spans, traces, trace_rollups');
    console.log(`[ingest] summaries caught up and tables analyzed ${((performance.now() - started) / 1000).toFixed(1)} s after the last acknowledgement`);
  } finally {
    await sql.close();
  }
}

/** Lets the background work (rollups today, #13's summarizer) catch up, then stops the server. */
async function settleAndStop(o: BenchOptions, run: IngestRun): Promise<void> {
  // Today's roller starts with the first metrics query of a server.
  await getJson(`${run.app.url}/api/metrics?since=1h`);
  if (o.db === 'postgres') {
    const sql = await openBenchSql(mainDatabase(o, run));
    try {
      console.log(`[ingest] background work settled after ${(await waitUntilSettled(sql)).toFixed(1)} s`);
    } finally {
      await sql.close();
    }
  } else {
    // The server holds the PGlite folder, so its tables cannot be watched: the summarizer is to be ≤ ~1 s behind.
    await new Promise((r) => setTimeout(r, 3000));
  }
  await run.app.stop();
}

type TwoProcesses = Posted & { peakRss: number; apps: ServedApp[]; schema: string; spans: number };

/**
 * The workload (or its first --two-process-spans spans) through 2 `tracedeck serve` on one fresh
 * schema, the clients split between them; both left up.
 */
async function ingestThroughTwo(o: BenchOptions, run: IngestRun): Promise<TwoProcesses> {
  const share = o.twoProcessSpans > 0 ? Math.min(1, o.twoProcessSpans / run.spans) : 1;
  const files = run.files.slice(0, Math.max(1, Math.round(run.files.length * share)));
  // The batch files hold ~512 spans each, so the prefix's share of the files is its share of the spans.
  const spans = Math.round((run.spans * files.length) / run.files.length);
  const schema = `${o.schema}_2p`;
  await dropSchemas(o.databaseUrl, [schema]);
  const env = serverEnv({ ...o, schema });
  // One after the other: the first migrates the schema.
  const apps = [await serveApp(env)];
  try {
    apps.push(await serveApp(env));
    console.log(`[ingest] ${fmt(spans)} spans through 2 processes (schema ${schema}), ${o.clients} clients split between them`);
    const { result, peakRss } = await withPeakRss(
      apps.map((a) => a.pid),
      () =>
        postAll(
          apps.map((a) => a.url),
          files,
          o.clients,
        ),
    );
    console.log(`ingest (2 processes): ${fmt(spans / result.seconds)} spans/s over ${result.seconds.toFixed(1)} s, peak RSS of both ${fmt(peakRss / 1e6)} MB`);
    return { ...result, peakRss, apps, schema, spans };
  } catch (err) {
    for (const a of apps) await a.stop();
    throw err;
  }
}

function ingestFigures(o: BenchOptions, run: IngestRun, copy: CopyResult, two: TwoProcesses | null): Figure[] {
  const rate = run.spans / run.seconds;
  const copyRate = run.spans / copy.seconds;
  const lat = summary(run.latencies);
  const twoFigure: Figure = two
    ? {
        name: 'ingest through 2 processes',
        value: two.spans / two.seconds,
        unit: 'spans/s',
        detail: `${(two.spans / two.seconds / rate).toFixed(2)}x 1 process${two.spans < run.spans ? ` (first ${fmt(two.spans)} spans)` : ''}; ${o.clients} clients split; p99 ${fmt(summary(two.latencies).p99)} ms; RSS peak of both ${fmt(two.peakRss / 1e6)} MB`,
      }
    : { name: 'ingest through 2 processes', value: NaN, unit: 'spans/s', text: 'n/a (embedded)' };
  return [
    { name: 'ingest (1 process)', value: rate, unit: 'spans/s', target: TARGETS.ingestRate(o.db), detail: `raw COPY ${fmt(copyRate)} spans/s, same run` },
    { name: 'ingest / raw COPY', value: rate / copyRate, unit: 'x', target: TARGETS.copyRatio, detail: `${fmt(rate)} / ${fmt(copyRate)} spans/s` },
    {
      name: 'raw COPY, same rows, same table',
      value: copyRate,
      unit: 'spans/s',
      detail: `${fmt(copy.rows)} rows in ${copy.seconds.toFixed(1)} s${copy.partitionsMirrored ? `; ${copy.partitionsMirrored} partitions mirrored` : ''}`,
    },
    twoFigure,
    { name: '512-span request p50', value: lat.p50, unit: 'ms' },
    { name: '512-span request p95', value: lat.p95, unit: 'ms' },
    { name: '512-span request p99', value: lat.p99, unit: 'ms', target: TARGETS.requestP99 },
    { name: 'server RSS peak (ingest)', value: run.peakRss / 1e6, unit: 'MB', target: TARGETS.serverRss(o.db) },
  ];
}

export type IngestReport = { ingest: Figure[]; storage: Figure[]; freshness: Figure[] };

/** Everything measured after the 1-process ingest (and the reads of bench/run.ts): stops and cleans up what `run` started. */
export async function finishIngest(o: BenchOptions, run: IngestRun): Promise<IngestReport> {
  let secondary: ServedApp[] = [];
  let two: TwoProcesses | null = null;
  try {
    await settleAndStop(o, run);
    const source = await openBenchSql(mainDatabase(o, run));
    let copy: CopyResult;
    let storage: Figure[];
    try {
      const disk = await diskUsage(source);
      printDiskUsage(disk);
      storage = diskFigures(disk);
      copy = await copyBaseline(o, run.files, source);
      console.log(`baseline raw COPY, same rows:     ${fmt(run.spans / copy.seconds)} spans/s (${copy.seconds.toFixed(1)} s)`);
    } finally {
      await source.close();
    }

    if (o.db === 'postgres') {
      two = await ingestThroughTwo(o, run);
      secondary = two.apps;
    } else {
      secondary = [await serveApp(serverEnv(o, run.dataDir))];
    }
    const [ingestApp, readApp] = [secondary[0], secondary[secondary.length - 1]];
    const readThrough = secondary.length > 1 ? 'a second server process' : 'the same process (PGlite: one process per database)';
    console.log(
      `[freshness] ${o.freshnessSeconds} s aiming at ${fmt(o.freshnessRate)} spans/s, ${o.freshnessConnections} connections; read through ${readThrough}`,
    );
    const fresh = await measureFreshness({
      ingestUrl: ingestApp.url,
      readUrl: readApp.url,
      workloadDir: run.workloadDir,
      rate: o.freshnessRate,
      seconds: o.freshnessSeconds,
      connections: o.freshnessConnections,
    });
    printFreshness(fresh, { rate: o.freshnessRate, readThrough });
    const report = {
      ingest: ingestFigures(o, run, copy, two),
      storage,
      freshness: freshnessFigures(fresh, { rate: o.freshnessRate, readThrough }),
    };
    console.log(summaryLine('ingest', `${o.db} ${fmt(run.spans)} spans, ${o.clients} clients`, [...report.ingest, ...report.storage, ...report.freshness]));
    return report;
  } finally {
    for (const app of secondary) await app.stop();
    if (two) await dropSchemas(o.databaseUrl, [two.schema]);
    await run.cleanup();
  }
}

async function main(): Promise<void> {
  const o = benchOptions();
  const report = await finishIngest(o, await runIngest(o));
  console.log('');
  printTable([...report.ingest, ...report.storage, ...report.freshness]);
}

if (isMain(import.meta.url)) {
  main()
    .then(() => process.exit(0))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
