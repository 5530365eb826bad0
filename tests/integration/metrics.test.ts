/**
 * GET /api/metrics over demo Plano traces ingested through the real route, on
 * PGlite and Postgres. Every expected figure is computed here from the generated
 * data (percentiles with percentile_cont's own interpolation).
 *
 * Three windows of traffic:
 * - main: the last 2 hours, unsampled (weight 1);
 * - config-sampled: 4–3 hours ago, ingested with TRACEDECK_SAMPLING=plano(inbound)=20,*=100 (weight 5);
 * - tracestate-sampled: 6–5 hours ago, root spans carrying `ot=th:c` (weight 4).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { OtlpJsonRequest } from '../../lib/demo/plano-traces';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, demoRequests, flattenRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const HOUR_MS = 3_600_000;
const NS_PER_MS = 1_000_000n;

/** percentile_cont: linear interpolation between the two nearest ranks of the sorted values. */
function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

type Expected = {
  traceId: string;
  startNs: bigint;
  tenant: string;
  user: string;
  session: string;
  model: string;
  target: string | null;
  error: boolean;
  clientError: boolean;
  durationMs: number;
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
};

/** What the `traces` row of a demo trace should say, derived from its spans. */
function expectedOf(t: DemoTrace): Expected {
  const root = t.spans.find((s) => s.service === 'plano(inbound)');
  const status = num(root?.attrs['http.status_code']);
  const sum = (key: string) => t.spans.reduce((acc, s) => acc + (key in s.attrs ? num(s.attrs[key]) : 0), 0);
  const byStart = [...t.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const ttft = byStart.find((s) => 'llm.time_to_first_token' in s.attrs);
  const target = byStart.find((s) => 'http.target' in s.attrs);
  return {
    traceId: t.traceId,
    startNs: t.startNs,
    tenant: String(t.spans[0].attrs['tenant.id']),
    user: String(t.spans[0].attrs['user.id']),
    session: String(t.spans[0].attrs['session.id']),
    model: String(byStart.find((s) => 'llm.model' in s.attrs)?.attrs['llm.model']),
    target: target ? String(target.attrs['http.target']) : null,
    error: t.spans.some((s) => s.statusCode === 2) || status >= 500,
    clientError: status >= 400 && status < 500,
    durationMs: Number(t.endNs - t.startNs) / 1e6,
    ttftMs: ttft ? num(ttft.attrs['llm.time_to_first_token']) : null,
    promptTokens: sum('llm.usage.prompt_tokens'),
    completionTokens: sum('llm.usage.completion_tokens'),
    totalTokens: sum('llm.usage.total_tokens'),
    cost: sum('llm.usage.total_cost_usd'),
  };
}

/** Expected totals of a set of traces, `weight` each (the estimates). */
function totalsOf(rows: Expected[], weight = 1) {
  const ttfts = rows.map((r) => r.ttftMs).filter((v): v is number => v !== null);
  const durations = rows.map((r) => r.durationMs);
  return {
    requests: rows.length,
    errors: rows.filter((r) => r.error).length,
    clientErrors: rows.filter((r) => r.clientError).length,
    latencyP50Ms: percentileCont(durations, 0.5),
    latencyP95Ms: percentileCont(durations, 0.95),
    latencyP99Ms: percentileCont(durations, 0.99),
    ttftP50Ms: percentileCont(ttfts, 0.5),
    ttftP95Ms: percentileCont(ttfts, 0.95),
    promptTokens: rows.reduce((a, r) => a + r.promptTokens, 0),
    completionTokens: rows.reduce((a, r) => a + r.completionTokens, 0),
    totalTokens: rows.reduce((a, r) => a + r.totalTokens, 0),
    costUsd: rows.reduce((a, r) => a + r.cost, 0),
    users: new Set(rows.map((r) => r.user)).size,
    sessions: new Set(rows.map((r) => r.session)).size,
    estimated: {
      requests: rows.length * weight,
      errors: rows.filter((r) => r.error).length * weight,
      totalTokens: rows.reduce((a, r) => a + r.totalTokens, 0) * weight,
      costUsd: rows.reduce((a, r) => a + r.cost, 0) * weight,
    },
  };
}

function expectTotals(actual: MetricValues, rows: Expected[], label: string, weight = 1) {
  const e = totalsOf(rows, weight);
  expect(actual.requests, `${label} requests`).toBe(e.requests);
  expect(actual.errors, `${label} errors`).toBe(e.errors);
  expect(actual.clientErrors, `${label} 4xx`).toBe(e.clientErrors);
  expect(actual.errorRate, `${label} error rate`).toBeCloseTo(e.requests ? e.errors / e.requests : 0, 12);
  expect(actual.promptTokens, `${label} prompt tokens`).toBe(e.promptTokens);
  expect(actual.completionTokens, `${label} completion tokens`).toBe(e.completionTokens);
  expect(actual.totalTokens, `${label} total tokens`).toBe(e.totalTokens);
  expect(actual.costUsd, `${label} cost`).toBeCloseTo(e.costUsd, 9);
  expect(actual.users, `${label} users`).toBe(e.users);
  expect(actual.sessions, `${label} sessions`).toBe(e.sessions);
  for (const key of ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'ttftP50Ms', 'ttftP95Ms'] as const) {
    const want = e[key];
    if (want === null) expect(actual[key], `${label} ${key}`).toBeNull();
    else expect(actual[key], `${label} ${key}`).toBeCloseTo(want, 6);
  }
  expect(actual.estimated.requests, `${label} ≈requests`).toBeCloseTo(e.estimated.requests, 9);
  expect(actual.estimated.errors, `${label} ≈errors`).toBeCloseTo(e.estimated.errors, 9);
  expect(actual.estimated.totalTokens, `${label} ≈tokens`).toBeCloseTo(e.estimated.totalTokens, 6);
  expect(actual.estimated.costUsd, `${label} ≈cost`).toBeCloseTo(e.estimated.costUsd, 9);
}

