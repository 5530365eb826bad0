/**
 * Ingest benchmark: OTLP/HTTP protobuf batches (~512 spans) posted by several
 * concurrent clients to a running `tracedeck serve` → spans/s stored and
 * committed, request latency percentiles, peak server RSS; then, as the baseline
 * of the same run, a raw COPY of the same rows into the same indexed table.
 * bench/run.ts keeps the loaded server up afterwards for the read benchmarks.
 *
 *   npx tsx bench/ingest.ts [--spans 1000000] [--clients 4] [--db postgres|pglite]
 *     [--schema bench_ingest | TRACEDECK_DB_SCHEMA] [--data-dir DIR | TRACEDECK_DATA_DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createDb } from '../db/client';
import { spanRows } from '../db/ingest';
import { enrichSpan } from '../lib/enrich/enrich';
import { decodeExportRequest } from '../lib/otlp';
import { processPromotionOptions } from '../server/ingest/deps';
import { type Figure, summaryLine, TARGETS } from './figures';
import { type BenchOptions, benchOptions, serverEnv } from './options';
import { authHeaders, fmt, getJson, isMain, type ServedApp, serveApp, summary, treeRss } from './support';
import { workloadFiles } from './workload-files';

/** Marks a PGlite folder as made by this benchmark, so a rerun may wipe it (and nothing else). */
const BENCH_MARKER = '.tracedeck-bench';

function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * The rows the ingest route writes, as COPY text in temp files of ≤64 MB (prepared outside the timed part;
 * chunks so that PGlite, which takes a COPY as one in-memory blob, never holds 10M rows at once).
 * `columns`: the spans table's columns that the rows fill, read from the database, so the
 * baseline follows schema changes.
 */
function copyFiles(files: string[], tableColumns: string[]): { columns: string[]; chunks: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-copy-'));
  const chunks: string[] = [];
  let columns: string[] | null = null;
  let fd = -1;
  let written = 0;
  const promotion = processPromotionOptions();
  for (const file of files) {
    const decoded = decodeExportRequest(fs.readFileSync(file), { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
    if (!decoded.ok) throw new Error(decoded.message);
    let text = '';
    for (const row of spanRows(decoded.spans.map((span) => enrichSpan(span, promotion)))) {
      const r = { ...(row as Record<string, unknown>) };
      r.duration_ns = (BigInt(r.end_ns as string) - BigInt(r.start_ns as string)).toString();
      columns ??= tableColumns.filter((c) => c in r);
      text += `${columns.map((c) => copyField(r[c])).join('\t')}\n`;
    }
    if (fd < 0 || written > 64 << 20) {
      if (fd >= 0) fs.closeSync(fd);
      chunks.push(path.join(dir, `chunk-${chunks.length}.tsv`));
      fd = fs.openSync(chunks[chunks.length - 1], 'w');
      written = 0;
    }
    written += fs.writeSync(fd, text);
  }
  if (fd >= 0) fs.closeSync(fd);
  return { columns: columns ?? [], chunks };
}

async function postAll(url: string, files: string[], clients: number): Promise<{ seconds: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      const body = fs.readFileSync(files[i]);
      const t = performance.now();
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...authHeaders() }, body });
      const answer = new Uint8Array(await res.arrayBuffer());
      latencies.push(performance.now() - t);
      if (res.status !== 200 || answer.length > 0) throw new Error(`batch ${i}: HTTP ${res.status}, ${answer.length}-byte answer (partial success?)`);
      if (i % 100 === 0) process.stdout.write(`\r[ingest] ${fmt(i)} / ${fmt(files.length)} batches`);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  process.stdout.write(`\r${' '.repeat(40)}\r`);
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/** Raw COPY of the same rows into a freshly migrated, indexed database: seconds. */
async function copyBaseline(o: BenchOptions, files: string[]): Promise<number> {
  process.stdout.write('[baseline] preparing COPY rows…');
  if (o.db === 'postgres') {
    const schema = `${o.schema}_copy`;
    const db = await createDb({ databaseUrl: o.databaseUrl, schemaName: schema });
    await db.migrate();
    await db.close();
    const client = postgres(o.databaseUrl, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
    const cols = await client<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = 'spans' ORDER BY ordinal_position`;
    const { columns, chunks } = copyFiles(
      files,
      cols.map((c) => c.column_name),
    );
    process.stdout.write(`\r${' '.repeat(40)}\r`);
    const t = performance.now();
    const sink = await client.unsafe(`COPY spans (${columns.join(', ')}) FROM STDIN`).writable();
    await pipeline(async function* () {
      for (const chunk of chunks) yield* fs.createReadStream(chunk, { highWaterMark: 1 << 20 });
    }, sink);
    const seconds = (performance.now() - t) / 1000;
    const [{ n }] = await client<{ n: number }[]>`SELECT count(*)::int AS n FROM spans`;
    await client.end();
    fs.rmSync(path.dirname(chunks[0]), { recursive: true, force: true });
    if (n === 0) throw new Error('COPY stored no rows');
    return seconds;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-copy-db-'));
  const db = await createDb({ databaseUrl: '', dataDir: dir });
  await db.migrate();
  await db.close();
  const pg = await PGlite.create({ dataDir: dir });
  const cols = await pg.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'spans' ORDER BY ordinal_position`,
  );
  const { columns, chunks } = copyFiles(
    files,
    cols.rows.map((c) => c.column_name),
  );
  process.stdout.write(`\r${' '.repeat(40)}\r`);
  let seconds = 0;
  for (const chunk of chunks) {
    const blob = new Blob([fs.readFileSync(chunk)]);
    const t = performance.now();
    await pg.query(`COPY spans (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob });
    seconds += (performance.now() - t) / 1000;
  }
  await pg.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(path.dirname(chunks[0]), { recursive: true, force: true });
  return seconds;
}

/** A fresh benchmark database: drops the (bench-named) schema, or wipes a PGlite folder this benchmark made. */
async function freshDatabase(o: BenchOptions): Promise<{ dataDir: string | null; temporary: boolean }> {
  if (o.db === 'postgres') {
    // The schema is dropped: refuse anything that does not look like a benchmark's own.
    if (!/^bench[a-z0-9_]*$/.test(o.schema)) throw new Error(`ingest drops and recreates its schema, so it must be named bench…; got '${o.schema}'`);
    const admin = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${o.schema}" CASCADE; DROP SCHEMA IF EXISTS "${o.schema}_copy" CASCADE`);
    await admin.end();
    return { dataDir: null, temporary: false };
  }
  if (!o.dataDir) return { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-bench-')), temporary: true };
  const dir = path.resolve(o.dataDir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, BENCH_MARKER))) {
    throw new Error(`${dir} is not empty and was not made by this benchmark; give a new --data-dir`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, BENCH_MARKER), '');
  return { dataDir: dir, temporary: false };
}

