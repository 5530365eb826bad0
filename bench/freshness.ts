/**
 * Freshness lag: how long after the 200 of an ingest request its trace can be found with
 * `where` in the list API. Batches are posted to one server at a steady rate (the target's
 * 20k spans/s, or as fast as the server takes them: the rate achieved is reported); for a
 * sample of the acknowledged ones, one of the batch's trace ids is looked up every ~50 ms
 * through `GET /api/traces?where=trace_id="…"` on a SECOND server process of the same
 * database, until it is found. Reading through another process matters: the ingesting one
 * may make its own reads wait for its own writes, which would hide the lag. (On PGlite,
 * one process per database, the same process answers: the figure says so.)
 *
 * The batches are the workload's, with trace ids rewritten on every pass (bench/load-workload.ts),
 * starting at pass 1 so that none is already stored. Their times are the workload's week.
 *
 * Alone (`npm run bench:freshness`), on a fresh schema loaded with the first --spans of the workload:
 *
 *   npm run bench:freshness -- --schema bench_fresh [--spans 200000] [--db postgres|pglite] [--clients 4]
 *     [--freshness-rate 20000] [--freshness-seconds 20] [--freshness-connections 16]
 *
 * (--clients load the schema; --freshness-connections send the measured batches.)
 */
import fs from 'node:fs';
import os from 'node:os';
import { openBenchSql } from './bench-sql';
import { type Figure, printTable, summaryLine, TARGETS } from './figures';
import { dropSchemas, freshDatabase, postAll } from './ingest-post';
import { bodyFor, loadTemplates, spansPerTrace, type Template } from './load-workload';
import { type BenchOptions, benchOptions, serverEnv } from './options';
import { authHeaders, fmt, getJson, runIfMain, serveApp, summary } from './support';
import { workloadFiles } from './workload-files';

export type FreshnessOptions = {
  ingestUrl: string;
  readUrl: string;
  /** The workload folder (bench/workload-files.ts). */
  workloadDir: string;
  /** Spans/s aimed at. */
  rate: number;
  seconds: number;
  /**
   * Requests in flight at most: when all are busy the server is slower than the rate. Enough of them
   * that the rate, not the client, bounds what is sent (a closed loop of 4 got ~12k spans/s of 20k).
   */
  connections: number;
  /** One acknowledged batch in this many ms is followed until its trace is found. */
  sampleEveryMs?: number;
  pollEveryMs?: number;
  /** A sample not found this long after its 200 counts as not found. */
  giveUpMs?: number;
};

