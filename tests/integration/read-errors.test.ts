/**
 * Reads when the database fails (#12, item 7): the API answers without driver or SQL
 * text, logging the error under a request id it returns; a database that cannot be
 * reached gives 503 + Retry-After (clients retry, as exporters do for ingest), quickly.
 *
 * The outage is a Postgres URL on a port nothing listens on: every connection attempt
 * is refused, the same first failure a stopped server gives (tests/integration/faults.test.ts
 * stops a real cluster for ingest).
 */
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Db, createDb } from '../../db/client';
import { useDb } from '../../server/db';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
/** Reads that each go to the database. */
const READS = ['/api/traces', `/api/traces/${TRACE_ID}`, `/api/traces/${TRACE_ID.slice(0, 8)}`, `/api/traces/${TRACE_ID}/otlp`, '/api/attributes'];
/** A refused connect must not wait for connect_timeout (5 s) or the pool's backoff. */
const FAST_MS = 4_000;

/** A local port with nothing listening on it (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type ErrorBody = { error: string; requestId: string };

async function get(url: string) {
  const started = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text, body: JSON.parse(text) as ErrorBody, ms: performance.now() - started };
}

/** The logged error for a request id: what the server keeps while the client sees only the id. */
function loggedError(log: { mock: { calls: unknown[][] } }, requestId: string): unknown {
  const call = log.mock.calls.find((args) => String(args[0]).includes(requestId));
  return call?.[1];
}

describe('reads while the database refuses connections', () => {
  let port: number;
  let db: Db;
  let server: Awaited<ReturnType<typeof startRouteServer>>;

  beforeAll(async () => {
    port = await closedPort();
    db = await createDb({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/tracedeck`, maxConnections: 2 });
    useDb(db);
    server = await startRouteServer();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close().catch(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(READS)('GET %s answers 503 + Retry-After with a request id and no driver text', async (path) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await get(`${server.url}${path}`);
    expect(res.status).toBe(503);
    expect(res.retryAfter).toBe('5');
    expect(res.body.requestId).toMatch(/^[0-9a-f]{8}$/);
    expect(res.body).toStrictEqual({ error: `database unavailable, retry later (request ${res.body.requestId})`, requestId: res.body.requestId });
    for (const leak of ['ECONNREFUSED', 'connect', String(port), '127.0.0.1', 'select', 'postgres']) expect(res.text).not.toContain(leak);
    expect(res.ms).toBeLessThan(FAST_MS);
    // The server log has the driver's error under that id.
    expect(loggedError(log, res.body.requestId)).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describeEachDatabase('reads failing on a statement', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    // Every read sends a statement the database rejects (an unknown column): a real driver
    // error whose text names SQL, and not an outage.
    const db = database.db;
    useDb({ ...db, rows: () => db.rows(sql`SELECT no_such_column FROM (SELECT 1) AS t`) });
    server = await startRouteServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });
  afterEach(() => vi.restoreAllMocks());

  it('GET /api/traces answers 500 with a request id and none of the error text', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await get(`${server.url}/api/traces`);
    expect(res.status).toBe(500);
    expect(res.retryAfter).toBeNull();
    expect(res.body).toStrictEqual({ error: `internal error (request ${res.body.requestId})`, requestId: res.body.requestId });
    const logged = loggedError(log, res.body.requestId) as Error;
    expect(logged.message).toContain('no_such_column');
    expect(res.text).not.toContain('no_such_column');
  });
});