export type IngestRun = {
  figures: Figure[];
  /** The loaded server, still up when `keepServer` was set. */
  app: ServedApp;
  /** The PGlite folder the server uses (null for Postgres). */
  dataDir: string | null;
  /** Stops the server and removes a temporary PGlite folder. */
  cleanup(): Promise<void>;
};

export async function runIngest(o: BenchOptions, { keepServer }: { keepServer: boolean }): Promise<IngestRun> {
  const { files, spans } = workloadFiles(o.spans, o.seed);
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
    let peakRss = treeRss(app.pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss(app.pid))), 200);
    const ingest = await postAll(app.url, files, o.clients).finally(() => clearInterval(sampler));
    const stored = await getJson<{ traces: unknown[] }>(`${app.url}/api/traces?limit=1`);
    if (stored.traces.length === 0) throw new Error('nothing stored');
    if (!keepServer) await cleanup();
    const copySeconds = await copyBaseline(o, files);
    const lat = summary(ingest.latencies);
    const ingestRate = spans / ingest.seconds;
    const copyRate = spans / copySeconds;

    console.log(`ingest (end to end, committed): ${fmt(ingestRate)} spans/s over ${ingest.seconds.toFixed(1)} s`);
    console.log(
      `request latency (512 spans):    p50 ${lat.p50.toFixed(0)} ms, p95 ${lat.p95.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms, max ${lat.max.toFixed(0)} ms`,
    );
    console.log(`peak server RSS:                ${fmt(peakRss / 1e6)} MB (tracedeck serve + next start)`);
    console.log(`baseline raw COPY, same rows:   ${fmt(copyRate)} spans/s (${copySeconds.toFixed(1)} s)`);
    const figures: Figure[] = [
      { name: 'ingest', value: ingestRate, unit: 'spans/s', target: TARGETS.ingestRate(o.db) },
      { name: 'ingest / raw COPY', value: ingestRate / copyRate, unit: 'x', target: TARGETS.copyRatio },
      { name: 'raw COPY', value: copyRate, unit: 'spans/s' },
      { name: '512-span request p99', value: lat.p99, unit: 'ms', target: TARGETS.requestP99 },
      { name: 'server RSS peak (ingest)', value: peakRss / 1e6, unit: 'MB', target: TARGETS.serverRss(o.db) },
    ];
    console.log(summaryLine('ingest', `${o.db} ${fmt(spans)} spans, ${o.clients} clients`, figures));
    return { figures, app, dataDir, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

if (isMain(import.meta.url)) {
  runIngest(benchOptions(), { keepServer: false })
    .then(() => process.exit(0))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
