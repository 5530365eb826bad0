/**
 * GET /api/live on PGlite and Postgres: the live aggregates of requests stored a few
 * minutes ago — totals, errors by class, percentiles, tokens, cache hits, fallbacks, cost
 * with its source, by model, route share with strategies — each checked against the same
 * figures computed here from the spans the test stored; the window (an older request is
 * out of 5m and in 24h), the `where` filter, the newest requests and the last error; and
 * the 400s for a bad window or filter.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { LiveSnapshot } from '../../lib/live/types';
import { PriceBook, costOf } from '../../lib/pricing';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';
import { llmRequestAttributes } from '../support/llm-request';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const NS_PER_MS = 1_000_000n;
const str = (s: string) => ({ stringValue: s });
const int = (n: number) => ({ intValue: String(n) });
const bool = (b: boolean) => ({ boolValue: b });

type Req = {
  tenant: string;
  model: string;
  secondsAgo: number;
  latencyMs: number;
  status?: number;
  errorSpan?: boolean;
  input: number;
  output: number;
  cost?: number;
  ttftMs?: number;
  route?: string;
  strategy?: string;
  fallback?: boolean;
  cached?: number;
  warm?: boolean;
  session?: string;
  requested?: string;
  message?: string;
};

/** The requests, oldest first; the last one is 2 hours old (outside a 5-minute window). */
const REQUESTS: Req[] = [
  {
    tenant: 'acme',
    model: 'gpt-4o-mini',
    secondsAgo: 240,
    latencyMs: 1100,
    status: 200,
    input: 1000,
    output: 200,
    cost: 0.01,
    ttftMs: 100,
    route: 'code',
    strategy: 'llm_router',
    cached: 400,
    session: 's1',
    requested: 'router:auto',
  },
  {
    tenant: 'acme',
    model: 'gpt-4o-mini',
    secondsAgo: 200,
    latencyMs: 50,
    status: 429,
    input: 100,
    output: 0,
    cost: 0.0001,
    route: 'code',
    strategy: 'llm_router',
    fallback: true,
    session: 's1',
    message: 'rate limit exceeded',
  },
  {
    tenant: 'globex',
    model: 'my-finetune',
    secondsAgo: 150,
    latencyMs: 800,
    status: 200,
    input: 100,
    output: 10,
    ttftMs: 300,
    route: 'summarize',
    strategy: 'model_alias',
    warm: true,
    session: 's2',
  },
  { tenant: 'globex', model: 'gpt-4o', secondsAgo: 100, latencyMs: 3000, status: 502, errorSpan: true, input: 500, output: 0, message: 'upstream 500' },
  {
    tenant: 'acme',
    model: 'gpt-4o-mini',
    secondsAgo: 60,
    latencyMs: 200,
    errorSpan: true,
    input: 10,
    output: 5,
    cost: 0.001,
    ttftMs: 50,
    route: 'code',
    strategy: 'model_alias',
    session: 's3',
  },
  { tenant: 'acme', model: 'gpt-4o', secondsAgo: 7200, latencyMs: 400, status: 200, input: 10, output: 10, cost: 0.5 },
];

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

