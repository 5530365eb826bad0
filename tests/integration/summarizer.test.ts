/**
 * Storage engine v2's write side (issue #13): ingest only appends spans and per-trace
 * deltas; the summarizer (db/summarizer.ts) merges deltas into `traces` off the request
 * path. What must hold:
 * - deltas are durable: a process that dies before summarizing loses nothing, and the
 *   next pass (in any process) builds exact summaries; a second pass counts nothing twice;
 * - an exporter's retry storm (one batch sent 8× at once) shows no duplicate span and no
 *   wrong count in any read: list, counts, charts, trace page, OTLP download and the CLI;
 * - (Postgres) two clients of one database, each ingesting and summarizing at once, as two
 *   servers would: exact summaries, no span lost or counted twice;
 * - (Postgres) the one-at-a-time lock is per schema: a store in another schema of the same
 *   database never waits on this one's pass.
 */
import { execFile } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { jobLockKey } from '../../db/locks';
import { storeSpans } from '../../db/ingest';
import { stopSummarizer, summariesCaughtUp, summarizeNow, vacuumDeltas } from '../../db/summarizer';
import { enrichSpan } from '../../lib/enrich/enrich';
import { processPromotionOptions } from '../../server/ingest/deps';
import { useDb } from '../../server/db';
import { DATABASE_KINDS, describeEachDatabase, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases';
import { freshBatch } from '../support/fresh-batch';
import { startRouteServer } from '../support/route-server';
import { spanRecord } from '../support/span-record';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `traces` spans of `per` spans each (a root and its children), tenant t<trace % 3>, starting now. */
function records(firstTrace: number, traces: number, per: number) {
  const promotion = processPromotionOptions();
  const now = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: traces * per }, (_, i) => {
    const trace = firstTrace + Math.floor(i / per);
    const k = i % per;
    return enrichSpan(
      spanRecord({
        traceId: hex(trace, 32),
        spanId: hex(trace * 1000 + k + 1, 16),
        parentSpanId: k === 0 ? null : hex(trace * 1000 + 1, 16),
        startTimeUnixNano: now + BigInt(k) * 1000n,
        endTimeUnixNano: now + 5_000_000n,
        statusCode: k === 1 ? 2 : 0,
        attributes: { 'tenant.id': { stringValue: `t${trace % 3}` }, 'llm.usage.total_tokens': { intValue: '10' } },
      }),
      promotion,
    );
  });
}

type SummaryRow = { trace_id: string; span_count: number; error_count: number; total_tokens: number | null };

async function summaries(db: TestDatabase['db']): Promise<SummaryRow[]> {
  const rows = await db.rows<SummaryRow>(sql`SELECT trace_id, span_count, error_count, total_tokens::integer AS total_tokens FROM traces ORDER BY trace_id`);
  return rows.map((r) => ({ ...r, total_tokens: r.total_tokens === null ? null : Number(r.total_tokens) }));
}

/** What the summaries must be: built from the stored spans themselves. */
async function summariesFromSpans(db: TestDatabase['db']): Promise<SummaryRow[]> {
  return db.rows<SummaryRow>(sql`
    SELECT trace_id, count(*)::integer AS span_count, (count(*) FILTER (WHERE status_code = 2))::integer AS error_count,
      sum(total_tokens)::integer AS total_tokens
    FROM spans GROUP BY tenant_id, trace_id ORDER BY trace_id`);
}