export type FreshnessResult = {
  lagsMs: number[];
  notFound: number;
  achievedRate: number;
  ingestSeconds: number;
  acknowledgedSpans: number;
  /** Answers other than 200: 429 (the gate's back-pressure) and anything else. */
  throttled: number;
  failed: number;
  requestMs: number[];
  /** Each list request of the lookups (a part of every lag: the one that finds the trace). */
  readMs: number[];
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Polls the list API until `traceId` is in it: ms from `ackAt` to the answer that had it, or null after `giveUpMs`. */
async function lagUntilFound(
  readUrl: string,
  traceId: string,
  ackAt: number,
  { pollEveryMs, giveUpMs, readMs }: { pollEveryMs: number; giveUpMs: number; readMs: number[] },
): Promise<number | null> {
  const url = `${readUrl}/api/traces?${new URLSearchParams({ where: `trace_id="${traceId}"`, limit: '1' })}`;
  for (;;) {
    const asked = performance.now();
    const page = await getJson<{ traces: { traceId: string }[] }>(url);
    const now = performance.now();
    readMs.push(now - asked);
    if (page.traces.some((t) => t.traceId === traceId)) return now - ackAt;
    if (now - ackAt > giveUpMs) return null;
    await sleep(asked + pollEveryMs - now);
  }
}

export async function measureFreshness(o: FreshnessOptions): Promise<FreshnessResult> {
  const { rate, seconds, sampleEveryMs = 250, pollEveryMs = 50, giveUpMs = 30_000 } = o;
  // Enough distinct batches for the run; later passes over them get new trace ids.
  const templates: Template[] = loadTemplates(o.workloadDir, Math.ceil((rate * seconds) / 512) + 1);
  const first = templates.length;
  const lags: Promise<number | null>[] = [];
  const requestMs: number[] = [];
  const readMs: number[] = [];
  let next = first;
  let throttled = 0;
  let failed = 0;
  let acknowledgedSpans = 0;
  const started = performance.now();
  const endAt = started + seconds * 1000;
  let nextDue = started;
  let nextSample = started;

  const worker = async () => {
    for (;;) {
      const now = performance.now();
      // A server that fell behind is not owed a burst: the schedule forgets debt older than a second.
      const due = Math.max(nextDue, now - 1000);
      if (due >= endAt) return;
      const i = next++;
      const spans = templates[i % templates.length].traceIdOffsets.length;
      nextDue = due + (spans / rate) * 1000;
      const sampled = due >= nextSample;
      if (sampled) nextSample = due + sampleEveryMs;
      await sleep(due - now);
      const t = performance.now();
      const res = await fetch(`${o.ingestUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', ...authHeaders() },
        body: new Uint8Array(bodyFor(templates, i)),
      });
      const answer = new Uint8Array(await res.arrayBuffer());
      const ackAt = performance.now();
      requestMs.push(ackAt - t);
      if (res.status === 429) throttled++;
      else if (res.status !== 200 || answer.length > 0) failed++;
      else {
        acknowledgedSpans += spans;
        if (sampled) {
          const [traceId] = spansPerTrace(templates, i).keys();
          lags.push(lagUntilFound(o.readUrl, traceId, ackAt, { pollEveryMs, giveUpMs, readMs }));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  const ingestSeconds = (performance.now() - started) / 1000;
  const found = await Promise.all(lags);
  return {
    lagsMs: found.filter((l): l is number => l !== null),
    notFound: found.filter((l) => l === null).length,
    achievedRate: acknowledgedSpans / ingestSeconds,
    ingestSeconds,
    acknowledgedSpans,
    throttled,
    failed,
    requestMs,
    readMs,
  };
}

export function freshnessFigures(r: FreshnessResult, o: { rate: number; readThrough: string }): Figure[] {
  const s = summary(r.lagsMs);
  const context = `at ${fmt(r.achievedRate)} spans/s achieved (aim ${fmt(o.rate)}), ${r.lagsMs.length} samples${r.notFound ? `, ${r.notFound} NOT FOUND` : ''}, read through ${o.readThrough}`;
  const lag = (name: string, value: number, target?: Figure['target'], detail?: string): Figure =>
    r.lagsMs.length === 0 ? { name, value: NaN, unit: 'ms', target, text: 'no sample found', detail } : { name, value, unit: 'ms', target, detail };
  // A sample never found is a lag beyond the give-up time: the p99 must not look better for it.
  const p99 = r.notFound > 0 ? Infinity : s.p99;
  return [lag('freshness lag p50', s.p50, undefined, context), lag('freshness lag p99', p99, TARGETS.freshnessP99)];
}

export function printFreshness(r: FreshnessResult, o: { rate: number; readThrough: string }): void {
  const s = summary(r.lagsMs);
  const req = summary(r.requestMs);
  console.log(
    `[freshness] ${fmt(r.acknowledgedSpans)} spans acknowledged in ${r.ingestSeconds.toFixed(1)} s = ${fmt(r.achievedRate)} spans/s (aim ${fmt(o.rate)}); ` +
      `throttled ${r.throttled}, failed ${r.failed}; request p50 ${fmt(req.p50)} ms, p99 ${fmt(req.p99)} ms`,
  );
  console.log(
    `[freshness] 200 → findable by where, read through ${o.readThrough}: ${r.lagsMs.length} samples, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, max ${fmt(s.max)} ms` +
      (r.notFound ? `; ${r.notFound} not found within 30 s` : ''),
  );
  const read = summary(r.readMs);
  console.log(`[freshness] each lookup (list API with where, repeated until found): p50 ${fmt(read.p50)} ms, p99 ${fmt(read.p99)} ms`);
}

/** trace_deltas rows (deltas not summarized yet) sampled every 200 ms while `fn` runs (Postgres; null on PGlite, whose folder the server holds). */
async function withDeltaBacklog<T>(o: BenchOptions, fn: () => Promise<T>): Promise<{ result: T; backlog: number[] | null }> {
  if (o.db !== 'postgres') return { result: await fn(), backlog: null };
  const sql = await openBenchSql({ db: 'postgres', databaseUrl: o.databaseUrl, schema: o.schema });
  const backlog: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      backlog.push((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM trace_deltas'))[0].n);
      await sleep(200);
    }
  })();
  try {
    return { result: await fn(), backlog };
  } finally {
    sampling = false;
    await sampler;
    await sql.close();
  }
}

/** Waits until the summarizer has merged every delta (Postgres; PGlite's folder is the server's): the measured run starts settled. */
async function waitForSummaries(o: BenchOptions): Promise<string> {
  if (o.db !== 'postgres') return 'not watched (the server holds the PGlite folder)';
  const started = performance.now();
  const sql = await openBenchSql({ db: 'postgres', databaseUrl: o.databaseUrl, schema: o.schema });
  try {
    while ((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM trace_deltas'))[0].n > 0) await sleep(100);
  } finally {
    await sql.close();
  }
  return `caught up ${((performance.now() - started) / 1000).toFixed(1)} s later`;
}

/**
 * Just the freshness run, as `npm run bench` ends with it: a fresh schema served by 2 processes (PGlite: 1),
 * loaded with the first --spans of the workload through both, then the measured run into the first while
 * the second reads.
 */
async function main(): Promise<void> {
  const o = benchOptions();
  const { files, spans, dir } = workloadFiles(o.spans, o.seed);
  const { dataDir, temporary } = await freshDatabase(o);
  const env = serverEnv(o, dataDir);
  // One after the other: the first migrates the schema.
  const apps = [await serveApp(env)];
  try {
    if (o.db === 'postgres') apps.push(await serveApp(env));
    const loaded = await postAll(
      apps.map((a) => a.url),
      files,
      o.clients,
    );
    console.log(
      `[freshness] loaded ${fmt(spans)} spans through ${apps.length} process(es) at ${fmt(spans / loaded.seconds)} spans/s; summaries ${await waitForSummaries(o)}`,
    );
    const readThrough = apps.length > 1 ? 'a second server process' : 'the same process (PGlite: one process per database)';
    console.log(
      `[freshness] ${o.freshnessSeconds} s aiming at ${fmt(o.freshnessRate)} spans/s, ${o.freshnessConnections} connections; read through ${readThrough}; load average ${os.loadavg()[0].toFixed(2)}`,
    );
    const { result, backlog } = await withDeltaBacklog(o, () =>
      measureFreshness({
        ingestUrl: apps[0].url,
        readUrl: apps[apps.length - 1].url,
        workloadDir: dir,
        rate: o.freshnessRate,
        seconds: o.freshnessSeconds,
        connections: o.freshnessConnections,
      }),
    );
    printFreshness(result, { rate: o.freshnessRate, readThrough });
    if (backlog) {
      const b = summary(backlog);
      console.log(`[freshness] deltas waiting for the summarizer (every 200 ms): p50 ${fmt(b.p50)}, p99 ${fmt(b.p99)}, max ${fmt(b.max)}`);
    }
    console.log(
      `[freshness] load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const figures = freshnessFigures(result, { rate: o.freshnessRate, readThrough });
    printTable(figures);
    console.log(summaryLine('freshness', `${o.db} ${fmt(spans)} spans loaded`, figures));
  } finally {
    for (const app of apps) await app.stop();
    if (o.db === 'postgres') await dropSchemas(o.databaseUrl, [o.schema]);
    if (temporary && dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
