/**
 * Upgrading a database that holds storage v1 data (migrations 0000–0005: plain `spans`
 * and `traces` tables, summaries written by ingest) to storage v2 (trace deltas, daily
 * partitions). The v1 rows are written as v1 ingest wrote them; after the upgrade every
 * read gives them back, and new spans of an old trace merge into its summary.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { getTraceForExport, getTraceView, matchSpans } from '../../db/queries/get-trace';
import { listTraces } from '../../db/queries/list-traces';
import { compileSpanFilter, compileTraceFilter } from '../../lib/where/sql-compiler';
import { parseWhere } from '../../lib/where';
import { describeEachDatabase } from '../support/databases';
import { type UpgradedDatabase, migrationsWhere, openUpgradedDatabase } from '../support/upgrade';
import type { AttributeMap, SpanEvent, SpanLink } from '../../lib/otlp/span-record';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const DAY_NS = 86_400_000_000_000n;

function spanFilter(where: string) {
  const compiled = compileSpanFilter(parseWhere(where).ast!);
  if (!compiled.ok) throw new Error(compiled.error.message);
  return compiled.sql;
}
const TRACE = 'a1'.repeat(16);
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

/** Values of every type as v1 stored them (canonical OTLP/JSON through JSON.stringify). */
const TYPED: AttributeMap = {
  big: { intValue: '9007199254740993' },
  odd: { intValue: '007' },
  whole: { doubleValue: 2 },
  ratio: { doubleValue: 0.125 },
  nan: { doubleValue: 'NaN' },
  inf: { doubleValue: '-Infinity' },
  ok: { boolValue: false },
  raw: { bytesValue: 'AAEC/w==' },
  none: {},
  list: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '-9223372036854775808' }, { arrayValue: { values: [] } }] } },
  kv: {
    kvlistValue: {
      values: [
        { key: 'z', value: { doubleValue: 1e300 } },
        { key: 'z', value: { stringValue: 'dup' } },
      ],
    },
  },
};
const EVENTS: SpanEvent[] = [
  { timeUnixNano: String(NOW_NS - 2n * DAY_NS + 5n), name: 'bare', attributes: {} },
  {
    timeUnixNano: String(NOW_NS - 2n * DAY_NS + 6n),
    name: 'exception',
    attributes: { 'exception.message': { stringValue: 'boom' } },
    droppedAttributesCount: 1,
  },
];
const LINKS: SpanLink[] = [
  { traceId: 'b2'.repeat(16), spanId: 'c3'.repeat(8), traceState: 'k=v', attributes: {} },
  { traceId: 'b2'.repeat(16), spanId: 'c4'.repeat(8), attributes: TYPED, droppedAttributesCount: 2 },
];
const RESOURCE: AttributeMap = { 'service.name': { stringValue: 'svc' }, 'host.cpus': { intValue: '8' } };
const spanAttributes = (user: string): AttributeMap => ({
  'tenant.id': { stringValue: 'acme' },
  'user.id': { stringValue: user },
  'llm.usage.total_tokens': { intValue: '7' },
  ...TYPED,
});

/** Two spans of one trace and its summary, as v1 ingest stored them (verbose OTLP/JSON maps). */
async function writeV1Data(db: Db): Promise<void> {
  const start = NOW_NS - 2n * DAY_NS;
  const attrs = (user: string) => JSON.stringify(spanAttributes(user));
  for (const [spanId, parent, offset, user] of [
    ['00000000000000a1', null, 0n, 'usr_v1'],
    ['00000000000000a2', '00000000000000a1', 1_000_000n, 'usr_v1b'],
  ] as const) {
    await db.rows(sql`
      INSERT INTO spans (tenant_id, trace_id, span_id, parent_span_id, name, kind, service, status_code, start_ns, end_ns, duration_ns,
        user_id, total_tokens, attributes, resource_attributes, events, links, flags)
      VALUES ('acme', ${TRACE}, ${spanId}, ${parent}, ${parent ? 'child' : 'root'}, 2, 'svc', 0, ${String(start + offset)}::bigint,
        ${String(start + 9_000_000n)}::bigint, ${String(9_000_000n - offset)}::bigint, ${user}, 7, ${attrs(user)}::jsonb,
        ${JSON.stringify(RESOURCE)}::jsonb, ${JSON.stringify(parent ? [] : EVENTS)}::jsonb, ${JSON.stringify(parent ? [] : LINKS)}::jsonb, 0)`);
  }
  await db.rows(sql`
    INSERT INTO traces (tenant_id, trace_id, start_ns, end_ns, duration_ns, root_name, root_service, span_count, error_count, user_id, total_tokens, attribute_set)
    VALUES ('acme', ${TRACE}, ${String(start)}::bigint, ${String(start + 9_000_000n)}::bigint, 9000000, 'root', 'svc', 2, 0, 'usr_v1', 14,
      '{"user.id": [{"s": "usr_v1"}, {"s": "usr_v1b"}], "tenant.id": [{"s": "acme"}], "llm.usage.total_tokens": [{"s": "7", "n": 7}], "service.name": [{"s": "svc"}]}'::jsonb)`);
}

