/**
 * Promoted keys stored once (lib/trace/elided-attributes.ts): a key whose typed column gives its
 * value back exactly is left out of `spans.attributes`, and every read restores it. Checked on
 * what is stored (the keys are really gone, the others are not) and on every reader of span
 * maps: the trace API (against the maps as sent), the OTLP download, span-level `where`
 * (matchedSpanIds), `| spans` aggregation, a key's values over a range and the key catalog.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDb } from '../../server/db';
import { listAttributeValues, listTenantAttributeKeys } from '../../db/queries/attributes';
import { parseWhere } from '../../lib/where';
import { ELIDABLE_KEYS, jsonbKeyOrder } from '../../lib/trace/elided-attributes';
import { compileTraceFilter, spanAttributesMap } from '../../lib/where/sql-compiler';
import type { OtlpAnyValue } from '../../lib/otlp/span-record';
import type { StoredSpan } from '../../lib/trace/wire';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';

const TRACE = 'e11de0000000000000000000000000a1';
const T0 = BigInt(Math.floor(Date.now() / 1000) - 1800) * 1_000_000_000n;
const at = (ms: number) => (T0 + BigInt(ms) * 1_000_000n).toString();

type Attr = { key: string; value: OtlpAnyValue };
const s = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const i = (key: string, v: string): Attr => ({ key, value: { intValue: v } });
const d = (key: string, v: number): Attr => ({ key, value: { doubleValue: v } });

/** Span id → its attributes as sent. Comments say which keys ingest can leave out. */
const SPANS: Record<string, Attr[]> = {
  // Plano's shape: every key elidable (status as a decimal string, tokens as ints).
  a000000000000001: [s('tenant.id', 'acme'), s('user.id', 'u-1'), s('session.id', 'sess-1'), s('http.status_code', '200'), s('environment', 'production')],
  a000000000000002: [
    s('tenant.id', 'acme'),
    s('user.id', 'u-1'),
    s('llm.model', 'gpt-4o'),
    i('llm.usage.prompt_tokens', '150'),
    i('llm.usage.completion_tokens', '0'),
    s('llm.usage.total_tokens', '150'),
    i('http.status_code', '503'),
  ],
  // Spellings the columns cannot give back: they stay in the map.
  a000000000000003: [
    s('tenant.id', 'acme'),
    s('user.id', 'u-2'),
    s('llm.usage.prompt_tokens', '0150'),
    d('llm.usage.completion_tokens', 12.5),
    d('llm.usage.total_tokens', 40),
    s('http.status_code', ' 200'),
    i('session.id', '77'),
  ],
  // No tenant of its own (it inherits the trace's), a user only on the resource.
  a000000000000004: [s('llm.model', 'claude-3-5-haiku'), i('llm.usage.prompt_tokens', '99')],
};
const RESOURCE: Attr[] = [s('service.name', 'gw'), s('user.id', 'u-resource')];

function request() {
  return {
    resourceSpans: [
      {
        resource: { attributes: RESOURCE },
        scopeSpans: [
          {
            scope: { name: 'plano' },
            spans: Object.entries(SPANS).map(([spanId, attributes], n) => ({
              traceId: TRACE,
              spanId,
              ...(n === 0 ? {} : { parentSpanId: 'a000000000000001' }),
              name: `span ${n}`,
              kind: 1,
              startTimeUnixNano: at(n * 10),
              endTimeUnixNano: at(n * 10 + 5),
              attributes,
            })),
          },
        ],
      },
    ],
  };
}

const sortedEntries = (m: Record<string, OtlpAnyValue>) => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1));
const sentMap = (attrs: Attr[]) => Object.fromEntries(attrs.map((a) => [a.key, a.value]));

