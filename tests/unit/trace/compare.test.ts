import { describe, expect, it } from 'vitest';
import { compareTraces } from '@/lib/trace/compare';
import type { StoredSpan } from '@/lib/trace/wire';

const T0 = 1_700_000_000_000_000_000n;
type Opts = { service?: string; attributes?: StoredSpan['attributes']; status?: number };
/** A span of trace `t`, `startMs`…`endMs` after T0. */
function span(t: string, spanId: string, parentSpanId: string | null, name: string, startMs: number, endMs: number, opts: Opts = {}): StoredSpan {
  return {
    traceId: t.repeat(32).slice(0, 32),
    spanId,
    parentSpanId,
    traceState: null,
    tenantId: 'acme',
    name,
    kind: 1,
    service: opts.service ?? 'svc',
    status: { code: opts.status ?? 0, message: null },
    startTimeUnixNano: (T0 + BigInt(startMs) * 1_000_000n).toString(),
    endTimeUnixNano: (T0 + BigInt(endMs) * 1_000_000n).toString(),
    durationMs: endMs - startMs,
    attributes: opts.attributes ?? {},
    resourceAttributes: {},
    events: [],
    links: [],
    scope: { name: null, version: null },
    flags: 0,
  };
}

/** Rows as `depth name a-id b-id`, easy to read in a failure. */
const shape = (rows: ReturnType<typeof compareTraces>['rows']) => rows.map((r) => `${r.depth} ${r.name} ${r.a?.spanId ?? '-'} ${r.b?.spanId ?? '-'}`);

const request = (t: string, shift = 0) => [
  span(t, `${t}r`, null, 'POST /chat', 0, 100 + shift),
  span(t, `${t}1`, `${t}r`, 'route', 5, 10),
  span(t, `${t}2`, `${t}r`, 'llm', 10, 90 + shift, { service: 'plano(llm)', attributes: { 'llm.model': { stringValue: 'gpt-4o' } } }),
  span(t, `${t}3`, `${t}2`, 'upstream', 12, 88 + shift, { service: 'openai' }),
];

