/**
 * `where` at trace level reads traces.attribute_set instead of the spans. For every
 * single-leaf filter the two must agree: the traces the set matches are exactly the
 * (tenant, trace) pairs that have a span matching the span-level filter. Checked over
 * typed values (ints, doubles, bools, numeric strings, arrays, empty values), resource
 * attributes shadowed by span ones, traces spread over several batches, retries, and
 * spans adopted into their tenant after the fact.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../lib/otlp/span-record';
import { compileSpanFilter, compileTraceFilter } from '../../lib/where/sql-compiler';
import { parseWhere } from '../../lib/where';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function span(trace: number, id: number, attributes: AttributeMap, resource: AttributeMap = {}, status = 0): SpanRecord {
  const startNs = 1_700_000_000_000_000_000n + BigInt(trace * 1000 + id);
  return spanRecord({
    traceId: hex(trace, 32),
    spanId: hex(id, 16),
    parentSpanId: id % 3 === 1 ? null : hex(id - 1, 16),
    name: `op-${id % 4}`,
    service: id % 2 ? 'plano(llm)' : 'plano(inbound)',
    statusCode: status,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + BigInt(id * 1_000_000),
    attributes,
    resourceAttributes: resource,
  });
}

const str = (v: string): OtlpAnyValue => ({ stringValue: v });
const int = (v: number): OtlpAnyValue => ({ intValue: String(v) });
const dbl = (v: number): OtlpAnyValue => ({ doubleValue: v });

/** Deterministic mix of typed values over 60 traces of 2–5 spans. */
function workload(): SpanRecord[][] {
  const batches: SpanRecord[][] = [[], [], []];
  let id = 1;
  for (let trace = 1; trace <= 60; trace++) {
    const spans = 2 + (trace % 4);
    for (let k = 0; k < spans; k++) {
      const attrs: AttributeMap = {};
      if (k === 0 && trace % 7 !== 0) attrs['tenant.id'] = str(`t${trace % 3}`);
      if (k === 0) attrs['user.id'] = str(`usr_${trace % 5}`);
      // Strings on some traces (as Plano sends them), ints on others; one span in each trace.
      if (k === spans - 1) attrs['http.status_code'] = trace % 4 === 0 ? str(String(200 + (((trace + k) * 151) % 400))) : int([200, 350, 500][trace % 3]);
      if (k % 2) attrs['llm.model'] = str(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet'][(trace + k) % 3]);
      if (k === 1) attrs['llm.usage.total_cost_usd'] = dbl(((trace * 37) % 100) / 1000);
      if (trace % 5 === 0) attrs.cached = { boolValue: k % 2 === 0 };
      if (trace % 6 === 0 && k === 1) attrs.tags = { arrayValue: { values: [str('a'), str('b')] } };
      if (trace % 9 === 0) attrs.note = {};
      if (trace % 8 === 0) attrs.region = str(`span-region-${k}`);
      const resource: AttributeMap = { 'service.name': str(trace % 4 === 1 && k % 2 ? 'plano(llm)' : 'plano(inbound)'), region: str(`res-${trace % 2}`) };
      // Spans of a trace spread over batches: the set is merged across them.
      batches[(trace + k) % 3].push(span(trace, id++, attrs, resource, (trace * k) % 13 === 5 ? 2 : 0));
    }
  }
  return batches;
}

const LEAVES = [
  'tenant.id=t1',
  'user.id=usr_3',
  'user.id!=usr_3',
  'http.status_code=350',
  'http.status_code="350"',
  'http.status_code=200',
  'http.status_code>=500',
  'http.status_code<300',
  'http.status_code!=200',
  'llm.model=gpt-4o',
  'llm.model~gpt*',
  'llm.model!~gpt*',
  'llm.usage.total_cost_usd>0.05',
  'llm.usage.total_cost_usd<=0.01',
  'llm.usage.total_cost_usd=0.037',
  'cached=true',
  'cached=false',
  'cached exists',
  'note exists',
  'note not exists',
  'note=x',
  'tags~*a*',
  'region=res-1',
  'region=span-region-1',
  'region~res*',
  'service.name=plano(llm)',
  'status=error',
  'status!=error',
  'missing.key exists',
  'missing.key=1',
];

describeEachDatabase('trace attribute set', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    for (const batch of workload()) await storeRecords(database.db, batch);
    // A retry of a whole batch changes nothing.
    await storeRecords(database.db, workload()[1]);
  });
  afterAll(() => database?.dispose());

  const traceMatches = async (filter: string) => {
    const compiled = compileTraceFilter(parseWhere(filter).ast!);
    if (!compiled.ok) throw new Error(compiled.error.message);
    const rows = await database.db.rows<{ k: string }>(sql`SELECT t.tenant_id || '/' || t.trace_id AS k FROM traces t WHERE ${compiled.sql} ORDER BY 1`);
    return rows.map((r) => r.k);
  };
  const spanMatches = async (filter: string) => {
    const compiled = compileSpanFilter(parseWhere(filter).ast!);
    if (!compiled.ok) throw new Error(compiled.error.message);
    const rows = await database.db.rows<{ k: string }>(
      sql`SELECT DISTINCT s.tenant_id || '/' || s.trace_id AS k FROM spans s WHERE ${compiled.sql} ORDER BY 1`,
    );
    return rows.map((r) => r.k);
  };

  for (const leaf of LEAVES) {
    it(`${leaf}: the set matches the traces that have a matching span`, async () => {
      const expected = await spanMatches(leaf);
      expect(await traceMatches(leaf)).toEqual(expected);
    });
  }

  it('the leaves are not trivial: each matches some traces and misses others', async () => {
    const [{ n }] = await database.db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM traces`);
    const trivial: string[] = [];
    for (const leaf of LEAVES) {
      const m = (await traceMatches(leaf)).length;
      if (m === 0 || m === n) trivial.push(leaf);
    }
    // Only these are meant to be all-or-nothing on this data.
    const expectedTrivial = new Set(['status!=error', 'note=x', 'missing.key exists', 'missing.key=1']);
    expect(trivial.filter((leaf) => !expectedTrivial.has(leaf))).toEqual([]);
  });

  it('spans stored before their tenant was known bring their values into the tenant trace', async () => {
    const trace = 500;
    await storeRecords(database.db, [span(trace, 9001, { 'llm.model': str('late-model') }), span(trace, 9002, { step: int(7) })]);
    expect(await traceMatches('llm.model=late-model')).toEqual([`/${hex(trace, 32)}`]);
    await storeRecords(database.db, [span(trace, 9000, { 'tenant.id': str('t9'), 'user.id': str('usr_late') })]);
    const key = `t9/${hex(trace, 32)}`;
    expect(await traceMatches('llm.model=late-model')).toEqual([key]);
    expect(await traceMatches('step>=7 AND user.id=usr_late')).toEqual([key]);
    expect(await spanMatches('llm.model=late-model')).toEqual([key]);
  });
});