describeEachDatabase('promoted keys stored once, restored on every read', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request()) });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('rejected');
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const traceApi = async (wheres: string[] = []) => {
    const qs = new URLSearchParams(wheres.map((w) => ['where', w]));
    const res = await fetch(`${server.url}/api/traces/${TRACE}${wheres.length ? `?${qs}` : ''}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { spans: StoredSpan[]; matchedSpanIds?: string[] };
  };

  it('leaves out exactly the keys its columns give back, and says which', async () => {
    const rows = await database.db.rows<{ span_id: string; keys: string[]; elided: number }>(sql`
      SELECT span_id, ARRAY(SELECT jsonb_object_keys(attributes) ORDER BY 1) AS keys, promoted_elided AS elided
      FROM spans WHERE trace_id = ${TRACE} ORDER BY span_id`);
    const stored = Object.fromEntries(rows.map((r) => [r.span_id, { keys: r.keys, elided: Number(r.elided) }]));
    const bitsOf = (pairs: [string, 'native' | 'decimal'][]) =>
      pairs.reduce((m, [key, form]) => m | ELIDABLE_KEYS.find((e) => e.key === key && e.form === form)!.bit, 0);
    expect(stored.a000000000000001).toEqual({
      keys: ['environment'],
      elided: bitsOf([
        ['tenant.id', 'native'],
        ['user.id', 'native'],
        ['session.id', 'native'],
        ['http.status_code', 'decimal'],
      ]),
    });
    expect(stored.a000000000000002).toEqual({
      keys: [],
      elided: bitsOf([
        ['tenant.id', 'native'],
        ['user.id', 'native'],
        ['llm.model', 'native'],
        ['llm.usage.prompt_tokens', 'native'],
        ['llm.usage.completion_tokens', 'native'],
        ['llm.usage.total_tokens', 'decimal'],
        ['http.status_code', 'native'],
      ]),
    });
    expect(stored.a000000000000003).toEqual({
      keys: ['http.status_code', 'llm.usage.completion_tokens', 'llm.usage.prompt_tokens', 'llm.usage.total_tokens', 'session.id'],
      elided: bitsOf([
        ['tenant.id', 'native'],
        ['user.id', 'native'],
      ]),
    });
    expect(stored.a000000000000004).toEqual({
      keys: [],
      elided: bitsOf([
        ['llm.model', 'native'],
        ['llm.usage.prompt_tokens', 'native'],
      ]),
    });
  });

  it('the trace API and the OTLP download give every map back as sent', async () => {
    const { spans } = await traceApi();
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      expect(sortedEntries(span.attributes), span.spanId).toEqual(sortedEntries(sentMap(SPANS[span.spanId])));
      expect(sortedEntries(span.resourceAttributes)).toEqual(sortedEntries(sentMap(RESOURCE)));
    }
    const doc = (await (await fetch(`${server.url}/api/traces/${TRACE}/otlp`)).json()) as {
      resourceSpans: { scopeSpans: { spans: { spanId: string; attributes: Attr[] }[] }[] }[];
    };
    const exported = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((sc) => sc.spans));
    expect(exported).toHaveLength(4);
    for (const span of exported) expect(sortedEntries(sentMap(span.attributes))).toEqual(sortedEntries(sentMap(SPANS[span.spanId])));
  });

  it('restored maps keep the key order of a map stored whole (JSONB’s)', async () => {
    const { spans } = await traceApi();
    const whole = await database.db.rows<{ span_id: string; keys: string[] }>(sql`
      SELECT span_id, ARRAY(SELECT jsonb_object_keys(${spanAttributesMap('s')})) AS keys FROM spans s WHERE trace_id = ${TRACE}`);
    const keysOf = new Map(whole.map((r) => [r.span_id, r.keys]));
    for (const span of spans) expect(Object.keys(span.attributes), span.spanId).toEqual(keysOf.get(span.spanId));
    const [odd] = await database.db.rows<{ keys: string[] }>(
      sql`SELECT ARRAY(SELECT jsonb_object_keys('{"zz":1,"é":1,"ab":1,"b":1,"😀":1,"a":1}'::jsonb)) AS keys`,
    );
    expect(odd.keys).toEqual(['zz', 'é', 'ab', 'b', '😀', 'a'].sort(jsonbKeyOrder));
  });

  it.each([
    ['user.id=u-1', ['a000000000000001', 'a000000000000002']],
    // the span's own user.id wins over the resource's; a span without one falls back to it
    ['user.id=u-resource', ['a000000000000004']],
    ['tenant.id=acme', ['a000000000000001', 'a000000000000002', 'a000000000000003']],
    ['http.status_code=200', ['a000000000000001', 'a000000000000003']],
    ['http.status_code="200"', ['a000000000000001']],
    ['http.status_code>=500', ['a000000000000002']],
    ['llm.usage.prompt_tokens=150', ['a000000000000002', 'a000000000000003']],
    ['llm.usage.prompt_tokens<100', ['a000000000000004']],
    ['llm.usage.total_tokens=150', ['a000000000000002']],
    ['llm.model~claude*', ['a000000000000004']],
    ['session.id exists', ['a000000000000001', 'a000000000000003']],
    ['NOT llm.model exists', ['a000000000000001', 'a000000000000003']],
    ['llm.model!=gpt-4o', ['a000000000000004']],
  ])('span-level where %s matches the spans whose sent maps match', async (where, want) => {
    expect((await traceApi([where])).matchedSpanIds?.sort()).toEqual(want);
  });

  it('| spans aggregation, a key’s values over a range and the key catalog read the restored keys', async () => {
    const res = await fetch(`${server.url}/api/query?since=1d&q=${encodeURIComponent('| spans by(llm.model) count(), sum(llm.usage.prompt_tokens)')}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: unknown[][] };
    expect(new Map(body.rows.map((r) => [r[0], r.slice(1)]))).toEqual(
      new Map<unknown, unknown[]>([
        ['gpt-4o', [1, 150]],
        ['claude-3-5-haiku', [1, 99]],
        // no model: the first span and the third, whose "0150" (kept as sent) counts as 150
        [null, [2, 150]],
      ]),
    );

    const filter = compileTraceFilter(parseWhere('tenant.id=acme').ast!);
    if (!filter.ok) throw new Error(filter.error.message);
    const range = { fromNs: T0 - 1_000_000_000n, toNs: T0 + 60_000_000_000n };
    const statuses = await listAttributeValues(database.db, { key: 'http.status_code', filter: filter.sql, range, tenantKey: 'tenant.id' });
    expect(new Map(statuses.map((v) => [v.value, v.count]))).toEqual(
      new Map([
        ['200', 1],
        ['503', 1],
        [' 200', 1],
      ]),
    );

    const keys = await listTenantAttributeKeys(database.db, { tenant: 'acme', maxValues: 10 });
    const span = (key: string) => keys.find((k) => k.key === key && k.scope === 'span');
    expect(span('user.id')).toMatchObject({ valueType: 'string' });
    expect(span('llm.usage.prompt_tokens')).toMatchObject({ valueType: 'mixed' });
    expect(span('environment')).toMatchObject({ valueType: 'string' });
  });
});
