/**
 * The embedded PGlite runs in a worker thread (db/pglite-host.ts, db/pglite-worker.mjs):
 * a long query leaves the event loop free, errors keep Postgres' message and code,
 * transactions stay whole (rollback on throw; outside statements wait for them), an
 * unexpected worker exit rejects what was pending, close() flushes the catalog first.
 * PGlite only: these are properties of the embedded database's plumbing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, createDb } from '../../db/client';
import { storeRecords as storeSpans } from '../support/store-spans';
import { PgliteHost } from '../../db/pglite-host';
import { decodeExportRequest } from '../../lib/otlp';
import { loadConfig } from '../../server/config';
import { demoRequests } from '../support/demo-data';

/** Long enough to stall anything on its thread: a sleep plus a real aggregate. */
const LONG_QUERY = sql`SELECT pg_sleep(1.2) AS slept, (SELECT count(*) FROM generate_series(1, 1000000)) AS n`;

/** Runs `query` while a 10 ms interval ticks: its duration and the longest wait between ticks. */
async function tickGapDuring(db: Db, query: ReturnType<typeof sql>): Promise<{ ms: number; maxGapMs: number; rows: Record<string, unknown>[] }> {
  let last = performance.now();
  let maxGapMs = 0;
  const tick = () => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  };
  const timer = setInterval(tick, 10);
  const started = performance.now();
  try {
    const rows = await db.rows(query);
    tick(); // the gap up to the answer counts too (on a blocked thread no tick runs at all)
    return { ms: performance.now() - started, maxGapMs, rows };
  } finally {
    clearInterval(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PGlite in a worker thread', () => {
  let db: Db;

  beforeAll(async () => {
    db = await createDb({ databaseUrl: '', dataDir: 'memory://', schemaName: 'td_worker_test' });
    await db.migrate();
    await db.rows(sql`CREATE TABLE wt_items (id integer PRIMARY KEY, note text)`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps the event loop free during a long aggregate', async () => {
    const { ms, maxGapMs, rows } = await tickGapDuring(db, LONG_QUERY);
    expect(rows[0].n).toBe(1000000n);
    expect(ms).toBeGreaterThan(1000);
    // A behaviour check with a wide margin (the query alone blocks for over a second in-thread).
    expect(maxGapMs).toBeLessThan(200);
  });

  it('answers other statements on the main thread while a long one runs (they queue in the worker)', async () => {
    const long = db.rows(sql`SELECT pg_sleep(0.5) AS slept`);
    const short = db.rows<{ one: number }>(sql`SELECT 1 AS one`);
    const [, [row]] = await Promise.all([long, short]);
    expect(row.one).toBe(1);
  });

  it('keeps value types: int8 as bigint, parameters of every kind, json, timestamps as text', async () => {
    const [row] = await db.rows(sql`
      SELECT ${123456789012345678n}::int8 AS big, ${"it's"}::text AS s, ${sql.param([1, 2, 3])}::int[] AS arr,
        ${JSON.stringify({ a: [1, 'x'] })}::jsonb AS j, ${null}::text AS nothing, ${true}::boolean AS yes,
        '2024-01-02 03:04:05+00'::timestamptz AS ts, 1.5::float8 AS f`);
    expect(row).toEqual({
      big: 123456789012345678n,
      s: "it's",
      arr: [1, 2, 3],
      j: { a: [1, 'x'] },
      nothing: null,
      yes: true,
      ts: '2024-01-02 03:04:05+00',
      f: 1.5,
    });
  });

  it('runs a prepared statement (prepare: true) with the same values as an unprepared one, again and again', async () => {
    const query = (note: string | null, doc: string) => sql`
      SELECT ${123456789012345678n}::int8 AS big, ${note}::text AS s, ${sql.param([1, 2, 3])}::int[] AS arr,
        ${doc}::jsonb AS j, ${doc}::json AS js, ${true}::boolean AS yes, string_to_array(${`a\u0001é\u0001\u0002`}::text, chr(1), chr(2)) AS split,
        '2024-01-02 03:04:05+00'::timestamptz AS ts, 1.5::float8 AS f`;
    const cases: [string | null, string][] = [
      ['it\'s \\ "quoted" ✓ 🚀', JSON.stringify({ a: [1, 'x'], u: 'é "q" \\ \u0001' })],
      [null, '[]'],
      ['', JSON.stringify({ big: '9007199254740993', nested: { k: [true, null] } })],
    ];
    for (const [note, doc] of cases) {
      const [plain] = await db.rows(query(note, doc));
      const [prepared] = await db.rows(query(note, doc), { prepare: true });
      expect(prepared).toEqual(plain);
      expect(prepared.s).toBe(note);
      expect(prepared.split).toEqual(['a', 'é', null]);
    }
  });

  it('keeps a prepared statement right when its table changes, inside transactions, and when it fails', async () => {
    await db.rows(sql`CREATE TABLE wt_prepared (id integer PRIMARY KEY, note text)`);
    const insert = (id: number, note: string) => sql`INSERT INTO wt_prepared (id, note) VALUES (${id}, ${note}) RETURNING id, note`;
    expect(await db.rows(insert(1, 'one'), { prepare: true })).toEqual([{ id: 1, note: 'one' }]);
    // A column added after it was prepared: the plan cache replans it.
    await db.rows(sql`ALTER TABLE wt_prepared ADD COLUMN extra text DEFAULT 'x'`);
    expect(await db.rows(insert(2, 'two'), { prepare: true })).toEqual([{ id: 2, note: 'two' }]);
    await db.transaction(async (tx) => {
      await tx.rows(insert(3, 'three'), { prepare: true });
    });
    const err = await db.rows(insert(1, 'again'), { prepare: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', constraint: 'wt_prepared_pkey' });
    // The failure left nothing open: the same prepared statement works next.
    expect(await db.rows(insert(4, 'four'), { prepare: true })).toEqual([{ id: 4, note: 'four' }]);
    expect(await db.rows(sql`SELECT id, extra FROM wt_prepared ORDER BY id`)).toEqual([
      { id: 1, extra: 'x' },
      { id: 2, extra: 'x' },
      { id: 3, extra: 'x' },
      { id: 4, extra: 'x' },
    ]);
  });

  it('rejects with an Error carrying the Postgres message and code', async () => {
    const err = await db.rows(sql`SELECT * FROM no_such_table`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('relation "no_such_table" does not exist');
    expect(err).toMatchObject({ code: '42P01', severity: 'ERROR' });
    // The stack names the caller on this thread, not the worker's internals.
    expect((err as Error).stack).toContain('pglite-worker.test.ts');

    const dup = await db
      .transaction(async (tx) => {
        await tx.rows(sql`INSERT INTO wt_items VALUES (1000, 'a')`);
        await tx.rows(sql`INSERT INTO wt_items VALUES (1000, 'b')`);
      })
      .catch((e: unknown) => e);
    expect((dup as Error).message).toMatch(/duplicate key value violates unique constraint "wt_items_pkey"/);
    expect(dup).toMatchObject({ code: '23505', constraint: 'wt_items_pkey' });
    // …and the transaction rolled back: the first insert is gone, the connection usable.
    expect(await db.rows(sql`SELECT * FROM wt_items WHERE id = 1000`)).toEqual([]);
  });

  it('rolls back a transaction whose work throws, and returns what the work returns', async () => {
    const thrown = new Error('work failed');
    await expect(
      db.transaction(async (tx) => {
        await tx.rows(sql`INSERT INTO wt_items VALUES (1, 'rolled back')`);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await db.rows(sql`SELECT * FROM wt_items WHERE id = 1`)).toEqual([]);

    const value = await db.transaction(async (tx) => {
      await tx.rows(sql`INSERT INTO wt_items VALUES (2, 'kept')`);
      return (await tx.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM wt_items WHERE id = 2`))[0].n;
    });
    expect(value).toBe(1n);
    expect(await db.rows(sql`SELECT note FROM wt_items WHERE id = 2`)).toEqual([{ note: 'kept' }]);
  });

  it('makes statements from outside wait for a running transaction', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const tx = db.transaction(async (t) => {
      await t.rows(sql`INSERT INTO wt_items VALUES (10, 'first')`);
      inside();
      await held;
      await t.rows(sql`INSERT INTO wt_items VALUES (11, 'second')`);
    });
    await started;
    let outsideDone = false;
    const outside = db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM wt_items WHERE id IN (10, 11)`).then((rows) => {
      outsideDone = true;
      return rows;
    });
    await sleep(150);
    // Had it run, it would have seen the transaction's half-done state (or interleaved into it).
    expect(outsideDone).toBe(false);
    release();
    await tx;
    expect((await outside)[0].n).toBe(2n);
  });

  it('runs concurrent transactions one after another, each whole', async () => {
    const base = 100;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.rows(sql`INSERT INTO wt_items VALUES (${base + i * 2}, 'pair')`);
          await sleep(i % 3);
          await tx.rows(sql`INSERT INTO wt_items VALUES (${base + i * 2 + 1}, 'pair')`);
          // Nothing another transaction wrote is half-visible: pairs only.
          const [{ n }] = await tx.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM wt_items WHERE note = 'pair'`);
          if (n % 2n !== 0n) throw new Error(`saw ${n} rows: another transaction interleaved`);
        }),
      ),
    );
    expect((await db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM wt_items WHERE note = 'pair'`))[0].n).toBe(24n);
  });

  it('keeps a transaction whole when its statements are sent at once (BEGIN travels with the first) or its first one fails', async () => {
    const thrown = new Error('after both inserts');
    await expect(
      db.transaction(async (tx) => {
        await Promise.all([tx.rows(sql`INSERT INTO wt_items VALUES (200, 'at once')`), tx.rows(sql`INSERT INTO wt_items VALUES (201, 'at once')`)]);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(await db.rows(sql`SELECT * FROM wt_items WHERE note = 'at once'`)).toEqual([]);

    await expect(db.transaction((tx) => tx.rows(sql`INSERT INTO wt_items VALUES (202, NULL), (202, 'duplicate key')`))).rejects.toMatchObject({
      code: '23505',
    });
    // A transaction without statements sends nothing; the connection is usable and outside any transaction.
    expect(await db.transaction(async () => 'no statements')).toBe('no statements');
    await db.transaction(async (tx) => {
      await Promise.all([tx.rows(sql`INSERT INTO wt_items VALUES (203, 'at once')`), tx.rows(sql`INSERT INTO wt_items VALUES (204, 'at once')`)]);
    });
    expect(await db.rows(sql`SELECT id FROM wt_items WHERE id >= 202 AND id < 300 ORDER BY id`)).toEqual([{ id: 203 }, { id: 204 }]);
  });
});

describe('PGlite worker statistics', () => {
  it('reports the worker thread CPU time, and per statement when asked to (pgliteProfile)', async () => {
    const profiled = await createDb({ databaseUrl: '', dataDir: 'memory://', schemaName: 'public', pgliteProfile: true });
    try {
      const start = await profiled.workerStats!();
      for (let i = 0; i < 2; i++) await profiled.rows(sql`SELECT count(*) FROM generate_series(1, 300000)`);
      const after = await profiled.workerStats!();
      // The thread's own CPU (Linux /proc), not the process's: the aggregates ran there.
      expect(after.cpuUs).toBeGreaterThan(start.cpuUs);
      expect(after.statements?.['SELECT count(*) FROM generate_series(1, 300000)']?.count).toBe(2);
      expect(after.statements?.['SELECT count(*) FROM generate_series(1, 300000)']?.cpuUs).toBeGreaterThan(0);
    } finally {
      await profiled.close();
    }
  });
});

describe('PGlite worker lifecycle', () => {
  it('rejects pending and later queries with a clear error when the worker exits unexpectedly', async () => {
    const host = await PgliteHost.start({ dataDir: null, schemaName: 'public' });
    const pending = host.query('SELECT pg_sleep(5)', []);
    await sleep(100);
    await (host as unknown as { worker: Worker }).worker.terminate();
    await expect(pending).rejects.toThrow(/PGlite worker thread exited unexpectedly/);
    await expect(host.query('SELECT 1', [])).rejects.toThrow(/PGlite worker thread exited unexpectedly/);
    await host.close(); // still settles
  });

  it('close() writes the buffered attribute catalog before the worker ends', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-pgw-'));
    try {
      const first = await createDb({ databaseUrl: '', dataDir, schemaName: 'public' });
      await first.migrate();
      const spans = demoRequests(2, 7).flatMap((request) => {
        const decoded = decodeExportRequest(Buffer.from(JSON.stringify(request)), { contentType: 'application/json', maxBodyBytes: 8 << 20 });
        if (!decoded.ok) throw new Error(decoded.message);
        return decoded.spans;
      });
      expect((await storeSpans(first, spans)).inserted).toBe(spans.length);
      await first.close(); // the catalog is only buffered until now (flushed ~1 s after ingest, or here)
      await expect(first.rows(sql`SELECT 1`)).rejects.toThrow(/closed/);

      const second = await createDb({ databaseUrl: '', dataDir, schemaName: 'public' });
      try {
        const [{ n }] = await second.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM attribute_keys`);
        expect(n).toBeGreaterThan(0n);
        const [{ stored }] = await second.rows<{ stored: bigint }>(sql`SELECT count(*) AS stored FROM spans`);
        expect(stored).toBe(BigInt(spans.length));
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('TRACEDECK_PGLITE_WORKER=0 keeps PGlite on the calling thread (which a long query then blocks)', async () => {
    const { pgliteWorker } = loadConfig({ TRACEDECK_PGLITE_WORKER: '0' }).database;
    const db: Db = await createDb({ databaseUrl: '', dataDir: 'memory://', schemaName: 'public', pgliteWorker });
    try {
      const { maxGapMs, rows } = await tickGapDuring(db, LONG_QUERY);
      expect(rows[0].n).toBe(1000000n);
      // The contrast that shows the first test measures the right thing.
      expect(maxGapMs).toBeGreaterThan(1000);
    } finally {
      await db.close();
    }
  });
});