const count = async (db: TestDatabase['db'], table: 'traces' | 'trace_deltas' | 'spans') =>
  Number((await db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM ${sql.raw(table)}`))[0].n);

describeEachDatabase('summarizer: durable deltas, exactly once', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.dispose());

  it('spans acknowledged before a crash are summarized by the next pass, and only once', async () => {
    const { db } = database;
    const batch = records(1, 20, 5);
    expect((await storeSpans(db, batch)).inserted).toBe(100);
    // The process "dies" before its pass: the timer never fires.
    stopSummarizer(db);
    expect(await count(db, 'traces')).toBe(0);
    expect(await count(db, 'trace_deltas')).toBe(20);
    // A retry of the same batch stores nothing and adds no delta.
    expect((await storeSpans(db, batch)).inserted).toBe(0);
    stopSummarizer(db);
    expect(await count(db, 'trace_deltas')).toBe(20);

    expect(await summarizeNow(db)).toBe(20);
    const after = await summaries(db);
    expect(after).toHaveLength(20);
    expect(after).toEqual(await summariesFromSpans(db));
    expect(after[0]).toEqual({ trace_id: hex(1, 32), span_count: 5, error_count: 1, total_tokens: 50 });
    expect(await count(db, 'trace_deltas')).toBe(0);
    // Nothing left: a second pass changes nothing.
    expect(await summarizeNow(db)).toBe(0);
    expect(await summaries(db)).toEqual(after);
  });

  // Postgres cannot promise the file shrinks: another session's snapshot (parallel suites share the
  // database) keeps dead rows. So the tests check that the vacuum ran, and the size on PGlite.
  const relationSize = async (db: TestDatabase['db']) => Number((await db.rows<{ n: bigint }>(sql`SELECT pg_relation_size('trace_deltas') AS n`))[0].n);
  const vacuums = async (db: TestDatabase['db']) =>
    Number(
      (await db.rows<{ n: bigint }>(sql`SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'trace_deltas' AND schemaname = current_schema()`))[0]
        .n,
    );

  it('merged deltas leave dead rows that a vacuum gives back', async () => {
    const { db } = database;
    await storeSpans(db, records(30, 60, 2));
    stopSummarizer(db); // no background pass: it could drain the table and vacuum it first
    await summarizeNow(db);
    expect(await count(db, 'trace_deltas')).toBe(0);
    expect(await relationSize(db)).toBeGreaterThan(0);
    const before = await vacuums(db);
    await vacuumDeltas(db);
    expect(await vacuums(db)).toBe(before + 1);
    if (kind === 'pglite') expect(await relationSize(db)).toBe(0);
  });

  it('once ingest pauses, the next pass (finding nothing) vacuums the dead rows its merges left', async () => {
    const { db } = database;
    await storeSpans(db, records(40, 60, 2));
    stopSummarizer(db);
    const before = await vacuums(db);
    expect(await summarizeNow(db)).toBe(60);
    // Under load (fewer than 10k merged since the last vacuum) a merging pass does not vacuum…
    expect(await vacuums(db)).toBe(before);
    expect(await relationSize(db)).toBeGreaterThan(0);
    // …a pass with nothing left to merge does, and gives the file back.
    expect(await summarizeNow(db)).toBe(0);
    expect(await vacuums(db)).toBe(before + 1);
    if (kind === 'pglite') expect(await relationSize(db)).toBe(0);
  });

  it('a batch stored in this process wakes a pass at once (Postgres), which the next pass finds done', async () => {
    const { db } = database;
    const before = await count(db, 'traces');
    await storeSpans(db, records(21, 7, 3));
    // One turn of the timers: on Postgres the pass the commit woke (no delay) is queued by then, and
    // summarizeNow runs behind it. On PGlite appends share a pass SOON_MS later, so summarizeNow does it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const mergedByNow = await summarizeNow(db);
    if (kind === 'postgres') expect(mergedByNow).toBe(0);
    expect(await count(db, 'trace_deltas')).toBe(0);
    expect(await count(db, 'traces')).toBe(before + 7);
    expect(await summarizeNow(db)).toBe(0);
  });

  it('spans of one trace arriving over several batches merge into one exact summary', async () => {
    const { db } = database;
    const spans = records(100, 4, 9);
    // Three batches, each holding a third of every trace's spans, with one batch re-sent.
    const thirds = [0, 1, 2].map((r) => spans.filter((_, i) => i % 3 === r));
    for (const third of [thirds[2], thirds[0], thirds[2], thirds[1]]) await storeSpans(db, third);
    await summarizeNow(db);
    const rows = (await summaries(db)).filter((r) => r.trace_id >= hex(100, 32));
    expect(rows).toEqual((await summariesFromSpans(db)).filter((r) => r.trace_id >= hex(100, 32)));
    expect(rows.map((r) => r.span_count)).toEqual([9, 9, 9, 9]);
  });
});

type ListBody = { traces: { traceId: string; spanCount: number }[] };
type TraceBody = { spans: { spanId: string }[] };
type OtlpBody = { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
type MetricsBody = { totals: { requests: number } };

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/tracedeck.mjs', ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describeEachDatabase('an exporter retry storm: one batch sent 8 times at once', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const tenant = `storm-${kind}`;
  const batch = freshBatch(12, tenant);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': i % 2 ? 'application/json' : 'application/x-protobuf' },
          body: i % 2 ? batch.json : Buffer.from(batch.protobuf),
        }).then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(8).fill(200));
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('the list shows the trace once, with its 12 spans', async () => {
    const body = (await (await fetch(`${server.url}/api/traces?where=${encodeURIComponent(`tenant.id=${tenant}`)}`)).json()) as ListBody;
    expect(body.traces.map((t) => [t.traceId, t.spanCount])).toEqual([[batch.traceId, 12]]);
  });

  it('the trace page and the OTLP download hold each span once', async () => {
    const page = (await (await fetch(`${server.url}/api/traces/${batch.traceId}`)).json()) as TraceBody;
    expect(page.spans.map((s) => s.spanId).sort()).toEqual([...batch.spanIds].sort());
    const otlp = (await (await fetch(`${server.url}/api/traces/${batch.traceId}/otlp`)).json()) as OtlpBody;
    const ids = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.spanId)));
    expect(ids.sort()).toEqual([...batch.spanIds].sort());
  });

  it('counts and charts count one request', async () => {
    const params = new URLSearchParams({ where: `tenant.id=${tenant}`, since: '1h', metrics: 'requests' });
    const res = await fetch(`${server.url}/api/metrics?${params}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as MetricsBody).totals.requests).toBe(1);
    expect(await count(database.db, 'spans')).toBe(12);
  });

  it('the CLI lists it once with 12 spans', async () => {
    const out = JSON.parse(await runCli(['trace', batch.traceId, '--json', '--url', server.url])) as { traces: { trace_id: string; spans: unknown[] }[] };
    expect(out.traces.map((t) => [t.trace_id, t.spans.length])).toEqual([[batch.traceId, 12]]);
  });
});

