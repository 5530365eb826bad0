/**
 * The compact-form SQL of migration 0009 on PGlite and Postgres: for values of every type, read
 * from an attribute map the way the `where` compiler reads them (`attributes -> key`),
 * td_ctext / td_cnum of the compact form equal td_text / td_num of the canonical form
 * (as ingest stores it: JSON.stringify). Also: the compact form survives a trip through
 * JSONB exactly, takes fewer bytes than the canonical one on bench-shaped spans, and the
 * migration's SQL conversion (td_compact_map / _events / _links) writes what the TypeScript
 * encoder writes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planoWorkload } from '../../bench/plano-workload';
import { decodeExportRequest } from '../../lib/otlp';
import { decodeAttributes, encodeAttributes, encodeEvents, encodeLinks } from '../../lib/otlp/compact-attributes';
import type { AttributeMap, OtlpAnyValue, SpanEvent, SpanLink } from '../../lib/otlp/span-record';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';

const str = (stringValue: string): OtlpAnyValue => ({ stringValue });
const int = (intValue: string): OtlpAnyValue => ({ intValue });
const dbl = (doubleValue: number | 'NaN' | 'Infinity' | '-Infinity'): OtlpAnyValue => ({ doubleValue });
const arr = (...values: OtlpAnyValue[]): OtlpAnyValue => ({ arrayValue: { values } });
const kvl = (...pairs: [string, OtlpAnyValue][]): OtlpAnyValue => ({ kvlistValue: { values: pairs.map(([key, value]) => ({ key, value })) } });

/** Key → value; the keys name the cases in failure output. */
const VALUES: Record<string, OtlpAnyValue> = {
  string: str('gpt-4o'),
  'empty string': str(''),
  'unicode string': str('日本語 🚀 "q" \\ \t'),
  'numeric string': str('502'),
  'numeric string with spaces and exponent': str(' -1.5e-7 '),
  'numeric string, 3-digit exponent': str('1e300'),
  'numeric string over 200 chars': str('1'.repeat(201)),
  'int 0': int('0'),
  'int -42': int('-42'),
  'int 2^53−1': int('9007199254740991'),
  'int −(2^53−1)': int('-9007199254740991'),
  'int 2^53+1': int('9007199254740993'),
  'int −(2^53+1)': int('-9007199254740993'),
  'int 2^63−1': int('9223372036854775807'),
  'int −2^63': int('-9223372036854775808'),
  'int 007': int('007'),
  'double 0.1': dbl(0.1),
  'double -1.5e-7': dbl(-1.5e-7),
  'double 2.0': dbl(2),
  'double 0': dbl(0),
  'double -0': dbl(-0),
  'double 1e300': dbl(1e300),
  'double 5e-324': dbl(5e-324),
  'double max': dbl(Number.MAX_VALUE),
  'double 2^53+2': dbl(2 ** 53 + 2),
  'double NaN': dbl('NaN'),
  'double Infinity': dbl('Infinity'),
  'double -Infinity': dbl('-Infinity'),
  'bool true': { boolValue: true },
  'bool false': { boolValue: false },
  bytes: { bytesValue: 'AAEC/w==' },
  'empty bytes': { bytesValue: '' },
  'empty value': {},
  'empty array': arr(),
  'array of every scalar': arr(
    str('a'),
    int('1'),
    int('9007199254740993'),
    dbl(2.5),
    dbl(3),
    dbl(-0),
    dbl('NaN'),
    { boolValue: false },
    { bytesValue: 'AA==' },
    {},
  ),
  'nested arrays': arr(arr(arr(int('7'))), arr(), arr(dbl(1e300), dbl(5e-324))),
  'empty kvlist': kvl(),
  kvlist: kvl(['z', int('1')], ['a', str('x')], ['z', dbl(-0)], ['', {}], ['🔑', arr(kvl(['i', int('-3')]))]),
};
const KEYS = [...Object.keys(VALUES), 'missing key'];