describeEachDatabase('live traffic (GET /api/live)', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const nowMs = Date.now();
  const startMs = (r: Req) => nowMs - r.secondsAgo * 1000;

  beforeAll(async () => {
    resetConfigForTests();
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const spans = REQUESTS.map((r, i) => {
      const attributes = llmRequestAttributes(r);
      if (r.status !== undefined) attributes['http.status_code'] = str(String(r.status));
      if (r.ttftMs !== undefined) attributes['llm.time_to_first_token'] = { doubleValue: r.ttftMs };
      if (r.route) attributes['plano.route.name'] = str(r.route);
      if (r.strategy) attributes['routing.strategy'] = str(r.strategy);
      if (r.fallback !== undefined) attributes['routing.is_fallback'] = bool(r.fallback);
      if (r.cached !== undefined) attributes['llm.usage.cached_input_tokens'] = int(r.cached);
      if (r.warm !== undefined) attributes['plano.cache.warm'] = bool(r.warm);
      if (r.session) attributes['session.id'] = str(r.session);
      if (r.requested) attributes['model.requested'] = str(r.requested);
      if (r.message) attributes['error.message'] = str(r.message);
      attributes['llm.is_streaming'] = bool(r.ttftMs !== undefined);
      const start = BigInt(startMs(r)) * NS_PER_MS;
      return spanRecord({
        traceId: (i + 1).toString(16).padStart(32, 'a'),
        spanId: (i + 1).toString(16).padStart(16, 'b'),
        service: 'plano(llm)',
        statusCode: r.errorSpan ? 2 : 0,
        startTimeUnixNano: start,
        endTimeUnixNano: start + BigInt(r.latencyMs) * NS_PER_MS,
        attributes,
      });
    });
    await storeRecords(database.db, spans);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const live = async (params: Record<string, string> | URLSearchParams) => {
    const res = await fetch(`${server.url}/api/live?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as LiveSnapshot & { error?: string; column?: number } };
  };
  const inWindow = REQUESTS.filter((r) => r.secondsAgo <= 300);
  const failed = (r: Req) => r.errorSpan === true || (r.status ?? 0) >= 400;
  const book = new PriceBook();
  const computedUsd = (r: Req) => {
    const price = book.priceAt(r.model, startMs(r));
    return price ? costOf({ input: r.input, output: r.output, cachedInput: r.cached ?? null }, price.rates) : null;
  };

  it('totals: requests, errors by class, tokens, cache hits, fallbacks, percentiles and sessions of the window', async () => {
    const { status, body } = await live({ since: '5m' });
    expect(status).toBe(200);
    const t = body.totals;
    expect(t.requests).toBe(inWindow.length);
    expect(t.errors4xx).toBe(inWindow.filter((r) => (r.status ?? 0) >= 400 && (r.status ?? 0) < 500).length);
    expect(t.errors5xx).toBe(inWindow.filter((r) => (r.status ?? 0) >= 500).length);
    expect(t.errorsOther).toBe(inWindow.filter((r) => r.errorSpan && r.status === undefined).length);
    expect(t.errors).toBe(inWindow.filter(failed).length);
    expect(t.inputTokens).toBe(inWindow.reduce((s, r) => s + r.input, 0));
    expect(t.outputTokens).toBe(inWindow.reduce((s, r) => s + r.output, 0));
    expect(t.cachedTokens).toBe(400);
    expect(t.cacheHits).toBe(inWindow.filter((r) => (r.cached ?? 0) > 0 || r.warm).length);
    expect(t.cacheHitShare).toBeCloseTo(t.cacheHits / t.requests, 12);
    expect(t.fallbacks).toBe(inWindow.filter((r) => r.fallback).length);
    expect(t.sessions).toBe(new Set(inWindow.map((r) => r.session).filter(Boolean)).size);
    const latencies = inWindow.map((r) => r.latencyMs);
    expect(t.latencyMs.p50).toBeCloseTo(percentile(latencies, 0.5) ?? NaN, 6);
    expect(t.latencyMs.p95).toBeCloseTo(percentile(latencies, 0.95) ?? NaN, 6);
    const ttfts = inWindow.flatMap((r) => (r.ttftMs === undefined ? [] : [r.ttftMs]));
    expect(t.ttftMs.p50).toBeCloseTo(percentile(ttfts, 0.5) ?? NaN, 6);
    expect(t.ttftMs.p99).toBeCloseTo(percentile(ttfts, 0.99) ?? NaN, 6);
  });

  it('cost: reported, computed from the catalog, and the unknown model counted and named, never $0', async () => {
    const { body } = await live({ since: '5m' });
    const c = body.totals.cost;
    const reported = inWindow.filter((r) => r.cost !== undefined);
    expect(c.reportedUsd).toBeCloseTo(
      reported.reduce((s, r) => s + (r.cost ?? 0), 0),
      12,
    );
    const priced = inWindow.filter((r) => r.cost === undefined && computedUsd(r) !== null);
    expect(priced.map((r) => r.model)).toEqual(['gpt-4o']);
    expect(c.computedUsd).toBeCloseTo(
      priced.reduce((s, r) => s + (computedUsd(r) ?? 0), 0),
      12,
    );
    expect(c.usd).toBeCloseTo((c.reportedUsd ?? 0) + (c.computedUsd ?? 0), 12);
    expect(c.source).toBe('reported + computed');
    expect(c.unpricedRequests).toBe(1);
    expect(body.unpricedNote).toBe('1 request of `my-finetune` has no price');
    const finetune = body.models.find((m) => m.model === 'my-finetune');
    expect(finetune?.cost).toMatchObject({ usd: null, source: 'unknown', unpricedRequests: 1 });
  });

  it('by model: requests, errors, tokens, p50/p95 latency and TTFT, tok/s, cost; most expensive first', async () => {
    const { body } = await live({ since: '5m' });
    const models = [...new Set(inWindow.map((r) => r.model))];
    expect(body.models.map((m) => m.model).sort()).toEqual(models.sort());
    for (const row of body.models) {
      const mine = inWindow.filter((r) => r.model === row.model);
      expect(row.requests, `${row.model}`).toBe(mine.length);
      expect(row.errors).toBe(mine.filter(failed).length);
      expect(row.inputTokens).toBe(mine.reduce((s, r) => s + r.input, 0));
      expect(row.latencyMs.p95).toBeCloseTo(
        percentile(
          mine.map((r) => r.latencyMs),
          0.95,
        ) ?? NaN,
        6,
      );
      const ttfts = mine.flatMap((r) => (r.ttftMs === undefined ? [] : [r.ttftMs]));
      if (ttfts.length === 0) expect(row.ttftMs.p50).toBeNull();
      else expect(row.ttftMs.p50).toBeCloseTo(percentile(ttfts, 0.5) ?? NaN, 6);
      const tps = mine.flatMap((r) => (r.output > 0 && r.latencyMs - (r.ttftMs ?? 0) > 0 ? [(r.output * 1000) / (r.latencyMs - (r.ttftMs ?? 0))] : []));
      if (tps.length === 0) expect(row.tokensPerSecond).toBeNull();
      else expect(row.tokensPerSecond).toBeCloseTo(tps.reduce((a, b) => a + b, 0) / tps.length, 6);
    }
    const costs = body.models.map((m) => m.cost.usd ?? -1);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });

  it('route share with its strategies and fallbacks; requests without a route last', async () => {
    const { body } = await live({ since: '5m' });
    const code = body.routes.find((r) => r.route === 'code');
    const codeReqs = inWindow.filter((r) => r.route === 'code');
    expect(code).toMatchObject({ requests: codeReqs.length, fallbacks: 1, errors: codeReqs.filter(failed).length });
    expect(code?.share).toBeCloseTo(codeReqs.length / inWindow.length, 12);
    expect(code?.strategies).toEqual([
      { strategy: 'llm_router', requests: 2, fallbacks: 1 },
      { strategy: 'model_alias', requests: 1, fallbacks: 0 },
    ]);
    expect(body.routes.map((r) => r.route)).toEqual(['code', 'summarize', null]);
    expect(body.strategies.find((s) => s.strategy === 'model_alias')?.requests).toBe(2);
  });

  it('the newest requests, newest first, and the last error, with their details and cost sources', async () => {
    const { body } = await live({ since: '5m' });
    const newest = [...inWindow].sort((a, b) => a.secondsAgo - b.secondsAgo);
    expect(body.recent.map((c) => c.model)).toEqual(newest.map((r) => r.model));
    const first = body.recent.at(-1);
    expect(first).toMatchObject({ route: 'code', strategy: 'llm_router', requestedModel: 'router:auto', cacheHit: true, cachedTokens: 400, streaming: true });
    expect(first?.cost).toMatchObject({ usd: 0.01, source: 'reported' });
    expect(first?.tokensPerSecond).toBeCloseTo((200 * 1000) / (1100 - 100), 6);
    const gpt4o = body.recent.find((c) => c.model === 'gpt-4o');
    expect(gpt4o?.cost?.source).toBe('computed');
    expect(body.recent.find((c) => c.model === 'my-finetune')?.cost).toMatchObject({ usd: null, source: 'unknown' });
    // The newest failure: the error span without an HTTP status, 60 s ago.
    expect(body.lastError).toMatchObject({ model: 'gpt-4o-mini', statusCode: null, error: true });
    const failing = await live({ since: '5m', where: 'http.status_code>=500' });
    expect(failing.body.lastError).toMatchObject({ model: 'gpt-4o', statusCode: 502, errorMessage: 'upstream 500' });
  });

  it('the window and the where filter choose the requests', async () => {
    const day = await live({ since: '24h' });
    expect(day.body.totals.requests).toBe(REQUESTS.length);
    const acme = await live({ since: '5m', where: 'tenant.id=acme' });
    expect(acme.body.totals.requests).toBe(inWindow.filter((r) => r.tenant === 'acme').length);
    expect(acme.body.where).toBe('tenant.id = acme');
    const none = await live({ since: '5m', where: 'tenant.id=nobody' });
    expect(none.body.totals).toMatchObject({ requests: 0, errors: 0, inputTokens: null, cacheHitShare: null });
    expect(none.body.totals.cost).toMatchObject({ usd: null, source: null, unpricedRequests: 0 });
    expect(none.body.recent).toEqual([]);
    expect(none.body.lastError).toBeNull();
  });

  it('a bad window or filter is a 400 that says what is wrong', async () => {
    const long = await live({ since: '2d' });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(/'since' must be at most 24h/);
    const bad = await live({ since: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/invalid 'since': soon/);
    const where = await live({ where: 'http.status_code>=' });
    expect(where.status).toBe(400);
    expect(where.body.column).toBe(19);
    const recent = await live({ recent: '0' });
    expect(recent.status).toBe(400);
    expect(recent.body.error).toMatch(/recent/);
  });
});
