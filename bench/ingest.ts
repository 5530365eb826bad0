/**
 * Ingest benchmark: OTLP/HTTP protobuf batches (~512 spans) posted by several
 * concurrent clients to a running `tracedeck serve` → spans/s stored and
 * committed, request latency percentiles, peak server RSS; then, as the baseline
 * of the same run, a raw COPY of the same rows into the same indexed table.
 *
 *   npx tsx bench/ingest.ts [--spans 1000000] [--clients 4] [--db postgres|pglite]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createDb } from '../db/client';
import { spanRows } from '../db/ingest';
import { decodeExportRequest } from '../lib/otlp';
import { fmt, mib, serveApp, summary, treeRss } from './support';
import { workloadFiles } from './workload-files';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SPANS = Number(arg('spans', '1000000'));
const CLIENTS = Number(arg('clients', '4'));
const DB = arg('db', 'postgres') as 'postgres' | 'pglite';
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const COPY_COLUMNS = [
  'tenant_id', 'trace_id', 'span_id', 'parent_span_id', 'trace_state', 'name', 'kind', 'service', 'status_code', 'status_message',
  'start_ns', 'end_ns', 'duration_ns', 'user_id', 'session_id', 'llm_model', 'prompt_tokens', 'completion_tokens', 'total_tokens',
  'cost_usd', 'http_status_code', 'attributes', 'resource_attributes', 'events', 'links', 'scope_name', 'scope_version', 'flags', 'dropped_counts',
] as const;

function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** The same rows the ingest route writes, as COPY text in a temp file (prepared outside the timed part). */
function copyFile(files: string[]): string {
  const out = path.join(os.tmpdir(), `tracedeck-copy-${process.pid}.tsv`);
  const fd = fs.openSync(out, 'w');
  for (const file of files) {
    const decoded = decodeExportRequest(fs.readFileSync(file), { contentType: 'application/x-protobuf', maxBodyBytes: 64 << 20 });
    if (!decoded.ok) throw new Error(decoded.message);
    let chunk = '';
    for (const row of spanRows(decoded.spans)) {
      const r = row as Record<string, unknown>;
      const values = COPY_COLUMNS.map((c) => (c === 'duration_ns' ? (BigInt(r.end_ns as string) - BigInt(r.start_ns as string)).toString() : r[c]));
      chunk += `${values.map(copyField).join('\t')}\n`;
    }
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  return out;
}

async function postAll(url: string, files: string[]): Promise<{ seconds: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      const body = fs.readFileSync(files[i]);
      const t = performance.now();
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      const answer = new Uint8Array(await res.arrayBuffer());
      latencies.push(performance.now() - t);
      if (res.status !== 200 || answer.length > 0) throw new Error(`batch ${i}: HTTP ${res.status}, ${answer.length}-byte answer (partial success?)`);
      if (i % 100 === 0) process.stdout.write(`\r[ingest] ${fmt(i)} / ${fmt(files.length)} batches`);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  process.stdout.write('\r');
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function main() {
  const { files, spans } = workloadFiles(SPANS);
  console.log(`[bench] ingest of ${fmt(spans)} spans in ${files.length} protobuf batches, ${CLIENTS} clients, database ${DB}`);

  let env: Record<string, string>;
  let dataDir: string | null = null;
  if (DB === 'postgres') {
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe('DROP SCHEMA IF EXISTS bench_ingest CASCADE; DROP SCHEMA IF EXISTS bench_copy CASCADE');
    await admin.end();
    env = { DATABASE_URL: PG_URL, TRACEDECK_DB_SCHEMA: 'bench_ingest' };
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-bench-'));
    env = { DATABASE_URL: '', TRACEDECK_DATA_DIR: dataDir };
  }
  const app = await serveApp(env);
  let peakRss = treeRss(app.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss(app.pid))), 200);
  const ingest = await postAll(app.url, files);
  clearInterval(sampler);
  const stored = (await (await fetch(`${app.url}/api/traces?limit=1&from=0`)).json()) as { traces: unknown[] };
  await app.stop();
  if (stored.traces.length === 0) throw new Error('nothing stored');
  const lat = summary(ingest.latencies);
  const ingestRate = spans / ingest.seconds;

  // Baseline: COPY of the same rows into the same (migrated, indexed) table.
  process.stdout.write('[baseline] preparing COPY rows…');
  const tsv = copyFile(files);
  process.stdout.write('\r');
  let copySeconds: number;
  if (DB === 'postgres') {
    const db = await createDb({ databaseUrl: PG_URL, schemaName: 'bench_copy' });
    await db.migrate();
    await db.close();
    const client = postgres(PG_URL, { max: 1, onnotice: () => {}, connection: { search_path: 'bench_copy' } });
    const t = performance.now();
    const sink = await client.unsafe(`COPY spans (${COPY_COLUMNS.join(', ')}) FROM STDIN`).writable();
    await pipeline(fs.createReadStream(tsv, { highWaterMark: 1 << 20 }), sink);
    copySeconds = (performance.now() - t) / 1000;
    const [{ n }] = await client.unsafe('SELECT count(*)::int AS n FROM spans');
    if (n !== spans) throw new Error(`COPY stored ${n} rows, expected ${spans}`);
    await client.end();
  } else {
    const db = await createDb({ dataDir: 'memory://' });
    await db.migrate();
    await db.close();
    const pg = await PGlite.create({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-copy-')) });
    const migrated = await createDb({ dataDir: 'memory://' });
    await migrated.close();
    // Same schema on the PGlite used for COPY.
    for (const f of fs.readdirSync('db/migrations').filter((x) => x.endsWith('.sql')).sort()) {
      for (const stmt of fs.readFileSync(path.join('db/migrations', f), 'utf8').split('--> statement-breakpoint')) await pg.exec(stmt);
    }
    const t = performance.now();
    await pg.query(`COPY spans (${COPY_COLUMNS.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([fs.readFileSync(tsv)]) });
    copySeconds = (performance.now() - t) / 1000;
    await pg.close();
  }
  fs.rmSync(tsv, { force: true });
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  const copyRate = spans / copySeconds;

  console.log(`ingest (end to end, committed): ${fmt(ingestRate)} spans/s over ${ingest.seconds.toFixed(1)} s`);
  console.log(`request latency (512 spans):    p50 ${lat.p50.toFixed(0)} ms, p95 ${lat.p95.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms, max ${lat.max.toFixed(0)} ms`);
  console.log(`peak server RSS:                ${mib(peakRss)} (tracedeck serve + next start)`);
  console.log(`baseline raw COPY, same rows:   ${fmt(copyRate)} spans/s (${copySeconds.toFixed(1)} s)`);
  console.log(`SUMMARY ingest ${DB} ${fmt(spans)} spans: ${fmt(ingestRate)} spans/s = ${(ingestRate / copyRate).toFixed(2)}x raw COPY (${fmt(copyRate)}/s); p99 ${lat.p99.toFixed(0)} ms; peak RSS ${mib(peakRss)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
