/**
 * `key > n` (and >=, <, <=) on a hot numeric key (lib/trace/numeric-bounds.ts) reads the trace's
 * generated max/min columns instead of its attribute set. The two must give the same traces for
 * every filter, and both the traces that have a matching span: checked over traces whose spans
 * carry the key several times with different values, values only on the resource (and resource
 * values shadowed by a span's own), numeric strings (padded, with exponents), strings that are
 * not numbers, doubles, ints beyond 2^53, bools, arrays, and traces spread over several batches
 * (the bounds follow the merged set).
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../lib/otlp/span-record';
import { type CompileOptions, compileSpanFilter, compileTraceFilter } from '../../lib/where/sql-compiler';
import { parseWhere } from '../../lib/where';
import { NUMERIC_BOUNDS } from '../../lib/trace/numeric-bounds';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const str = (v: string): OtlpAnyValue => ({ stringValue: v });
const int = (v: number | string): OtlpAnyValue => ({ intValue: String(v) });
const dbl = (v: number): OtlpAnyValue => ({ doubleValue: v });

const STATUS = 'http.status_code';
const TTFT = 'llm.time_to_first_token';
const TOKENS = 'llm.usage.total_tokens';

/** Values a hot key takes on one span: numbers of every type and spelling, and non-numbers. */
const VALUES: OtlpAnyValue[] = [
  int(200),
  str('503'),
  str(' 429 '),
  str('5e2'),
  dbl(3000),
  dbl(3000.5),
  str('abc'),
  str(''),
  { boolValue: true },
  int('9007199254740993'),
  int(-1),
  dbl(0.25),
  str('-12.5'),
  { arrayValue: { values: [int(900)] } },
  str('1e400'),
];

function span(trace: number, id: number, attributes: AttributeMap, resource: AttributeMap): SpanRecord {
  const startNs = 1_700_000_000_000_000_000n + BigInt(trace * 1000 + id);
  return spanRecord({
    traceId: hex(trace, 32),
    spanId: hex(id, 16),
    parentSpanId: id % 4 === 1 ? null : hex(id - 1, 16),
    name: 'op',
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + 1_000_000n,
    attributes,
    resourceAttributes: resource,
  });
}

/** 90 traces of 1–4 spans: each hot key on some spans (often with different values per span), on the resource, or absent. */
function workload(): SpanRecord[][] {
  const batches: SpanRecord[][] = [[], [], []];
  let id = 1;
  const pick = (i: number) => VALUES[((i % VALUES.length) + VALUES.length) % VALUES.length];
  for (let trace = 1; trace <= 90; trace++) {
    const spans = 1 + (trace % 4);
    for (let k = 0; k < spans; k++) {
      const attrs: AttributeMap = { 'tenant.id': str(`t${trace % 2}`) };
      const resource: AttributeMap = { 'service.name': str('svc') };
      if ((trace + k) % 3 !== 0) attrs[STATUS] = pick(trace * 7 + k * 3);
      // The resource's value counts for spans that do not carry their own (and is shadowed on those that do).
      if (trace % 5 === 0) resource[STATUS] = int(599);
      if ((trace * k) % 2 === 1 || trace % 6 === 0) attrs[TTFT] = pick(trace * 5 + k);
      if (trace % 7 === 3) resource[TTFT] = str('4000');
      if (k % 2 === 0 && trace % 3 !== 2) attrs[TOKENS] = trace % 4 === 0 ? str(String(trace * 100 + k)) : int(trace * 100 - k * 37);
      batches[(trace + k) % 3].push(span(trace, id++, attrs, resource));
    }
  }
  return batches;
}

const LEAVES = [
  `${STATUS}>=500`,
  `${STATUS}>500`,
  `${STATUS}>503`,
  `${STATUS}<300`,
  `${STATUS}<=200`,
  `${STATUS}<0`,
  `${STATUS}>1e15`,
  `${TTFT}>3000`,
  `${TTFT}>=3000`,
  `${TTFT}<3000.5`,
  `${TTFT}<=0.25`,
  `${TTFT}>3s`,
  `${TTFT}>=4000`,
  `${TOKENS}>5000`,
  `${TOKENS}<=1000`,
  `${TOKENS}<2000`,
];

/** Combinations where a NULL bound (no number for the key) must read as false, as the set's EXISTS does. */
const COMBINATIONS = [
  `NOT ${STATUS}>=500`,
  `NOT ${TTFT}<3000`,
  `${STATUS}>=500 OR ${TTFT}<100`,
  `NOT (${TOKENS}<=1000 OR ${STATUS}>503)`,
  `${STATUS}>=500 AND ${STATUS}<300`,
  `tenant.id=t1 ${STATUS}>=429 NOT ${TTFT}>3000`,
  `${STATUS} exists NOT ${STATUS}>0`,
];

