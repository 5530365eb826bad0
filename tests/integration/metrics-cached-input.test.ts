/**
 * The metric added through the registry alone: requests with cached input tokens
 * (`llm.usage.cached_input_tokens` > 0 on any span of the trace), on PGlite and
 * Postgres. Demo Plano traces go in through the real ingest route, their LLM and
 * outbound spans carrying the key as an int, a numeric string, 0, on another span
 * than the LLM's, or not at all; a third of them sampled (weight 4). The count is
 * checked against the data through GET /api/metrics on the traces path and on the
 * rollup path, and against the trace list's own filter for the same term.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import { drainRollups } from '../../db/rollups';
import type { OtlpJsonRequest } from '../../lib/demo/plano-traces';
import { METRICS } from '../../lib/metrics/registry';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, demoRequests, flattenRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;
const NS_PER_MS = 1_000_000n;
const KEY = 'llm.usage.cached_input_tokens';

type Variant = 'int' | 'numeric string' | 'zero' | 'on another span' | 'absent';
const VARIANTS: Variant[] = ['int', 'numeric string', 'zero', 'on another span', 'absent'];

/** Puts the key on trace `i`'s spans as its variant says (the demo's spans: inbound, routing, llm, outbound). */
function withCachedInput(request: OtlpJsonRequest, i: number): OtlpJsonRequest {
  const spanOf = (service: string) =>
    request.resourceSpans.find((rs) =>
      rs.resource.attributes.some((a) => a.key === 'service.name' && 'stringValue' in a.value && a.value.stringValue === service),
    )?.scopeSpans[0].spans[0];
  const llm = spanOf('plano(llm)');
  const outbound = spanOf('plano(outbound)');
  const variant = VARIANTS[i % VARIANTS.length];
  if (variant === 'int') llm?.attributes.push({ key: KEY, value: { intValue: '128' } });
  if (variant === 'numeric string') llm?.attributes.push({ key: KEY, value: { stringValue: '64' } });
  if (variant === 'zero' || variant === 'on another span') llm?.attributes.push({ key: KEY, value: { intValue: '0' } });
  if (variant === 'on another span') outbound?.attributes.push({ key: KEY, value: { intValue: '32' } });
  // Every third trace sampled at 1 in 4 (tracestate threshold on the root span).
  const root = spanOf('plano(inbound)');
  if (root && i % 3 === 0) Object.assign(root, { traceState: 'ot=th:c;rv:0123456789abcd' });
  return request;
}

type Expected = { startNs: bigint; tenant: string; cached: boolean; weight: number };

const expectedOf = (t: DemoTrace, weights: Map<string, number>): Expected => ({
  startNs: t.startNs,
  tenant: String(t.spans[0].attrs['tenant.id']),
  cached: t.spans.some((s) => KEY in s.attrs && Number(s.attrs[KEY]) > 0),
  weight: weights.get(t.traceId) ?? 1,
});

function expectCached(actual: MetricValues, rows: Expected[], label: string) {
  const cached = rows.filter((r) => r.cached);
  expect(actual.cachedRequests, `${label} cached`).toBe(cached.length);
  expect(actual.cachedShare ?? null, `${label} share`).toBe(rows.length > 0 ? cached.length / rows.length : null);
  expect(actual.estimated.cachedRequests, `${label} ≈cached`).toBeCloseTo(
    cached.reduce((a, r) => a + r.weight, 0),
    9,
  );
}