describe.runIf(DATABASE_KINDS.includes('postgres'))('two servers on one Postgres, ingesting and summarizing at once', () => {
  let database: TestDatabase;
  let second: TestDatabase['db'];
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    second = await createDb({ databaseUrl: TEST_DATABASE_URL, schemaName: database.schemaName, maxConnections: 4 });
  });
  afterAll(async () => {
    await second?.close();
    await database?.dispose();
  });

  it('every batch sent through both, retried, and summarized by both: exact summaries', async () => {
    const batches = Array.from({ length: 12 }, (_, b) => records(1000 + b * 10, 10, 6));
    const clients = [database.db, second];
    await Promise.all(
      batches.flatMap((batch, b) => [
        storeSpans(clients[b % 2], batch),
        storeSpans(clients[(b + 1) % 2], batch),
        summarizeNow(clients[b % 2]),
        summarizeNow(clients[(b + 1) % 2]),
      ]),
    );
    await Promise.all(clients.map(summarizeNow));
    expect(await count(database.db, 'spans')).toBe(720);
    expect(await count(database.db, 'trace_deltas')).toBe(0);
    const rows = await summaries(database.db);
    expect(rows).toHaveLength(120);
    expect(rows).toEqual(await summariesFromSpans(database.db));
    expect(new Set(rows.map((r) => r.span_count))).toEqual(new Set([6]));
  });
});

describe.runIf(DATABASE_KINDS.includes('postgres'))('two stores in two schemas of one Postgres database', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([openTestDatabase('postgres'), openTestDatabase('postgres')]);
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  it("one schema's summarizer runs while the other's lock is held", async () => {
    // Schema a's lock, held by a transaction in a (as a pass in another server would hold it).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = a.db.transaction(async (tx) => {
      await tx.rows(sql`SELECT pg_advisory_xact_lock(${jobLockKey('summarizer')})`);
      locked();
      await held;
    });
    await isLocked;
    try {
      await storeSpans(a.db, records(1, 2, 3));
      await storeSpans(b.db, records(1, 2, 3));
      // A read in a waits (bounded) for its own writes: its passes, lock statement and merge sent
      // together, find the lock held and must claim nothing.
      await summariesCaughtUp(a.db);
      await summarizeNow(b.db);
      expect(await count(b.db, 'traces')).toBe(2);
      expect(await count(a.db, 'trace_deltas')).toBe(2);
      expect(await count(a.db, 'traces')).toBe(0);
    } finally {
      release();
      await holder;
    }
    await summarizeNow(a.db);
    expect(await count(a.db, 'traces')).toBe(2);
  });
});
