/**
 * Command-line options shared by the benchmark scripts, and the app they measure:
 * a URL given with --url, or a `tracedeck serve` started on the benchmark database
 * (the one bench/ingest.ts loaded, so `bench:ingest` then `bench:query` works).
 */
import { withPeakRss } from './ingest-post';
import { arg, fmt, type ServedApp, serveApp } from './support';

export type DbKind = 'postgres' | 'pglite';

export type BenchOptions = {
  spans: number;
  seed: number;
  clients: number;
  db: DbKind;
  /** A running server to measure instead of starting one. */
  url: string | null;
  /** Postgres server and schema holding the benchmark data. */
  databaseUrl: string;
  schema: string;
  /** PGlite data folder (none: ingest uses a temporary one). */
  dataDir: string | null;
  runs: number;
  warmup: number;
  /** The freshness run: spans/s aimed at, and for how long. */
  freshnessRate: number;
  freshnessSeconds: number;
  /**
   * Requests in flight at most in the freshness run. Not --clients: 4 closed-loop clients cap the rate at
   * 4 × 512 spans per request latency (~12k spans/s at 170 ms), below the aim, whatever the server could take.
   */
  freshnessConnections: number;
  /** Spans sent through the 2 server processes (a prefix of the workload; 0: all of it): the 10M run sends 1M. */
  twoProcessSpans: number;
};

export function benchOptions(argv = process.argv): BenchOptions {
  const db = arg('db', 'postgres', argv);
  if (db !== 'postgres' && db !== 'pglite') throw new Error(`--db must be postgres or pglite (got ${db})`);
  return {
    spans: Number(arg('spans', '1000000', argv)),
    seed: Number(arg('seed', '1', argv)),
    clients: Number(arg('clients', '4', argv)),
    db,
    url: arg('url', '', argv).replace(/\/$/, '') || null,
    databaseUrl: arg('database-url', process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test', argv),
    schema: arg('schema', process.env.TRACEDECK_DB_SCHEMA || 'bench_ingest', argv),
    dataDir: arg('data-dir', process.env.TRACEDECK_DATA_DIR || '', argv) || null,
    runs: Number(arg('runs', '20', argv)),
    warmup: Number(arg('warmup', '3', argv)),
    freshnessRate: Number(arg('freshness-rate', '20000', argv)),
    freshnessSeconds: Number(arg('freshness-seconds', '20', argv)),
    freshnessConnections: Number(arg('freshness-connections', '16', argv)),
    twoProcessSpans: Number(arg('two-process-spans', '0', argv)),
  };
}

/** Environment of `tracedeck serve` on the benchmark database. */
export function serverEnv(o: BenchOptions, dataDir = o.dataDir): Record<string, string> {
  if (o.db === 'postgres') return { DATABASE_URL: o.databaseUrl, TRACEDECK_DB_SCHEMA: o.schema };
  if (!dataDir) throw new Error('--db pglite needs --data-dir (or TRACEDECK_DATA_DIR): the folder bench:ingest loaded');
  return { DATABASE_URL: '', TRACEDECK_DATA_DIR: dataDir };
}

/** The app to measure: --url as is, else one served on the benchmark database and stopped by `done()`. */
export async function targetApp(o: BenchOptions): Promise<{ url: string; pid: number | null; done(): Promise<void> }> {
  if (o.url) return { url: o.url, pid: null, done: async () => {} };
  const app: ServedApp = await serveApp(serverEnv(o));
  return { url: app.url, pid: app.pid, done: () => app.stop() };
}

/** The command-line entry of a read benchmark: the app from the options, the benchmark, then exit. */
export function runReadBenchMain(run: (o: BenchOptions, url: string) => Promise<unknown>): void {
  (async () => {
    const o = benchOptions();
    const app = await targetApp(o);
    try {
      if (app.pid === null) await run(o, app.url);
      else {
        // The server this step started: its RSS over the step, as bench/run.ts reports it over all the reads.
        const { peakRss } = await withPeakRss([app.pid], () => run(o, app.url));
        console.log(`server RSS peak (reads):          ${fmt(peakRss / 1e6)} MB (tracedeck serve + next start, this step)`);
      }
    } finally {
      await app.done();
    }
  })().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