describeEachDatabase('compact attribute SQL readers', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.dispose());

  type Reading = { key: string; text: string | null; ctext: string | null; num: string | null; cnum: string | null; same: boolean };
  const readings = () =>
    database.db.rows<Reading>(sql`
      SELECT k.key, td_text(m.v -> k.key) AS text, td_ctext(m.c -> k.key) AS ctext,
        td_num(m.v -> k.key)::text AS num, td_cnum(m.c -> k.key)::text AS cnum,
        (td_text(m.v -> k.key) IS NOT DISTINCT FROM td_ctext(m.c -> k.key)
          AND td_num(m.v -> k.key) IS NOT DISTINCT FROM td_cnum(m.c -> k.key)) AS same
      FROM (SELECT ${JSON.stringify(VALUES)}::jsonb AS v, ${JSON.stringify(encodeAttributes(VALUES))}::jsonb AS c) m,
        jsonb_array_elements_text(${JSON.stringify(KEYS)}::jsonb) WITH ORDINALITY AS k(key, n)
      ORDER BY k.n`);

  it('td_ctext and td_cnum read every compact value as td_text and td_num read its canonical form', async () => {
    const rows = await readings();
    expect(rows.map((r) => r.key)).toEqual(KEYS);
    expect(rows.filter((r) => !r.same)).toEqual([]);
  });

  it('the readings are the expected ones, not all empty', async () => {
    const byKey = new Map((await readings()).map((r) => [r.key, r]));
    const at = (key: string) => {
      const r = byKey.get(key)!;
      return [r.ctext, r.cnum];
    };
    expect(at('string')).toEqual(['gpt-4o', null]);
    expect(at('numeric string')).toEqual(['502', '502']);
    expect(at('numeric string, 3-digit exponent')).toEqual(['1e300', null]);
    expect(at('int 2^63−1')).toEqual(['9223372036854775807', '9.223372036854776e+18']);
    expect(at('int 2^53+1')).toEqual(['9007199254740993', '9.007199254740992e+15']);
    expect(at('int 007')).toEqual(['007', '7']);
    expect(at('double 0.1')).toEqual(['0.1', '0.1']);
    expect(at('double 2.0')).toEqual(['2', '2']);
    expect(at('double -0')).toEqual(['0', '0']);
    expect(at('double 1e300')).toEqual([`1${'0'.repeat(300)}`, '1e+300']);
    expect(at('double NaN')).toEqual(['NaN', null]);
    expect(at('bool false')).toEqual(['false', null]);
    expect(at('bytes')).toEqual(['AAEC/w==', null]);
    expect(at('empty value')).toEqual([null, null]);
    expect(at('missing key')).toEqual([null, null]);
    expect(at('empty array')).toEqual(['{"arrayValue": {"values": []}}', null]);
    expect(at('kvlist')[0]).toMatch(/^\{"kvlistValue": \{"values": \[\{"key": "z", "value": \{"intValue": "1"\}\}, \{"key": "a", /);
  });

  it('the compact form comes back from JSONB exactly', async () => {
    const [row] = await database.db.rows<{ c: string }>(sql`SELECT (${JSON.stringify(encodeAttributes(VALUES))}::jsonb)::text AS c`);
    expect(decodeAttributes(JSON.parse(row.c))).toStrictEqual(VALUES);
  });

  it('bench-shaped span attributes take fewer JSONB bytes in the compact form', async () => {
    const endMs = Date.UTC(2026, 0, 1);
    const maps: AttributeMap[] = [];
    for (const { body } of planoWorkload({ totalSpans: 1000, seed: 5, endMs, days: 1, spansPerBatch: 512 })) {
      const out = decodeExportRequest(body, { contentType: 'application/x-protobuf', maxBodyBytes: 1 << 26, nowMs: endMs });
      if (!out.ok) throw new Error(out.message);
      maps.push(...out.spans.map((s) => s.attributes));
    }
    const pairs = JSON.stringify(maps.map((m) => ({ v: m, c: encodeAttributes(m) })));
    await database.db.rows(sql`CREATE TABLE size_probe (canonical jsonb NOT NULL, compact jsonb NOT NULL)`);
    await database.db.rows(sql`INSERT INTO size_probe SELECT e -> 'v', e -> 'c' FROM jsonb_array_elements(${pairs}::jsonb) AS e`);
    const [size] = await database.db.rows<{ n: number; canonical: number; compact: number }>(
      sql`SELECT count(*)::int AS n, avg(pg_column_size(canonical))::float8 AS canonical, avg(pg_column_size(compact))::float8 AS compact FROM size_probe`,
    );
    expect(size.n).toBe(maps.length);
    expect(size.compact / size.canonical).toBeLessThan(0.75);
  });

  it('the SQL conversion of canonical maps, events and links writes what the TypeScript encoder writes', async () => {
    const attrs = (n: number): AttributeMap => Object.fromEntries(Object.entries(VALUES).slice(n, n + 5));
    const events: SpanEvent[] = [
      { timeUnixNano: '1700000000000000001', name: 'bare', attributes: {} },
      { timeUnixNano: '1700000000000000002', name: 'with attributes', attributes: attrs(0) },
      { timeUnixNano: '1700000000000000003', name: 'dropped only', attributes: {}, droppedAttributesCount: 3 },
      { timeUnixNano: '1700000000000000004', name: 'both', attributes: attrs(10), droppedAttributesCount: 0 },
    ];
    const link = (n: number, extra: Partial<SpanLink>): SpanLink => ({ traceId: `${n}`.repeat(32), spanId: `${n}`.repeat(16), attributes: {}, ...extra });
    const links: SpanLink[] = [
      link(1, {}),
      link(2, { attributes: attrs(20) }),
      link(3, { traceState: 'k=v' }),
      link(4, { droppedAttributesCount: 2 }),
      link(5, { attributes: attrs(30), traceState: 'a=b', droppedAttributesCount: 1 }),
    ];
    // What v1 stored: the canonical form through JSON.stringify (which writes a double -0 as 0).
    const stored = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    const [row] = await database.db.rows<{ different_keys: string[] | null; same_events: boolean; same_links: boolean; empty: boolean }>(sql`
      SELECT (SELECT array_agg(k) FROM jsonb_object_keys(${JSON.stringify(VALUES)}::jsonb) AS k
          WHERE td_compact_map(${JSON.stringify(VALUES)}::jsonb) -> k IS DISTINCT FROM ${JSON.stringify(encodeAttributes(stored(VALUES)))}::jsonb -> k) AS different_keys,
        td_compact_events(${JSON.stringify(events)}::jsonb) = ${JSON.stringify(encodeEvents(stored(events)))}::jsonb AS same_events,
        td_compact_links(${JSON.stringify(links)}::jsonb) = ${JSON.stringify(encodeLinks(stored(links)))}::jsonb AS same_links,
        (td_compact_map('{}') = '{}' AND td_compact_events('[]') = '[]' AND td_compact_links('[]') = '[]') AS empty`);
    expect(row).toEqual({ different_keys: null, same_events: true, same_links: true, empty: true });
  });
});
