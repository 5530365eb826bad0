/**
 * Ingest grouped by tenant (db/ingest.ts StoreOptions.groupByTenant, for Citus): the same
 * batches — mixed tenants, tenant-less spans that inherit a sibling's tenant, that join the
 * tenant their trace already has in `traces`, that the summarizer adopts later (or not, for a
 * tenant-scoped key), retries and late spans — go into two databases, one with the switch off
 * and one with it on. What must hold:
 * - both store exactly the same: every span, summary and resource row, the list, every trace
 *   page, and the chart counts;
 * - with the switch on, every statement the request path sends writes rows of one tenant
 *   only, in one transaction per batch. Statement-level triggers with transition tables on
 *   `spans`, `resources` and `trace_deltas` log what each statement inserted, so this is
 *   Postgres's own account. With the switch off, a mixed batch's statement holds several
 *   tenants (the check can fail).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type StoreOptions, storeSpans } from '../../db/ingest';
import { getTraceView } from '../../db/queries/get-trace';
import { listTraces } from '../../db/queries/list-traces';
import { drainRollups } from '../../db/rollups';
import { stopSummarizer, summarizeNow } from '../../db/summarizer';
import { enrichSpan } from '../../lib/enrich/enrich';
import type { AttributeMap, SpanRecord } from '../../lib/otlp/span-record';
import { resetConfigForTests } from '../../server/config';
import { processPromotionOptions } from '../../server/ingest/deps';
import { parseMetricsParams } from '../../server/metrics/params';
import { queryMetrics } from '../../server/metrics/request';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { spanRecord } from '../support/span-record';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const NOW_NS = BigInt(Date.now() - 3_600_000) * 1_000_000n;
const MS = 1_000_000n;
const TENANTS = ['acme', 'globex', 'initech'];

/** A span of trace `trace` (numbered), `k`-th of it (0: the root), with a tenant or none. */
function span(trace: number, k: number, tenant: string | null, extra: AttributeMap = {}, startOffsetMs = 0): SpanRecord {
  const start = NOW_NS + BigInt(trace) * 1000n * MS + BigInt(k + startOffsetMs) * MS;
  const attributes: AttributeMap = {
    'llm.model': { stringValue: `model-${trace % 2}` },
    'llm.usage.total_tokens': { intValue: String(10 * (k + 1)) },
    ...extra,
  };
  if (tenant !== null) attributes['tenant.id'] = { stringValue: tenant };
  return spanRecord({
    traceId: hex(0xc17005 * 1000 + trace, 32),
    spanId: hex(trace * 100 + k + 1, 16),
    parentSpanId: k === 0 ? null : hex(trace * 100 + 1, 16),
    name: k === 0 ? 'POST /v1/chat/completions' : `llm ${k}`,
    service: k === 0 ? 'gateway' : 'llm',
    statusCode: k === 2 ? 2 : 0,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 50n * MS,
    attributes,
    // One resource per (service, tenant): resources are stored per tenant.
    resourceAttributes: { 'service.name': { stringValue: k === 0 ? 'gateway' : 'llm' }, 'host.name': { stringValue: `host-${tenant ?? 'none'}` } },
  });
}

type Step = { spans: SpanRecord[]; options?: StoreOptions; tenants: number };
const tenantOf = (trace: number) => TENANTS[trace % 3];

