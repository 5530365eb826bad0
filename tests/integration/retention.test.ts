/**
 * Daily partitions and retention (issue #13 item 5): spans and traces live in one
 * partition per UTC day; maintenance drops whole days past TRACEDECK_RETENTION, and
 * ingest rejects (partial_success) spans already older than it.
 *
 * Data at 40 days and at 1 day old goes in below the receive path (storeRecords, which
 * does not apply the retention), then one maintenance pass with a 30-day retention:
 * the old is gone from every read path, the new is whole.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMaintenance } from '../../db/maintenance';
import { useDb } from '../../server/db';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const DAY_MS = 86_400_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A trace of 3 spans (tenant `acme`, user `usr_<label>`) starting `daysAgo` days ago. */
function trace(id: number, daysAgo: number, label: string) {
  const start = BigInt(Date.now() - daysAgo * DAY_MS) * 1_000_000n;
  return [0, 1, 2].map((k) =>
    spanRecord({
      traceId: hex(id, 32),
      spanId: hex(id * 10 + k + 1, 16),
      parentSpanId: k === 0 ? null : hex(id * 10 + 1, 16),
      startTimeUnixNano: start + BigInt(k) * 1_000_000n,
      endTimeUnixNano: start + 50_000_000n,
      attributes: { 'tenant.id': { stringValue: 'acme' }, 'user.id': { stringValue: `usr_${label}` }, 'llm.model': { stringValue: `model-${label}` } },
    }),
  );
}

type ListBody = { traces: { traceId: string; spanCount: number }[] };

describeEachDatabase('daily partitions and retention', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const [OLD, NEW] = [1, 2];

  const partitions = async () =>
    (
      await database.db.rows<{ name: string }>(sql`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass('spans') ORDER BY 1`)
    ).map((r) => r.name);
  const list = async () => ((await (await fetch(`${server.url}/api/traces?since=60d&limit=100`)).json()) as ListBody).traces;
  const userValues = async () =>
    ((await (await fetch(`${server.url}/api/attributes/user.id/values?limit=100`)).json()) as { values: { value: string }[] }).values.map((v) => v.value);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    await storeRecords(database.db, [...trace(OLD, 40, 'old'), ...trace(NEW, 1, 'new')]);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it('spans land in the partition of their day, made on demand', async () => {
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    expect(await partitions()).toEqual(expect.arrayContaining([`spans_p${day(40)}`, `spans_p${day(1)}`]));
    const [row] = await database.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM ${sql.raw(`spans_p${day(40)}`)}`);
    expect(Number(row.n)).toBe(3);
    expect((await list()).map((t) => t.traceId).sort()).toEqual([hex(OLD, 32), hex(NEW, 32)]);
  });

  it('with retention off, maintenance makes partitions ahead and drops nothing', async () => {
    const before = await partitions();
    const result = await runMaintenance(database.db, { retentionMs: null });
    expect(result).toMatchObject({ busy: false, dropped: [] });
    const after = await partitions();
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    const tomorrow = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    expect(after).toContain(`spans_p${tomorrow}`);
  });

  it('a 30-day retention drops the 40-day-old partitions whole; every read path loses the old trace, the new one stays whole', async () => {
    expect(await userValues()).toEqual(expect.arrayContaining(['usr_old', 'usr_new']));
    const result = await runMaintenance(database.db, { retentionMs: 30 * DAY_MS });
    expect(result.dropped.some((name) => name.startsWith('spans_p'))).toBe(true);
    expect(result.dropped.some((name) => name.startsWith('traces_p'))).toBe(true);

    expect((await list()).map((t) => [t.traceId, t.spanCount])).toEqual([[hex(NEW, 32), 3]]);
    expect((await fetch(`${server.url}/api/traces/${hex(OLD, 32)}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/traces/${hex(OLD, 32)}/otlp`)).status).toBe(404);
    const page = (await (await fetch(`${server.url}/api/traces/${hex(NEW, 32)}`)).json()) as { spans: unknown[] };
    expect(page.spans).toHaveLength(3);
    const metrics = (await (await fetch(`${server.url}/api/metrics?since=60d&metrics=requests&groupBy=llm.model`)).json()) as {
      totals: { requests: number };
      groups?: { key: string }[];
    };
    expect(metrics.totals.requests).toBe(1);
    expect(await userValues()).toEqual(['usr_new']);
    const [{ n }] = await database.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM spans`);
    expect(Number(n)).toBe(3);
  });

  it('ingest names spans older than the retention (default 30d) in partial_success and stores the rest', async () => {
    const now = Date.now();
    const span = (id: number, ageMs: number) => ({
      traceId: hex(7, 32),
      spanId: hex(id, 16),
      name: 'op',
      startTimeUnixNano: String(BigInt(now - ageMs) * 1_000_000n),
      endTimeUnixNano: String(BigInt(now - ageMs + 5) * 1_000_000n),
    });
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span(1, 40 * DAY_MS), span(2, DAY_MS)] }] }] });
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { partialSuccess?: { rejectedSpans: string | number; errorMessage: string } };
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toMatch(/^1 span rejected: span 0: start_time_unix_nano \(\d+\) is older than the retention allows/);
    const stored = await database.db.rows<{ span_id: string }>(sql`SELECT span_id FROM spans WHERE trace_id = ${hex(7, 32)}`);
    expect(stored.map((r) => r.span_id)).toEqual([hex(2, 16)]);
  });
});
