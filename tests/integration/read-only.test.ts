/**
 * A database that refuses writes (issue #13): the server's connection is made read-only with
 * `SET default_transaction_read_only = on`, so every write fails with SQLSTATE 25006 as on
 * a hot standby or a server put in read-only mode, while reads keep working.
 *
 * - ingest answers 503 + Retry-After (OTLP/HTTP) and UNAVAILABLE (gRPC), which exporters
 *   retry; the client sees a request id, the server log the driver's text;
 * - nothing of the refused batch is stored;
 * - once writes are allowed again, the re-sent batch (HTTP, then the same over gRPC) is
 *   stored exactly once.
 *
 * Only the server's own session is made read-only, never the shared `test` database other
 * suites use: on Postgres the server gets a dedicated one-connection client, so the session
 * setting covers all its work. PGlite has a single session, so there the same SET is the whole
 * database; it has no server-wide switch (ALTER SYSTEM, a standby) to test beyond that. A whole
 * Postgres server turned read-only under a live pool is in tests/integration/faults.test.ts.
 */
import { type ServiceError, status } from '@grpc/grpc-js';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { type Db, createDb } from '../../db/client';
import { summarizeNow } from '../../db/summarizer';
import { useDb } from '../../server/db';
import { type GrpcListener, startGrpcListener } from '../../server/grpc/server';
import { TEST_DATABASE_URL, type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { freshBatch } from '../support/fresh-batch';
import { rawExport } from '../support/grpc-client';
import { startRouteServer } from '../support/route-server';

const REFUSED = /^storage unavailable, retry later \(request ([0-9a-f]{6})\)$/;

describeEachDatabase('a database that refuses writes', (kind) => {
  let database: TestDatabase;
  /** The server's database: one session, made read-only and writable again by the test. */
  let writer: Db;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let listener: GrpcListener;
  let logged: string[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    writer = kind === 'postgres' ? await createDb({ databaseUrl: TEST_DATABASE_URL, schemaName: database.schemaName, maxConnections: 1 }) : database.db;
    useDb(writer);
    server = await startRouteServer();
    listener = await startGrpcListener({ host: '127.0.0.1', port: 0, getDb: async () => writer });
  });
  afterAll(async () => {
    await listener?.close();
    await server?.close();
    if (writer && writer !== database?.db) await writer.close();
    await database?.dispose();
  });
  afterEach(() => vi.restoreAllMocks());

  const setReadOnly = async (on: boolean) => {
    await writer.rows(on ? sql`SET default_transaction_read_only = on` : sql`SET default_transaction_read_only = off`);
    const [row] = await writer.rows<{ default_transaction_read_only: string }>(sql`SHOW default_transaction_read_only`);
    expect(row.default_transaction_read_only).toBe(on ? 'on' : 'off');
  };
  const post = (body: string) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const storedCounts = (traceId: string) =>
    database.db.rows<{ span_id: string; n: bigint }>(sql`SELECT span_id, count(*) AS n FROM spans WHERE trace_id = ${traceId} GROUP BY span_id`);
  const captureLog = () => {
    logged = [];
    vi.spyOn(console, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
  };

  it('OTLP/HTTP: 503 + Retry-After with a request id while read-only; the re-sent batch is stored once when writable again', async () => {
    const batch = freshBatch(6, 'read-only-http', 'read-only-test');
    captureLog();
    await setReadOnly(true);
    try {
      const refused = await post(batch.json);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      const status = (await refused.json()) as { code: number; message: string };
      expect(status.code).toBe(14); // google.rpc.Code UNAVAILABLE
      const id = REFUSED.exec(status.message)?.[1];
      expect(id, status.message).toBeDefined();
      // The driver's text is in the server log only, under the id the client was given.
      const lines = logged.filter((line) => line.includes(`(req ${id})`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^\\[tracedeck\\] OTLP/HTTP ingest write failed \\(req ${id}\\): cannot execute [A-Z ]+ in a read-only transaction$`),
      );
      expect(await storedCounts(batch.traceId)).toEqual([]);
      // Reads keep working meanwhile.
      expect((await fetch(`${server.url}/api/traces?limit=5`)).status).toBe(200);
    } finally {
      await setReadOnly(false);
    }

    expect((await post(batch.json)).status).toBe(200);
    expect((await post(batch.json)).status).toBe(200);
    const rows = await storedCounts(batch.traceId);
    expect(new Set(rows.map((r) => r.span_id))).toEqual(new Set(batch.spanIds));
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    // Trace summaries are merged from the appended deltas off the request path.
    await summarizeNow(writer);
    const [summary] = await database.db.rows<{ span_count: number }>(sql`SELECT span_count FROM traces WHERE trace_id = ${batch.traceId}`);
    expect(Number(summary.span_count)).toBe(6);
  });

  it('OTLP/gRPC: UNAVAILABLE with a request id while read-only; the re-sent batch is stored once when writable again', async () => {
    const batch = freshBatch(4, 'read-only-grpc', 'read-only-test');
    const address = `127.0.0.1:${listener.port}`;
    captureLog();
    await setReadOnly(true);
    try {
      const err = (await rawExport(address, Buffer.from(batch.protobuf)).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.details).toMatch(REFUSED);
      expect(await storedCounts(batch.traceId)).toEqual([]);
    } finally {
      await setReadOnly(false);
    }
    await rawExport(address, Buffer.from(batch.protobuf));
    await rawExport(address, Buffer.from(batch.protobuf));
    const rows = await storedCounts(batch.traceId);
    expect(rows.map((r) => Number(r.n))).toEqual([1, 1, 1, 1]);
    expect(new Set(rows.map((r) => r.span_id))).toEqual(new Set(batch.spanIds));
  });
});