/** The batches, in order; `tenants`: how many tenants the grouped path writes for it. */
function workload(): Step[] {
  // 1: traces 0-8 of three tenants (root and two children); 20, 21 tenant-less (no span names a
  //    tenant yet); 22 a tenant-less child whose root in the same batch names the tenant.
  const first = [
    ...Array.from({ length: 9 }, (_, t) => [span(t, 0, tenantOf(t)), span(t, 1, tenantOf(t)), span(t, 2, tenantOf(t))]).flat(),
    span(20, 1, null),
    span(20, 2, null),
    span(21, 1, null),
    span(22, 0, 'globex'),
    span(22, 1, null),
  ];
  // 2: tenant-less children of summarized traces 0-5 (they join their trace's tenant), new
  //    traces 10-12, and trace 20's root naming acme (the summarizer adopts 20's spans).
  const second = [
    ...Array.from({ length: 6 }, (_, t) => span(t, 3, null)),
    ...[10, 11, 12].flatMap((t) => [span(t, 0, tenantOf(t)), span(t, 1, tenantOf(t))]),
    span(20, 0, 'acme'),
  ];
  // 3: a tenant-scoped key's batch naming trace 21's tenant: it must not adopt 21's spans.
  const scoped = [span(21, 0, 'initech'), span(13, 0, 'initech')];
  // 4: late spans that move a trace's start earlier, and a span with a new attribute.
  const late = [span(1, 4, tenantOf(1), {}, -500), span(2, 4, tenantOf(2), { 'user.id': { stringValue: 'usr_late' } }, -700), span(12, 2, null)];
  return [
    { spans: first, tenants: 4 },
    { spans: second, tenants: 3 },
    { spans: second, tenants: 3 }, // an exporter's retry: nothing new
    { spans: scoped, options: { adoptOrphans: false }, tenants: 1 },
    { spans: late, tenants: 3 },
  ];
}

type LogRow = { tbl: string; tenants: number; n: number; xid: string };

/** Statement-level triggers logging, per INSERT statement, the distinct tenants of its rows. */
async function installStatementLog(db: TestDatabase['db']): Promise<void> {
  await db.rows(sql`CREATE TABLE insert_log (tbl text, tenants integer, n integer, xid text)`);
  await db.rows(
    sql.raw(`CREATE FUNCTION log_insert_tenants() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO insert_log SELECT TG_TABLE_NAME, count(DISTINCT tenant_id), count(*), pg_current_xact_id()::text FROM new_rows;
      RETURN NULL; END $$`),
  );
  for (const table of ['spans', 'resources', 'trace_deltas'])
    await db.rows(
      sql.raw(
        `CREATE TRIGGER ${table}_insert_log AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_insert_tenants()`,
      ),
    );
}

/** Stores one batch as the receive path does and returns what its statements inserted (the summarizer has not run). */
async function storeLogged(db: TestDatabase['db'], step: Step, groupByTenant: boolean) {
  await db.rows(sql`DELETE FROM insert_log`);
  const promotion = processPromotionOptions();
  const result = await storeSpans(
    db,
    step.spans.map((s) => enrichSpan(s, promotion)),
    { ...step.options, groupByTenant },
  );
  // The pass noteAppended scheduled must not write into the log: this test runs it below.
  stopSummarizer(db);
  const log = await db.rows<LogRow>(sql`SELECT tbl, tenants, n, xid FROM insert_log`);
  await summarizeNow(db);
  return { result, log: log.map((r) => ({ ...r, tenants: Number(r.tenants), n: Number(r.n) })) };
}

/** Every read, for comparing the two databases. */
async function everyRead(db: TestDatabase['db']) {
  await summarizeNow(db);
  await drainRollups(db);
  const table = (query: string) => db.rows<{ row: unknown }>(sql.raw(`SELECT to_jsonb(x) AS row FROM (${query}) x`)).then((rows) => rows.map((r) => r.row));
  const list = await listTraces(db, { limit: 100 });
  const traceIds = [...new Set(list.traces.map((t) => t.traceId))].sort();
  const pages = [];
  for (const traceId of traceIds) pages.push(await getTraceView(db, { traceId }));
  resetConfigForTests();
  const ctx = { tenantKey: 'tenant.id', tenantScope: null };
  const counts = await queryMetrics(
    db,
    parseMetricsParams(
      new URLSearchParams([
        ['since', '1d'],
        ['group_by', 'tenant.id'],
        ['metrics', 'requests,errors,tokens'],
        ['series', 'false'],
      ]),
      ctx,
    ),
    ctx,
  );
  return {
    spans: await table('SELECT * FROM spans ORDER BY tenant_id, trace_id, span_id'),
    traces: await table('SELECT * FROM traces ORDER BY tenant_id, trace_id'),
    resources: await table('SELECT * FROM resources ORDER BY tenant_id, id'),
    deltasLeft: await table('SELECT * FROM trace_deltas'),
    list,
    pages,
    counts: { totals: counts.totals, groups: counts.groups },
  };
}