const groupBy = <K>(rows: Expected[], key: (r: Expected) => K) => {
  const out = new Map<K, Expected[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
};

/** Top `n` keys by count (ties by key, ascending), as the API ranks them. */
const topKeys = (groups: Map<string, Expected[]>, n: number) =>
  [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([k]) => k);

function withTraceState(requests: OtlpJsonRequest[], traceState: string): OtlpJsonRequest[] {
  for (const req of requests)
    for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) if (!s.parentSpanId) Object.assign(s, { traceState });
  return requests;
}

describeEachDatabase('metrics API over demo traces', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 7_000;
  const main = { from: new Date(endMs - 2 * HOUR_MS).toISOString(), to: new Date(endMs).toISOString() };
  const configWindow = { from: new Date(endMs - 4 * HOUR_MS).toISOString(), to: new Date(endMs - 3 * HOUR_MS).toISOString() };
  const stateWindow = { from: new Date(endMs - 6 * HOUR_MS).toISOString(), to: new Date(endMs - 5 * HOUR_MS).toISOString() };
  let rows: Expected[];
  const flatById = new Map<string, DemoTrace>();
  let configRows: Expected[];
  let stateRows: Expected[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(220, 41, endMs, 2);
    const flat = flattenRequests(requests);
    for (const t of flat) flatById.set(t.traceId, t);
    rows = flat.map(expectedOf);
    await postDemo(server.url, requests);

    const configRequests = demoRequests(40, 42, endMs - 3 * HOUR_MS, 1);
    configRows = flattenRequests(configRequests).map(expectedOf);
    process.env.TRACEDECK_SAMPLING = 'plano(inbound)=20,*=100';
    resetConfigForTests();
    try {
      await postDemo(server.url, configRequests);
    } finally {
      delete process.env.TRACEDECK_SAMPLING;
      resetConfigForTests();
    }

    const stateRequests = withTraceState(demoRequests(30, 43, endMs - 5 * HOUR_MS, 1), 'ot=th:c;rv:0123456789abcd');
    stateRows = flattenRequests(stateRequests).map(expectedOf);
    await postDemo(server.url, stateRequests);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const get = async (params: [string, string][]) => {
    const res = await fetch(`${server.url}/api/metrics?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as MetricsResponse & { error?: string; column?: number } };
  };
  const range = (w: { from: string; to: string }): [string, string][] => [
    ['from', w.from],
    ['to', w.to],
  ];

  it('totals: counts, errors, 4xx, tokens, cost, distinct users/sessions and percentiles match the data', async () => {
    const { status, body } = await get([...range(main), ['series', 'false']]);
    expect(status).toBe(200);
    expectTotals(body.totals, rows, 'all');
    // The data exercises every definition.
    expect(rows.filter((r) => r.error).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.clientError).length).toBeGreaterThan(0);
    expect(body.coverage).toMatchObject({ requests: rows.length, withModel: rows.length, withCost: rows.length, withTokens: rows.length });
    expect(body.coverage.withTtft).toBe(rows.filter((r) => r.ttftMs !== null).length);
    expect(body.sampling.sampled).toBe(false);
  });

  it('group totals per tenant: the top N by requests, then one "other" holding the rest', async () => {
    const { body } = await get([...range(main), ['group_by', 'tenant.id'], ['top', '3'], ['series', 'false']]);
    const byTenant = groupBy(rows, (r) => r.tenant);
    const top = topKeys(byTenant, 3);
    expect(body.groups.map((g) => g.label)).toEqual([...top, 'other']);
    for (const g of body.groups) {
      const members = g.other ? rows.filter((r) => !top.includes(r.tenant)) : (byTenant.get(g.key ?? '') ?? []);
      expectTotals(g.totals, members, `tenant ${g.label}`);
    }
    expect(body.groupBy).toMatchObject({ key: 'tenant.id', source: 'column', drillKeys: ['tenant.id'], top: 3 });
    expect(body.groups.reduce((a, g) => a + g.totals.requests, 0)).toBe(rows.length);
  });

  it('per-user totals within one tenant (where tenant.id=…, group_by user.id)', async () => {
    const tenant = 'acme-corp';
    const { body } = await get([...range(main), ['where', `tenant.id=${tenant}`], ['group_by', 'user.id'], ['top', '100'], ['series', 'false']]);
    const mine = rows.filter((r) => r.tenant === tenant);
    expectTotals(body.totals, mine, tenant);
    const byUser = groupBy(mine, (r) => r.user);
    expect(body.groups.map((g) => g.key).sort()).toEqual([...byUser.keys()].sort());
    for (const g of body.groups) expectTotals(g.totals, byUser.get(g.key ?? '') ?? [], `user ${g.key}`);
  });

  it('groups by a key without a trace column through the first span carrying it', async () => {
    const { body } = await get([...range(main), ['group_by', 'http.target'], ['series', 'false']]);
    expect(body.groupBy?.source).toBe('span');
    const byTarget = groupBy(rows, (r) => r.target ?? '');
    expect(body.groups.map((g) => [g.key, g.totals.requests])).toEqual(
      [...byTarget.entries()].sort((a, b) => b[1].length - a[1].length).map(([k, v]) => [k, v.length]),
    );
  });

  it('groups by model (the llm_model column) and reports the keys a drill-down should test', async () => {
    const { body } = await get([...range(main), ['group_by', 'llm.model'], ['top', '2'], ['series', 'false']]);
    const byModel = groupBy(rows, (r) => r.model);
    const top = topKeys(byModel, 2);
    expect(body.groups.map((g) => g.label)).toEqual([...top, 'other']);
    expect(body.groups[0].totals.requests).toBe(byModel.get(top[0])?.length);
    expect(body.groupBy?.drillKeys).toEqual(['llm.model']);
  });

  it('a key no trace carries puts everything in the "(none)" group', async () => {
    const { body } = await get([...range(main), ['group_by', 'no.such.key'], ['series', 'false']]);
    expect(body.groups).toHaveLength(1);
    expect(body.groups[0]).toMatchObject({ key: null, other: false, label: '(none)' });
    expect(body.groups[0].totals.requests).toBe(rows.length);
  });

  it('the "(none)" group ranks like any other, and "other" takes the rest', async () => {
    const { body } = await get([...range(main), ['group_by', 'error.message'], ['top', '2'], ['series', 'false']]);
    const messageOf = (r: Expected) => {
      const t = flatById.get(r.traceId);
      const span = t
        ? [...t.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0)).find((x) => 'error.message' in x.attrs)
        : undefined;
      return span ? String(span.attrs['error.message']) : null;
    };
    const counts = new Map<string | null, number>();
    for (const r of rows) counts.set(messageOf(r), (counts.get(messageOf(r)) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1));
    expect(ranked[0][0]).toBeNull(); // most requests carry no error message
    expect(body.groups.map((g) => [g.label, g.totals.requests])).toEqual([
      ['(none)', ranked[0][1]],
      [ranked[1][0], ranked[1][1]],
      ['other', ranked.slice(2).reduce((a, [, n]) => a + n, 0)],
    ]);
  });

  it('series: 1m buckets aligned to the minute, empty buckets filled with zeros, summing to the totals', async () => {
    const { body } = await get([...range(main), ['bucket', '1m'], ['group_by', 'tenant.id'], ['top', '2']]);
    const fromNs = BigInt(Date.parse(main.from)) * NS_PER_MS;
    const sizeNs = 60_000n * NS_PER_MS;
    const origin = (fromNs / sizeNs) * sizeNs;
    const expectedCount = Number((BigInt(Date.parse(main.to)) * NS_PER_MS - 1n - origin) / sizeNs) + 1;
    expect(body.bucket).toMatchObject({ size: '1m', ms: 60_000, auto: false, count: expectedCount });
    expect(body.buckets).toHaveLength(expectedCount);
    expect(body.buckets[0].start).toBe(main.from);
    expect(body.buckets[expectedCount - 1].end).toBe(main.to);
    const perBucket = new Array<number>(expectedCount).fill(0);
    for (const r of rows) perBucket[Number((r.startNs - origin) / sizeNs)]++;
    expect(body.series?.map((v) => v.requests)).toEqual(perBucket);
    expect(perBucket.some((n) => n === 0)).toBe(true); // there are empty minutes to fill
    const empty = body.series?.find((v) => v.requests === 0);
    // Sums over nothing are null (unknown), counts are 0.
    expect(empty).toMatchObject({ requests: 0, errors: 0, totalTokens: null, costUsd: null, latencyP95Ms: null, estimated: { requests: 0, costUsd: null } });
    for (const g of body.groups) {
      expect(g.series).toHaveLength(expectedCount);
      expect(g.series?.reduce((a, v) => a + v.requests, 0)).toBe(g.totals.requests);
      expect(g.series?.reduce((a, v) => a + (v.costUsd ?? 0), 0)).toBeCloseTo(g.totals.costUsd ?? 0, 9);
    }
    // Per bucket, the groups add up to everything.
    for (let i = 0; i < expectedCount; i++) expect(body.groups.reduce((a, g) => a + (g.series?.[i].requests ?? 0), 0)).toBe(perBucket[i]);
    // Percentiles per bucket are those of the bucket's traces.
    const busiest = perBucket.indexOf(Math.max(...perBucket));
    const inBusiest = rows.filter((r) => Number((r.startNs - origin) / sizeNs) === busiest);
    expect(body.series?.[busiest].latencyP95Ms).toBeCloseTo(
      percentileCont(
        inBusiest.map((r) => r.durationMs),
        0.95,
      ) ?? NaN,
      6,
    );
  });

  it('auto picks a bucket giving 60–120 points', async () => {
    const { body } = await get([...range(main)]);
    expect(body.bucket.auto).toBe(true);
    expect(body.bucket.count).toBeGreaterThanOrEqual(60);
    expect(body.bucket.count).toBeLessThanOrEqual(121);
  });

  it('metrics= limits the families computed', async () => {
    const { body } = await get([...range(main), ['metrics', 'requests,cost'], ['series', 'false']]);
    expect(body.metrics).toEqual(['requests', 'cost']);
    expect(body.totals.costUsd).toBeCloseTo(totalsOf(rows).costUsd, 9);
    expect(body.totals.latencyP50Ms).toBeUndefined();
    expect(body.totals.errors).toBeUndefined();
  });

  it('estimates weight requests, tokens and cost by the configured sampling rate (plano(inbound)=20 → ×5)', async () => {
    const { body } = await get([...range(configWindow), ['series', 'false'], ['group_by', 'tenant.id'], ['top', '100']]);
    expectTotals(body.totals, configRows, 'config-sampled', 5);
    expect(body.sampling).toMatchObject({ sampled: true, weightedRequests: configRows.length, minWeight: 5, maxWeight: 5 });
    for (const g of body.groups) expect(g.totals.estimated.requests).toBe(g.totals.requests * 5);
  });

  it('estimates follow the tracestate threshold of the root span (ot=th:c → ×4)', async () => {
    const { body } = await get([...range(stateWindow), ['series', 'false']]);
    expectTotals(body.totals, stateRows, 'tracestate-sampled', 4);
    expect(body.sampling).toMatchObject({ sampled: true, minWeight: 4, maxWeight: 4 });
  });

  it('estimates over mixed windows add each window at its own weight', async () => {
    const all = { from: stateWindow.from, to: main.to };
    const { body } = await get([...range(all), ['series', 'false'], ['metrics', 'requests']]);
    expect(body.totals.requests).toBe(rows.length + configRows.length + stateRows.length);
    expect(body.totals.estimated.requests).toBe(rows.length + 5 * configRows.length + 4 * stateRows.length);
    expect(body.sampling).toMatchObject({ minWeight: 1, maxWeight: 5 });
  });

  it('a malformed filter is the same 400 {error, column} as the trace list', async () => {
    const { status, body } = await get([['where', 'http.status_code>=']]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/expected a value after '>='/);
    expect(body.column).toBe(19);
    const kindError = await get([['where', 'kind=sideways']]);
    expect(kindError.status).toBe(400);
    expect(kindError.body.error).toMatch(/unknown span kind/);
  });

  it('bad group_by, bucket, metric, top and range are 400s naming the parameter', async () => {
    expect((await get([['group_by', 'bad key']])).body.error).toMatch(/group_by/);
    expect((await get([['group_by', 'duration']])).body.error).toMatch(/intrinsic/);
    expect((await get([['bucket', '7x']])).body.error).toMatch(/bucket/);
    expect(
      (
        await get([
          ['bucket', '1s'],
          ['since', '1d'],
        ])
      ).body.error,
    ).toMatch(/at most/);
    expect((await get([['metrics', 'latency,vibes']])).body.error).toMatch(/unknown metric 'vibes'/);
    expect((await get([['top', '0']])).status).toBe(400);
    expect((await get([['from', 'yesterday-ish']])).status).toBe(400);
  });

  it('a range with no data answers zeros and null percentiles, with every bucket present', async () => {
    const { status, body } = await get([
      ['from', '2001-01-01T00:00:00Z'],
      ['to', '2001-01-01T01:00:00Z'],
      ['group_by', 'tenant.id'],
    ]);
    expect(status).toBe(200);
    expect(body.totals).toMatchObject({ requests: 0, errors: 0, latencyP50Ms: null, costUsd: null, users: 0 });
    expect(body.groups).toEqual([]);
    expect(body.series).toHaveLength(body.bucket.count);
    expect(body.series?.every((v) => v.requests === 0)).toBe(true);
  });
});