describe('compareTraces', () => {
  it('pairs every span of identical traces, with zero deltas and no differences', () => {
    const result = compareTraces(request('a'), request('b'));
    expect(shape(result.rows)).toEqual(['0 POST /chat ar br', '1 route a1 b1', '1 llm a2 b2', '2 upstream a3 b3']);
    expect(result).toMatchObject({ matched: 4, onlyA: 0, onlyB: 0 });
    expect(result.rows.map((r) => r.deltaMs)).toEqual([0, 0, 0, 0]);
    expect(result.rows.every((r) => r.differences.length === 0)).toBe(true);
  });

  it('gives each paired span the duration delta B minus A', () => {
    const result = compareTraces(request('a'), request('b', 50));
    expect(result.rows.map((r) => r.deltaMs)).toEqual([50, 0, 50, 50]);
  });

  it('marks extra and missing spans, with their whole subtree on one side only', () => {
    const a = request('a');
    const b = [...request('b').filter((s) => s.name !== 'llm' && s.name !== 'upstream'), span('b', 'bx', 'br', 'cache', 20, 30)];
    const result = compareTraces(a, b);
    expect(shape(result.rows)).toEqual(['0 POST /chat ar br', '1 route a1 b1', '1 cache - bx', '1 llm a2 -', '2 upstream a3 -']);
    expect(result).toMatchObject({ matched: 2, onlyA: 2, onlyB: 1 });
    const onlyA = result.rows.filter((r) => r.b === null);
    expect(onlyA.map((r) => [r.deltaMs, r.differences])).toEqual([
      [null, []],
      [null, []],
    ]);
  });

  it('pairs repeated siblings of the same name in start order, the extra one being only in the longer trace', () => {
    const calls = (t: string, n: number) => [
      span(t, `${t}r`, null, 'agent', 0, 1000),
      ...Array.from({ length: n }, (_, k) => span(t, `${t}${k}`, `${t}r`, 'llm', 10 + k * 100, 60 + k * 100 + (t === 'b' ? k : 0))),
    ];
    const result = compareTraces(calls('a', 3), calls('b', 4));
    expect(shape(result.rows)).toEqual(['0 agent ar br', '1 llm a0 b0', '1 llm a1 b1', '1 llm a2 b2', '1 llm - b3']);
    expect(result.rows.slice(1, 4).map((r) => r.deltaMs)).toEqual([0, 1, 2]);
  });

  it('pairs children that started in another order, by service and name', () => {
    const a = [span('a', 'ar', null, 'root', 0, 100), span('a', 'ax', 'ar', 'fetch', 10, 20), span('a', 'ay', 'ar', 'embed', 30, 40)];
    const b = [span('b', 'br', null, 'root', 0, 100), span('b', 'by', 'br', 'embed', 5, 15), span('b', 'bx', 'br', 'fetch', 20, 40)];
    const result = compareTraces(a, b);
    expect(shape(result.rows)).toEqual(['0 root ar br', '1 fetch ax bx', '1 embed ay by']);
    expect(result.rows[1].deltaMs).toBe(10);
  });

  it('does not pair spans of the same name from different services', () => {
    const a = [span('a', 'ar', null, 'root', 0, 100), span('a', 'a1', 'ar', 'call', 10, 20, { service: 'one' })];
    const b = [span('b', 'br', null, 'root', 0, 100), span('b', 'b1', 'br', 'call', 10, 20, { service: 'two' })];
    // b1 has no paired sibling before it in B, so it opens its level.
    expect(shape(compareTraces(a, b).rows)).toEqual(['0 root ar br', '1 call - b1', '1 call a1 -']);
  });

  it('pairs what is left by service, so a step named after its model still aligns, carrying both names', () => {
    const a = [
      span('a', 'ar', null, 'root', 0, 100),
      span('a', 'a1', 'ar', 'chat gpt-4o', 10, 50, { service: 'plano(llm)' }),
      span('a', 'a2', 'a1', 'POST', 11, 49),
    ];
    const b = [
      span('b', 'br', null, 'root', 0, 100),
      span('b', 'b1', 'br', 'chat llama', 10, 80, { service: 'plano(llm)' }),
      span('b', 'b2', 'b1', 'POST', 11, 79),
      span('b', 'b3', 'br', 'chat llama', 85, 90, { service: 'plano(llm)' }),
    ];
    const result = compareTraces(a, b);
    expect(shape(result.rows)).toEqual(['0 root ar br', '1 chat gpt-4o a1 b1', '2 POST a2 b2', '1 chat llama - b3']);
    expect(result.rows.map((r) => r.nameB)).toEqual([null, 'chat llama', null, null]);
    expect(result.rows[1].deltaMs).toBe(30);
  });

  it('prefers the same name over the same service when both could pair', () => {
    const a = [span('a', 'ar', null, 'root', 0, 100), span('a', 'a1', 'ar', 'fetch', 10, 20), span('a', 'a2', 'ar', 'embed', 30, 40)];
    const b = [span('b', 'br', null, 'root', 0, 100), span('b', 'b2', 'br', 'embed', 5, 15)];
    expect(shape(compareTraces(a, b).rows)).toEqual(['0 root ar br', '1 fetch a1 -', '1 embed a2 b2']);
  });

  it('lists the differing model, route, tokens, cost and status of a pair', () => {
    const attrs = (model: string, route: string, tokens: string) => ({
      'llm.model': { stringValue: model },
      'plano.route.name': { stringValue: route },
      'llm.usage.total_tokens': { intValue: tokens },
      'http.status_code': { intValue: '200' },
    });
    const a = [span('a', 'a1', null, 'llm', 0, 10, { attributes: attrs('gpt-4o', 'chat', '120') })];
    const b = [span('b', 'b1', null, 'llm', 0, 10, { attributes: attrs('gpt-4o-mini', 'chat', '95'), status: 2 })];
    const costs = { a: { a1: { usd: 0.002, source: 'reported' as const } }, b: { b1: { usd: null, source: 'unknown' as const } } };
    const [row] = compareTraces(a, b, costs).rows;
    expect(row.differences).toEqual([
      { field: 'status', a: 'unset', b: 'error' },
      { field: 'model', a: 'gpt-4o', b: 'gpt-4o-mini' },
      { field: 'total tokens', a: '120', b: '95' },
      { field: 'cost', a: '$0.0020', b: 'no price' },
    ]);
  });

  it('handles empty traces and a chain deeper than the call stack allows for recursion', () => {
    expect(compareTraces([], [])).toEqual({ rows: [], matched: 0, onlyA: 0, onlyB: 0 });
    const chain = (t: string) => Array.from({ length: 20_000 }, (_, k) => span(t, `${t}${k}`, k ? `${t}${k - 1}` : null, 'step', k, 100_000 - k));
    const result = compareTraces(chain('a'), chain('b'));
    expect(result.matched).toBe(20_000);
    expect(result.rows[19_999].depth).toBe(19_999);
  });
});