describeEachDatabase('ingest grouped by tenant', (kind) => {
  let off: TestDatabase;
  let on: TestDatabase;
  const steps = workload();
  const logs: { off: LogRow[][]; on: LogRow[][] } = { off: [], on: [] };

  beforeAll(async () => {
    [off, on] = await Promise.all([openTestDatabase(kind), openTestDatabase(kind)]);
    for (const database of [off, on]) await installStatementLog(database.db);
    for (const step of steps) {
      const a = await storeLogged(off.db, step, false);
      const b = await storeLogged(on.db, step, true);
      expect(b.result).toEqual(a.result);
      logs.off.push(a.log);
      logs.on.push(b.log);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([off?.dispose(), on?.dispose()]);
  });

  it('stores exactly what the one-statement path stores, in every read', async () => {
    const [a, b] = [await everyRead(off.db), await everyRead(on.db)];
    expect(b).toEqual(a);
    // The workload did what it says: tenant-less spans joined, adopted, and one kept out of a scoped key's tenant.
    const tenantsOf = (id: number) =>
      a.spans.filter((s) => (s as { trace_id: string }).trace_id === hex(0xc17005 * 1000 + id, 32)).map((s) => (s as { tenant_id: string }).tenant_id);
    expect(tenantsOf(0)).toEqual(['acme', 'acme', 'acme', 'acme']);
    expect(tenantsOf(20)).toEqual(['acme', 'acme', 'acme']);
    expect(tenantsOf(21).sort()).toEqual(['', 'initech']);
    expect(tenantsOf(22)).toEqual(['globex', 'globex']);
    expect(a.deltasLeft).toEqual([]);
    expect(a.list.traces.length).toBeGreaterThan(15);
    expect(a.counts.groups.map((g) => g.label).sort()).toEqual(expect.arrayContaining(TENANTS));
  });

  it('sends one statement per tenant, each writing rows of that tenant only, in one transaction', () => {
    steps.forEach((step, i) => {
      const log = logs.on[i];
      for (const row of log) expect(row.tenants, `batch ${i}: ${row.tbl}`).toBeLessThanOrEqual(1);
      expect(
        log.filter((r) => r.tbl === 'spans'),
        `batch ${i}`,
      ).toHaveLength(step.tenants);
      expect(
        log.filter((r) => r.tbl === 'trace_deltas'),
        `batch ${i}`,
      ).toHaveLength(step.tenants);
      expect(new Set(log.map((r) => r.xid)).size, `batch ${i}`).toBe(1);
    });
    // The retry stored nothing; the others stored rows.
    expect(logs.on[2].reduce((n, r) => n + r.n, 0)).toBe(0);
    // Without the switch a mixed batch is one statement holding several tenants.
    expect(logs.off[0].filter((r) => r.tbl === 'spans')).toEqual([expect.objectContaining({ tenants: 4 })]);
  });

  it("'auto' leaves the switch off on a database without the citus extension", async () => {
    const batch = [30, 31, 32].flatMap((t) => [span(t, 0, tenantOf(t)), span(t, 1, tenantOf(t))]);
    const promotion = processPromotionOptions();
    await on.db.rows(sql`DELETE FROM insert_log`);
    await storeSpans(
      on.db,
      batch.map((s) => enrichSpan(s, promotion)),
      { groupByTenant: 'auto' },
    );
    stopSummarizer(on.db);
    const spansStatements = await on.db.rows<{ tenants: number }>(sql`SELECT tenants FROM insert_log WHERE tbl = 'spans'`);
    expect(spansStatements.map((r) => Number(r.tenants))).toEqual([3]);
  });
});