describeEachDatabase('numeric bounds', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    for (const batch of workload()) await storeRecords(database.db, batch);
    await storeRecords(database.db, workload()[2]);
  });
  afterAll(() => database?.dispose());

  const compiled = (filter: string, options: CompileOptions = {}) => {
    const out = compileTraceFilter(parseWhere(filter).ast!, options);
    if (!out.ok) throw new Error(out.error.message);
    return out.sql;
  };
  const traceMatches = async (filter: string, options: CompileOptions = {}) => {
    const rows = await database.db.rows<{ k: string }>(
      sql`SELECT t.tenant_id || '/' || t.trace_id AS k FROM traces t WHERE ${compiled(filter, options)} ORDER BY 1`,
    );
    return rows.map((r) => r.k);
  };
  const spanMatches = async (filter: string) => {
    const out = compileSpanFilter(parseWhere(filter).ast!);
    if (!out.ok) throw new Error(out.error.message);
    const rows = await database.db.rows<{ k: string }>(sql`SELECT DISTINCT s.tenant_id || '/' || s.trace_id AS k FROM spans s WHERE ${out.sql} ORDER BY 1`);
    return rows.map((r) => r.k);
  };

  for (const leaf of LEAVES) {
    it(`${leaf}: the bound columns, the attribute set and the spans agree`, async () => {
      // Not vacuous: this filter really takes the column path, and the other one really reads the set.
      const text = (options: CompileOptions) => new PgDialect().sqlToQuery(compiled(leaf, options)).sql;
      expect(text({})).not.toContain('attribute_set');
      expect(text({ numericBounds: false })).toContain('attribute_set');
      const expected = await spanMatches(leaf);
      expect(await traceMatches(leaf, { numericBounds: false })).toEqual(expected);
      expect(await traceMatches(leaf)).toEqual(expected);
    });
  }

  for (const filter of COMBINATIONS) {
    it(`${filter}: the bound columns and the attribute set agree`, async () => {
      expect(await traceMatches(filter)).toEqual(await traceMatches(filter, { numericBounds: false }));
    });
  }

  it('the filters are not trivial: each matches some traces and misses others', async () => {
    const [{ n }] = await database.db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM traces`);
    const trivial: string[] = [];
    for (const filter of [...LEAVES, ...COMBINATIONS]) {
      const m = (await traceMatches(filter)).length;
      if (m === 0 || m === n) trivial.push(filter);
    }
    // Only these are meant to match nothing on this data.
    const expectedTrivial = new Set([`${STATUS}>1e15`, `${STATUS}>=500 AND ${STATUS}<300`]);
    expect(trivial.filter((f) => !expectedTrivial.has(f))).toEqual([]);
  });

  it('each bound is the max / min of the numbers in the set, NULL without one', async () => {
    const bounds = NUMERIC_BOUNDS.map((b) => sql.raw(`${b.maxColumn} AS "${b.key}:max", ${b.minColumn} AS "${b.key}:min"`));
    const rows = await database.db.rows<Record<string, unknown>>(sql`SELECT attribute_set, ${sql.join(bounds, sql`, `)} FROM traces`);
    expect(rows.length).toBe(90);
    for (const row of rows) {
      const set = row.attribute_set as Record<string, { s: string; n?: number }[]>;
      for (const b of NUMERIC_BOUNDS) {
        const numbers = (set[b.key] ?? []).flatMap((v) => (typeof v.n === 'number' ? [v.n] : []));
        expect(row[`${b.key}:max`] === null ? null : Number(row[`${b.key}:max`])).toBe(numbers.length ? Math.max(...numbers) : null);
        expect(row[`${b.key}:min`] === null ? null : Number(row[`${b.key}:min`])).toBe(numbers.length ? Math.min(...numbers) : null);
      }
    }
  });

  it('a trace whose spans carry several values, one only through its resource, is bounded by all of them', async () => {
    const trace = 500;
    const resource = { [STATUS]: str('502') };
    await storeRecords(database.db, [span(trace, 9001, { [STATUS]: int(200) }, resource), span(trace, 9002, {}, resource)]);
    await storeRecords(database.db, [span(trace, 9003, { [STATUS]: str('0404') }, {})]);
    const [row] = await database.db.rows<{ mx: number; mn: number }>(
      sql`SELECT http_status_max AS mx, http_status_min AS mn FROM traces WHERE trace_id = ${hex(trace, 32)}`,
    );
    expect([Number(row.mx), Number(row.mn)]).toEqual([502, 200]);
    const key = `/${hex(trace, 32)}`;
    expect(await traceMatches(`${STATUS}>=502`)).toContain(key);
    expect(await traceMatches(`${STATUS}>502`)).not.toContain(key);
    expect(await traceMatches(`${STATUS}<=200`)).toContain(key);
    expect(await traceMatches(`${STATUS}<200`)).not.toContain(key);
  });
});