describeEachDatabase('cached-input requests, a metric added through the registry', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  // Two hours of traffic ending on an hour boundary at least an hour ago.
  const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  /** Ends inside granules (partial granules at both edges). */
  const ragged = { from: iso(endMs - 2 * HOUR_MS + 2.5 * MIN_MS), to: iso(endMs - 3.2 * MIN_MS) };
  /** Whole hours. */
  const hours = { from: iso(endMs - 3 * HOUR_MS), to: iso(endMs) };
  let rows: Expected[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(150, 77, endMs, 2).map(withCachedInput);
    const weights = new Map<string, number>();
    requests.forEach((r, i) => weights.set(r.resourceSpans[0].scopeSpans[0].spans[0].traceId, i % 3 === 0 ? 4 : 1));
    rows = flattenRequests(requests).map((t) => expectedOf(t, weights));
    await postDemo(server.url, requests);
  });
  afterEach(() => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const get = async (params: [string, string][]) => {
    const res = await fetch(`${server.url}/api/metrics?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as MetricsResponse;
  };
  const range = (w: { from: string; to: string }): [string, string][] => [
    ['from', w.from],
    ['to', w.to],
  ];
  const inRange = (w: { from: string; to: string }) =>
    rows.filter((r) => r.startNs >= BigInt(Date.parse(w.from)) * NS_PER_MS && r.startNs < BigInt(Date.parse(w.to)) * NS_PER_MS);
  /** The same request answered from the rollups (whatever their size) and from the traces alone. */
  const both = async (params: [string, string][]) => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = '0';
    resetConfigForTests();
    const rolled = await get(params);
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = '1e15';
    resetConfigForTests();
    return { rolled, exact: await get(params) };
  };

  it('counts the requests with the key > 0 on any span, its share and its sampling estimate (traces path)', async () => {
    const body = await get([...range(hours), ['series', 'false']]);
    expect(body.source).toBe('traces');
    expect(body.metrics.slice(0, 2)).toEqual(['requests', 'cached']);
    expect(body.totals.requests).toBe(rows.length);
    expectCached(body.totals, rows, 'all');
    // The data has every variant, cached and not, sampled and not.
    expect(rows.filter((r) => r.cached).length).toBe(90);
    expect(new Set(rows.filter((r) => r.cached).map((r) => r.weight))).toEqual(new Set([1, 4]));
  });

  it('per tenant and per 5-minute bucket, the series adding up to the totals', async () => {
    const body = await get([...range(ragged), ['group_by', 'tenant.id'], ['top', '3'], ['bucket', '5m'], ['metrics', 'cached']]);
    expect(body.metrics).toEqual(['requests', 'cached']);
    const mine = inRange(ragged);
    expectCached(body.totals, mine, 'ragged');
    const named = body.groups.filter((g) => !g.other).map((g) => g.key);
    for (const g of body.groups)
      expectCached(
        g.totals,
        mine.filter((r) => (g.other ? !named.includes(r.tenant) : r.tenant === g.key)),
        `tenant ${g.label}`,
      );
    const origin = (BigInt(Date.parse(ragged.from)) * NS_PER_MS) / (300_000n * NS_PER_MS);
    const perBucket = new Array<number>(body.bucket.count).fill(0);
    for (const r of mine) if (r.cached) perBucket[Number(r.startNs / (300_000n * NS_PER_MS) - origin)]++;
    expect(body.series?.map((v) => v.cachedRequests)).toEqual(perBucket);
  });

  it("each counted measure's drill-down term selects exactly the requests it counts", async () => {
    const totals = (await get([...range(hours), ['series', 'false']])).totals;
    const terms = METRICS.flatMap((m) => m.measures).filter((m) => m.term !== undefined);
    expect(terms.map((m) => m.column)).toEqual(['cached_requests', 'errors']);
    for (const m of terms) {
      const filtered = await get([...range(hours), ['series', 'false'], ['metrics', 'requests'], ['where', m.term ?? '']]);
      expect(filtered.totals.requests, m.term).toBe((totals as unknown as Record<string, number>)[m.field ?? '']);
      expect(filtered.totals.requests, m.term).toBeGreaterThan(0);
    }
  });

  it('the rollup path counts it exactly from the traces when it is named', async () => {
    expect(await drainRollups(database.db)).toBeGreaterThan(0);
    const requests: [string, string][][] = [
      [...range(ragged), ['group_by', 'tenant.id'], ['top', '3'], ['bucket', '5m'], ['metrics', 'requests,cached,errors']],
      [...range(hours), ['group_by', 'llm.model'], ['bucket', '1h'], ['metrics', 'cached']],
      [...range(hours), ['where', 'tenant.id=acme-corp'], ['series', 'false'], ['metrics', 'cached,users']],
    ];
    for (const params of requests) {
      const { rolled, exact } = await both(params);
      expect(rolled.source).toBe('rollup');
      expect(exact.source).toBe('traces');
      expect(rolled.metrics).toEqual(exact.metrics);
      const pick = (v: MetricValues) => [v.requests, v.cachedRequests, v.cachedShare, v.estimated.cachedRequests];
      expect(pick(rolled.totals)).toEqual(pick(exact.totals));
      expect(rolled.groups.map((g) => [g.label, ...pick(g.totals)])).toEqual(exact.groups.map((g) => [g.label, ...pick(g.totals)]));
      expect(rolled.series?.map(pick)).toEqual(exact.series?.map(pick));
      expect(rolled.groups.map((g) => g.series?.map(pick))).toEqual(exact.groups.map((g) => g.series?.map(pick)));
    }
    const { rolled } = await both([...range(hours), ['series', 'false'], ['metrics', 'cached']]);
    expectCached(rolled.totals, rows, 'rolled');
  });

  it('under the default "all metrics" the rollup path leaves it out and says so', async () => {
    const { rolled, exact } = await both([...range(hours), ['bucket', '1h']]);
    expect(rolled.source).toBe('rollup');
    expect(rolled.metrics).not.toContain('cached');
    expect(rolled.totals.cachedRequests).toBeUndefined();
    expect(exact.metrics).toContain('cached');
    expect(rolled.totals.requests).toBe(exact.totals.requests);
  });
});
