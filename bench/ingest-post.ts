/**
 * The moving parts of the ingest benchmark: a fresh benchmark database, the workload
 * posted by concurrent clients to one or more servers, and the peak RSS of the servers
 * while it runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { BenchOptions } from './options';
import { authHeaders, fmt, treeRss } from './support';

/** Marks a PGlite folder as made by this benchmark, so a rerun may wipe it (and nothing else). */
const BENCH_MARKER = '.tracedeck-bench';

/** The schema is dropped and recreated: refuse anything that does not look like a benchmark's own. */
export function assertBenchSchema(schema: string): void {
  if (!/^bench[a-z0-9_]*$/.test(schema)) throw new Error(`ingest drops and recreates its schema, so it must be named bench…; got '${schema}'`);
}

export async function dropSchemas(databaseUrl: string, schemas: string[]): Promise<void> {
  for (const s of schemas) assertBenchSchema(s);
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/** A fresh benchmark database: drops the (bench-named) schemas, or wipes a PGlite folder this benchmark made. */
export async function freshDatabase(o: BenchOptions): Promise<{ dataDir: string | null; temporary: boolean }> {
  if (o.db === 'postgres') {
    await dropSchemas(o.databaseUrl, [o.schema, `${o.schema}_copy`, `${o.schema}_2p`]);
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

/** `retried`: requests sent again after a network error (a reset connection), as an OTLP exporter would. */
export type Posted = { seconds: number; latencies: number[]; retried: number };

/** Tries of one request that fails without an answer (connection reset or refused) before the run fails. */
const NETWORK_TRIES = 3;
const RETRY_DELAY_MS = 500;

/** One POST; a network error is retried (the answer's latency is the successful try's). */
async function postBatch(
  url: string,
  body: Uint8Array<ArrayBuffer>,
  onRetry: (err: unknown) => void,
): Promise<{ res: Response; answer: Uint8Array; ms: number }> {
  for (let attempt = 1; ; attempt++) {
    const t = performance.now();
    try {
      const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...authHeaders() }, body });
      const answer = new Uint8Array(await res.arrayBuffer());
      return { res, answer, ms: performance.now() - t };
    } catch (err) {
      if (attempt >= NETWORK_TRIES) throw err;
      onRetry(err);
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
    }
  }
}

/**
 * Every file posted once, by `clients` concurrent clients; client j posts to `urls[j % urls.length]`. Any answer
 * but an empty 200 fails the run; a request that gets no answer is retried (NETWORK_TRIES) and counted.
 */
export async function postAll(urls: string[], files: string[], clients: number): Promise<Posted> {
  let next = 0;
  let retried = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async (j: number) => {
    const url = urls[j % urls.length];
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      const { res, answer, ms } = await postBatch(url, fs.readFileSync(files[i]), (err) => {
        retried++;
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
        console.warn(`\n[ingest] batch ${i}: no answer (${err instanceof Error ? err.message : String(err)}${cause}); sending it again`);
      });
      latencies.push(ms);
      if (res.status !== 200 || answer.length > 0) throw new Error(`batch ${i}: HTTP ${res.status}, ${answer.length}-byte answer (partial success?)`);
      if (i % 100 === 0) process.stdout.write(`\r[ingest] ${fmt(i)} / ${fmt(files.length)} batches`);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, j) => worker(j)));
  process.stdout.write(`\r${' '.repeat(40)}\r`);
  return { seconds: (performance.now() - started) / 1000, latencies, retried };
}

/** `fn`'s result and the peak of the summed RSS of the process trees `pids` while it ran (sampled every 200 ms). */
export async function withPeakRss<T>(pids: number[], fn: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  const total = () => pids.reduce((sum, pid) => sum + treeRss(pid), 0);
  let peakRss = total();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, total())), 200);
  try {
    const result = await fn();
    return { result, peakRss: Math.max(peakRss, total()) };
  } finally {
    clearInterval(sampler);
  }
}