describeEachDatabase('upgrade from storage v1', (kind) => {
  let db: Db;
  let upgraded: UpgradedDatabase | undefined;

  beforeAll(async () => {
    // v1: the first six migrations (up to the list order index).
    upgraded = await openUpgradedDatabase(
      kind,
      migrationsWhere((e) => e.idx <= 5),
      writeV1Data,
    );
    db = upgraded.db;
  });
  afterAll(() => upgraded?.dispose());

  it('the v1 rows now sit in daily partitions', async () => {
    const rows = await db.rows<{ parent: string; n: bigint }>(sql`
      SELECT i.inhparent::regclass::text AS parent, count(*) AS n FROM pg_inherits i
      WHERE i.inhparent IN (to_regclass('spans'), to_regclass('traces')) GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => r.parent)).toEqual(['spans', 'traces']);
    const [{ n }] = await db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM spans`);
    expect(Number(n)).toBe(2);
  });

  it('lists, filters and shows the v1 trace as before', async () => {
    const compiled = compileTraceFilter(parseWhere('user.id=usr_v1b').ast!);
    if (!compiled.ok) throw new Error(compiled.error.message);
    const listed = await listTraces(db, { filter: compiled.sql, range: { fromNs: NOW_NS - 7n * DAY_NS } });
    expect(listed.traces.map((t) => [t.traceId, t.spanCount, t.tenantId])).toEqual([[TRACE, 2, 'acme']]);
    const view = await getTraceView(db, { traceId: TRACE });
    if (view.status !== 'found') throw new Error(view.status);
    expect(view.spans.map((s) => [s.spanId, s.attributes['user.id']])).toEqual([
      ['00000000000000a1', { stringValue: 'usr_v1' }],
      ['00000000000000a2', { stringValue: 'usr_v1b' }],
    ]);
    const exported = await getTraceForExport(db, { traceId: TRACE });
    expect(exported.status === 'found' && exported.spans.length).toBe(2);
  });

  it('the v1 spans read back identically: every value type, events, links, resource (stored compact now)', async () => {
    const view = await getTraceView(db, { traceId: TRACE });
    if (view.status !== 'found') throw new Error(view.status);
    expect(view.spans.map((s) => ({ attributes: s.attributes, resource: s.resourceAttributes, events: s.events, links: s.links }))).toStrictEqual([
      { attributes: spanAttributes('usr_v1'), resource: RESOURCE, events: EVENTS, links: LINKS },
      { attributes: spanAttributes('usr_v1b'), resource: RESOURCE, events: [], links: [] },
    ]);
    const [stored] = await db.rows<{ big: unknown; user: unknown }>(
      sql`SELECT attributes -> 'big' AS big, attributes -> 'user.id' AS "user" FROM spans WHERE span_id = '00000000000000a1'`,
    );
    expect(stored).toEqual({ big: { i: '9007199254740993' }, user: 'usr_v1' });
    // Both spans share one resource, now stored once.
    const resources = await db.rows<{ tenant_id: string; attributes: unknown }>(sql`SELECT tenant_id, attributes FROM resources`);
    expect(resources).toEqual([{ tenant_id: 'acme', attributes: { 'service.name': 'svc', 'host.cpus': 8 } }]);
    // Span-level filters read the compact form.
    const matched = await matchSpans(db, { traceId: TRACE, filter: spanFilter('big=9007199254740993 AND whole=2 AND host.cpus>7 AND ok=false') });
    expect(matched).toEqual(['00000000000000a1', '00000000000000a2']);
  });

  it('the v1 trace has its numeric bounds (made from its attribute set by the upgrade), and `>` / `<` read them', async () => {
    const [row] = await db.rows<{ mx: number | null; mn: number | null; status: number | null }>(
      sql`SELECT total_tokens_max AS mx, total_tokens_min AS mn, http_status_max AS status FROM traces WHERE trace_id = ${TRACE}`,
    );
    expect([Number(row.mx), Number(row.mn), row.status]).toEqual([7, 7, null]);
    const matches = async (where: string) => {
      const compiled = compileTraceFilter(parseWhere(where).ast!);
      if (!compiled.ok) throw new Error(compiled.error.message);
      return (await listTraces(db, { filter: compiled.sql, range: { fromNs: NOW_NS - 7n * DAY_NS } })).traces.length;
    };
    expect([await matches('llm.usage.total_tokens>=7'), await matches('llm.usage.total_tokens>7'), await matches('NOT http.status_code>0')]).toEqual([1, 0, 1]);
  });

  it('a new span of the v1 trace merges into its summary', async () => {
    const start = NOW_NS - 2n * DAY_NS;
    await storeRecords(db, [
      spanRecord({
        traceId: TRACE,
        spanId: '00000000000000a3',
        parentSpanId: '00000000000000a1',
        startTimeUnixNano: start + 2_000_000n,
        endTimeUnixNano: start + 3_000_000n,
        attributes: { 'tenant.id': { stringValue: 'acme' }, 'llm.usage.total_tokens': { intValue: '7' } },
      }),
    ]);
    const rows = await db.rows<{ span_count: number; total_tokens: bigint }>(sql`SELECT span_count, total_tokens FROM traces WHERE trace_id = ${TRACE}`);
    expect(rows.map((r) => [r.span_count, Number(r.total_tokens)])).toEqual([[3, 21]]);
  });
});
