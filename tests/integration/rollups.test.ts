/**
 * Chart rollups (db/rollups.ts, db/queries/metrics-rollup.ts) on PGlite and Postgres:
 * spans go in through storeSpans — in shuffled batches, with retries, late spans that
 * move a trace's start into an earlier granule, and spans adopted into their tenant —
 * and every rollup answer is compared with the exact traces path over the same data:
 * counts, errors, tokens, cost, estimates and coverage equal; percentiles within the
 * histogram's bound. Granules still dirty (before the roller ran) must not go stale.
 */
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spanRecord } from '../support/span-record';
import { storeRecords as storeSpans } from '../support/store-spans';
import { DIMS, GRANULE_NS, drainRollups, floorTo, pauseRollups, setUserRollupLimitsForTests } from '../../db/rollups';
import { HIST_RATIO, histBin } from '../../lib/metrics/histogram';
import { resetConfigForTests } from '../../server/config';
import { type MetricsContext, queryMetrics } from '../../server/metrics/request';
import { parseMetricsParams } from '../../server/metrics/params';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../lib/otlp/span-record';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { expectSameCells } from '../support/metrics-cells';
import { random } from '../support/random';

/** What GET /api/metrics answers for these query parameters (the route's two steps). */
const metricsFromParams = (db: TestDatabase['db'], params: URLSearchParams, ctx: MetricsContext) => queryMetrics(db, parseMetricsParams(params, ctx), ctx);

const NS_PER_MS = 1_000_000n;
const MIN_NS = 60_000n * NS_PER_MS;
/** 2026-01-05T00:00:00Z. */
const BASE_NS = 1_767_571_200_000n * NS_PER_MS;
const TENANTS = ['acme-corp', 'globex', 'initech', 'umbrella', 'hooli', ''];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b', null];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const str = (v: string): OtlpAnyValue => ({ stringValue: v });
const int = (v: number): OtlpAnyValue => ({ intValue: String(v) });
const dbl = (v: number): OtlpAnyValue => ({ doubleValue: v });

function span(
  traceId: string,
  spanId: number,
  parent: number | null,
  startNs: bigint,
  endNs: bigint,
  attributes: AttributeMap,
  opts: Partial<SpanRecord> = {},
): SpanRecord {
  return spanRecord({
    traceId,
    spanId: hex(spanId, 16),
    parentSpanId: parent === null ? null : hex(parent, 16),
    name: parent === null ? 'POST /v1/chat/completions' : 'llm',
    kind: parent === null ? 2 : 3,
    service: parent === null ? 'plano(inbound)' : 'plano(llm)',
    startTimeUnixNano: startNs,
    endTimeUnixNano: endNs,
    attributes,
    ...opts,
  });
}

type Workload = { main: SpanRecord[][]; late: SpanRecord[]; orphans: SpanRecord[]; adopters: SpanRecord[] };

/**
 * ~1,400 traces over 4 hours: a root (tenant, user, session, HTTP status) and an LLM
 * span (model, tokens, cost, TTFT, sometimes an error); durations log-uniform from
 * 0.3 ms to 2 min; some roots sampled (weight 4). `late`: for 1 trace in 12 an earlier
 * span (6 min before the root, with tokens and sometimes an error) sent afterwards.
 * `orphans`/`adopters`: LLM spans without a tenant first, their tenant's root later.
 */
function workload(): Workload {
  const rand = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() ** 1.6 * items.length)];
  const all: SpanRecord[] = [];
  const late: SpanRecord[] = [];
  const orphans: SpanRecord[] = [];
  const adopters: SpanRecord[] = [];
  for (let i = 0; i < 1400; i++) {
    const traceId = hex(0xabc000 + i, 32);
    const start = BASE_NS + BigInt(Math.floor(rand() * 4 * 3_600_000)) * NS_PER_MS + BigInt(Math.floor(rand() * 1e6));
    const durMs = Math.exp(Math.log(0.3) + rand() * (Math.log(120_000) - Math.log(0.3)));
    const end = start + BigInt(Math.round(durMs * 1e6));
    const tenant = pick(TENANTS);
    const model = pick(MODELS);
    const r = rand();
    const status = r < 0.06 ? 502 : r < 0.12 ? 429 : 200;
    const rootAttrs: AttributeMap = { 'session.id': str(`ses_${i % 91}`), 'http.status_code': int(status) };
    // Some traces have no user: the "(none)" group of a chart by user.
    if (i % 7 !== 3) rootAttrs['user.id'] = str(`usr_${i % 37}`);
    if (tenant) rootAttrs['tenant.id'] = str(tenant);
    const llmAttrs: AttributeMap = {};
    if (model) llmAttrs['llm.model'] = str(model);
    if (rand() < 0.9) {
      const prompt = Math.floor(rand() * 2000);
      const completion = Math.floor(rand() * 800);
      Object.assign(llmAttrs, {
        'llm.usage.prompt_tokens': int(prompt),
        'llm.usage.completion_tokens': int(completion),
        'llm.usage.total_tokens': int(prompt + completion),
      });
    }
    if (rand() < 0.85) llmAttrs['llm.usage.total_cost_usd'] = dbl(Math.round(rand() * 1e6) / 1e7);
    if (rand() < 0.7) llmAttrs['llm.time_to_first_token'] = dbl(Math.round(Math.exp(Math.log(0.5) + rand() * Math.log(20_000)) * 1000) / 1000);
    const sampled = rand() < 0.15;
    const root = span(traceId, i * 10 + 1, null, start, end, rootAttrs, sampled ? { traceState: 'ot=th:c;rv:0123456789abcd' } : {});
    const llm = span(traceId, i * 10 + 2, i * 10 + 1, start + (end - start) / 10n, end - (end - start) / 10n, llmAttrs, rand() < 0.08 ? { statusCode: 2 } : {});
    if (i % 40 === 7 && tenant) {
      // Stored without a tenant first (under ''), adopted when the root arrives.
      orphans.push(llm);
      adopters.push(root);
      continue;
    }
    all.push(root, llm);
    if (i % 12 === 5) {
      const early = start - 6n * MIN_NS;
      const extra: AttributeMap = { 'llm.usage.prompt_tokens': int(100), 'llm.usage.total_tokens': int(100) };
      if (tenant) extra['tenant.id'] = str(tenant);
      late.push(span(traceId, i * 10 + 3, i * 10 + 1, early, start, extra, { name: 'retrieve', service: 'retriever', statusCode: i % 24 === 5 ? 2 : 0 }));
    }
  }
  // Shuffled into batches of ~150 spans, so a trace's spans often land in different batches.
  for (let k = all.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [all[k], all[j]] = [all[j], all[k]];
  }
  const main: SpanRecord[][] = [];
  for (let k = 0; k < all.length; k += 150) main.push(all.slice(k, k + 150));
  return { main, late, orphans, adopters };
}

const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
/** Ranges whose ends fall inside granules (partial granules read from traces). */
const RANGE_A = { from: iso(BASE_NS + 17n * MIN_NS + 23_000n * NS_PER_MS), to: iso(BASE_NS + 232n * MIN_NS + 11_000n * NS_PER_MS) };
const RANGE_ALL = { from: iso(BASE_NS - 60n * MIN_NS), to: iso(BASE_NS + 300n * MIN_NS) };

const SCALARS = ['requests', 'errors', 'clientErrors', 'promptTokens', 'completionTokens', 'totalTokens', 'firstNs', 'lastNs'] as const;
const PERCENTILES = ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'ttftP50Ms', 'ttftP95Ms'] as const;

/** Within one histogram bucket of the exact percentile (plus 1 ms below the first bucket's bound). */
function expectPercentile(actual: number | null | undefined, exact: number | null | undefined, label: string) {
  if (exact === null || exact === undefined) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  expect(Math.abs((actual as number) - exact), `${label}: ${actual} vs exact ${exact}`).toBeLessThanOrEqual((HIST_RATIO - 1) * Math.abs(exact) + 1);
}

function expectSameValues(rolled: MetricValues, exact: MetricValues, label: string) {
  for (const key of SCALARS) expect(rolled[key], `${label} ${key}`).toEqual(exact[key]);
  for (const key of ['costUsd'] as const) {
    if (exact[key] === null) expect(rolled[key], `${label} ${key}`).toBeNull();
    else expect(rolled[key], `${label} ${key}`).toBeCloseTo(exact[key] as number, 9);
  }
  for (const key of ['requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd'] as const) {
    const want = exact.estimated[key];
    if (want === null || want === undefined) expect(rolled.estimated[key] ?? null, `${label} ≈${key}`).toBeNull();
    else expect(rolled.estimated[key], `${label} ≈${key}`).toBeCloseTo(want, 6);
  }
  for (const key of PERCENTILES) expectPercentile(rolled[key], exact[key], `${label} ${key}`);
}

function expectSameAnswer(rolled: MetricsResponse, exact: MetricsResponse) {
  expect(rolled.source).toBe('rollup');
  expect(exact.source).toBe('traces');
  expect(rolled.bucket).toEqual(exact.bucket);
  expect(rolled.buckets).toEqual(exact.buckets);
  expect(rolled.coverage).toEqual(exact.coverage);
  expect(rolled.sampling).toEqual(exact.sampling);
  expect(rolled.groups.map((g) => [g.label, g.key, g.other])).toEqual(exact.groups.map((g) => [g.label, g.key, g.other]));
  expectSameCells(rolled, exact, expectSameValues);
}

describeEachDatabase('chart rollups', (kind) => {
  let database: TestDatabase;
  const data = workload();
  const tenantKey = 'tenant.id';

  /** The same request answered from the rollups (whatever their size) and from the traces alone. */
  async function both(params: [string, string][], tenantScope: string | null = null) {
    const ask = async (minTraces: string) => {
      process.env.TRACEDECK_ROLLUP_MIN_TRACES = minTraces;
      resetConfigForTests();
      return metricsFromParams(database.db, new URLSearchParams(params), { tenantKey, tenantScope });
    };
    return { rolled: await ask('0'), exact: await ask('1e15') };
  }

  const range = (r: { from: string; to: string }): [string, string][] => [
    ['from', r.from],
    ['to', r.to],
  ];
  const FAMILIES: [string, string] = ['metrics', 'requests,errors,latency,ttft,tokens,cost'];
  /** The chart requests the rollups serve: all tenants and one tenant, by tenant / model / nothing, one tenant by user, 5 min to 2 h buckets. */
  const REQUESTS: { name: string; params: [string, string][]; scope?: string }[] = [
    { name: 'all tenants by tenant, 5m, top 3 + other', params: [...range(RANGE_A), ['group_by', tenantKey], ['bucket', '5m'], ['top', '3'], FAMILIES] },
    { name: 'all tenants by model, 1h', params: [...range(RANGE_A), ['group_by', 'llm.model'], ['bucket', '1h'], FAMILIES] },
    { name: 'all tenants, no group, 2h', params: [...range(RANGE_ALL), ['bucket', '2h'], FAMILIES] },
    { name: 'all tenants by tenant, totals only', params: [...range(RANGE_ALL), ['group_by', tenantKey], ['series', 'false'], FAMILIES] },
    { name: 'one tenant by model, 15m', params: [...range(RANGE_A), ['where', 'tenant.id=acme-corp'], ['group_by', 'llm.model'], ['bucket', '15m'], FAMILIES] },
    { name: 'one tenant, no group, 1h', params: [...range(RANGE_A), ['where', 'tenant.id=globex'], ['bucket', '1h'], FAMILIES] },
    { name: 'one tenant by tenant, 10m', params: [...range(RANGE_A), ['where', 'tenant.id=initech'], ['group_by', tenantKey], ['bucket', '10m'], FAMILIES] },
    {
      name: 'a scoped reader (tenant scope, no where) by model, 30m',
      params: [...range(RANGE_A), ['group_by', 'llm.model'], ['bucket', '30m'], FAMILIES],
      scope: 'acme-corp',
    },
    {
      name: 'one tenant by user, 1h, top 5 + other',
      params: [...range(RANGE_A), ['where', 'tenant.id=acme-corp'], ['group_by', 'user.id'], ['bucket', '1h'], ['top', '5'], FAMILIES],
    },
    {
      name: 'one tenant by user, totals only (the table)',
      params: [...range(RANGE_A), ['where', 'tenant.id=globex'], ['group_by', 'user.id'], ['series', 'false'], ['top', '100'], FAMILIES],
    },
    {
      name: 'a scoped reader by user, 2h, top 8 (the chart)',
      params: [...range(RANGE_ALL), ['group_by', 'user.id'], ['bucket', '2h'], ['top', '8'], FAMILIES],
      scope: 'initech',
    },
    {
      name: 'the tenant-less traces by model, 1h',
      params: [...range(RANGE_ALL), ['where', 'tenant.id=""'], ['group_by', 'llm.model'], ['bucket', '1h'], FAMILIES],
    },
  ];

  async function expectAllSame() {
    for (const r of REQUESTS) {
      const { rolled, exact } = await both(r.params, r.scope ?? null);
      expect(exact.totals.requests, r.name).toBeGreaterThan(0);
      try {
        expectSameAnswer(rolled, exact);
      } catch (err) {
        throw new Error(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  const dirtyGranules = async () =>
    (await database.db.rows<{ bucket_ns: bigint }>(sql`SELECT DISTINCT bucket_ns FROM rollup_dirty ORDER BY 1`)).map((r) => BigInt(r.bucket_ns));

  const userRows = async (granuleMs: number) => {
    const [row] = await database.db.rows<{ n: number }>(
      sql`SELECT count(*)::integer AS n FROM trace_rollups WHERE granule_ms = ${granuleMs}::integer AND dims IN (${DIMS.tenantUser}, ${DIMS.tenantUserModel})`,
    );
    return Number(row.n);
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    // The test decides when the roller runs.
    pauseRollups(database.db);
    // The data's hours are open (5-minute user rows kept) until the last tests seal them.
    setUserRollupLimitsForTests({ fiveMinuteKeepMs: 10 * 365 * 86_400_000 });
    for (const batch of data.main) await storeSpans(database.db, batch);
    // An exporter retry of two batches changes nothing.
    for (const batch of data.main.slice(2, 4)) expect((await storeSpans(database.db, batch)).inserted).toBe(0);
    await storeSpans(database.db, data.orphans);
  });
  afterEach(() => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
  });
  afterAll(async () => {
    setUserRollupLimitsForTests(null);
    await database?.dispose();
  });

  it('the SQL histogram buckets and granules are the ones lib/metrics/histogram.ts and db/rollups.ts compute', async () => {
    const values = [0, 0.2, 0.999, 1, 1.0001, 1.41, 1.4143, 2, 3.5, 10, 99.9, 1000, 12_345.678, 300_000, 524_287.9, 524_288, 741_455.3, 1e9];
    const rows = await database.db.rows<{ ms: number; bin: number }>(
      sql`SELECT v AS ms, td_hist_bin(v) AS bin FROM unnest(${`{${values.join(',')}}`}::float8[]) AS v`,
    );
    expect(rows.map((r) => Number(r.bin))).toEqual(values.map(histBin));
    const times = [BASE_NS + 1n, BASE_NS + GRANULE_NS - 1n, BASE_NS + 7n * GRANULE_NS + 5n, -GRANULE_NS - 3n];
    const [g] = await database.db.rows<{ g: string }>(
      sql`SELECT array_to_string(ARRAY(SELECT td_rollup_granule(x) FROM unnest(${`{${times.join(',')}}`}::bigint[]) AS x), ',') AS g`,
    );
    expect(g.g.split(',').map(BigInt)).toEqual(times.map((t) => floorTo(t, GRANULE_NS)));
  });

  it('before the roller runs, nothing is rolled up and every granule of the data is dirty', async () => {
    const [n] = await database.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM trace_rollups`);
    expect(Number(n.n)).toBe(0);
    const starts = await database.db.rows<{ g: bigint }>(sql`SELECT DISTINCT td_rollup_granule(start_ns) AS g FROM traces ORDER BY 1`);
    expect(await dirtyGranules()).toEqual(starts.map((r) => BigInt(r.g)));
    // With nothing rolled, the estimate is 0: the traces path answers on its own.
    const answer = await metricsFromParams(database.db, new URLSearchParams([...range(RANGE_A), ['bucket', '5m']]), { tenantKey });
    expect(answer.source).toBe('traces');
  });

  it('after draining, the rollups answer every chart request exactly as the traces do (percentiles within a bucket)', async () => {
    expect(await drainRollups(database.db)).toBeGreaterThan(40);
    expect(await dirtyGranules()).toEqual([]);
    await expectAllSame();
  });

  it('late spans moving trace starts to earlier granules: dirty granules are read from traces, never stale', async () => {
    const before = new Set(await dirtyGranules());
    expect(before.size).toBe(0);
    const moved = await database.db.rows<{ start_ns: bigint }>(
      sql`SELECT start_ns FROM traces WHERE trace_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(data.late.map((s) => s.traceId))}::jsonb))`,
    );
    await storeSpans(database.db, data.late);
    // Both the old granule (the trace left it) and the new one (it arrived) are marked.
    const dirty = new Set(await dirtyGranules());
    for (const r of moved) expect(dirty.has(floorTo(BigInt(r.start_ns), GRANULE_NS))).toBe(true);
    for (const s of data.late) expect(dirty.has(floorTo(s.startTimeUnixNano, GRANULE_NS))).toBe(true);
    // Not rolled yet: still equal to the exact answer.
    await expectAllSame();
    // The roller's answer equals it too.
    await drainRollups(database.db);
    await expectAllSame();
  });

  it('spans adopted into their tenant after their granules were rolled', async () => {
    await storeSpans(database.db, data.adopters);
    const [orphans] = await database.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM traces WHERE tenant_id = ''
      AND trace_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(data.adopters.map((s) => s.traceId))}::jsonb))`);
    expect(Number(orphans.n)).toBe(0);
    await expectAllSame();
    await drainRollups(database.db);
    await expectAllSame();
  });

  it('a retried batch after rolling marks nothing and changes nothing', async () => {
    expect((await storeSpans(database.db, data.main[5])).inserted).toBe(0);
    expect(await dirtyGranules()).toEqual([]);
    await expectAllSame();
  });

  describe('users and sessions', () => {
    it('asked for by name, they are exact distinct counts per group and overall', async () => {
      const params: [string, string][] = [...range(RANGE_A), ['group_by', tenantKey], ['top', '3'], ['bucket', '1h'], ['metrics', 'requests,users,sessions']];
      const { rolled, exact } = await both(params);
      expect(rolled.source).toBe('rollup');
      expect(rolled.metrics).toEqual(['requests', 'users', 'sessions']);
      expect([rolled.totals.users, rolled.totals.sessions]).toEqual([exact.totals.users, exact.totals.sessions]);
      expect(rolled.groups.map((g) => [g.label, g.totals.users, g.totals.sessions])).toEqual(
        exact.groups.map((g) => [g.label, g.totals.users, g.totals.sessions]),
      );
      expect(rolled.totals.users).toBeGreaterThan(10);
    });

    it('with the default "all metrics", the rollup path leaves them out and says so', async () => {
      const { rolled, exact } = await both([...range(RANGE_A), ['bucket', '1h']]);
      expect(rolled.source).toBe('rollup');
      expect(rolled.metrics).toEqual(['requests', 'errors', 'latency', 'ttft', 'tokens', 'cost']);
      expect(rolled.totals.users).toBeUndefined();
      expect(exact.metrics).toContain('users');
      expect(rolled.totals.requests).toBe(exact.totals.requests);
    });
  });

  it('requests the rollups cannot answer take the traces path', async () => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = '0';
    resetConfigForTests();
    const ask = async (params: [string, string][], tenantScope: string | null = null) => {
      const bucket: [string, string][] = params.some(([k]) => k === 'bucket') ? [] : [['bucket', '5m']];
      return (await metricsFromParams(database.db, new URLSearchParams([...range(RANGE_A), ...bucket, ...params]), { tenantKey, tenantScope })).source;
    };
    expect(await ask([['where', 'user.id=usr_3']])).toBe('traces');
    expect(await ask([['where', 'tenant.id=acme-corp OR tenant.id=globex']])).toBe('traces');
    expect(
      await ask([
        ['where', 'tenant.id=acme-corp'],
        ['where', 'http.status_code>=500'],
      ]),
    ).toBe('traces');
    // By user: one tenant's users only, and only over whole hours.
    expect(await ask([['group_by', 'user.id']])).toBe('traces');
    expect(
      await ask([
        ['where', 'tenant.id=acme-corp'],
        ['group_by', 'user.id'],
        ['bucket', '1h'],
      ]),
    ).toBe('rollup');
    expect(
      await ask([
        ['where', 'tenant.id=acme-corp'],
        ['group_by', 'user.id'],
        ['bucket', '15m'],
      ]),
    ).toBe('traces');
    expect(await ask([['bucket', '1m']])).toBe('traces');
    expect(await ask([['where', 'tenant.id=globex']], 'acme-corp')).toBe('traces');
    expect(await ask([['where', 'tenant.id=acme-corp']], 'acme-corp')).toBe('rollup');
    expect(await ask([['where', 'tenant.id=acme-corp tenant.id=acme-corp']])).toBe('rollup');
    // Below the threshold (default 20,000 traces) the exact path answers.
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
    expect(await ask([])).toBe('traces');
  });

  it('by user: a "(none)" group for the traces without a user, and "other" past the top', async () => {
    const { rolled } = await both([...range(RANGE_A), ['where', 'tenant.id=acme-corp'], ['group_by', 'user.id'], ['series', 'false'], ['top', '5']]);
    expect(rolled.source).toBe('rollup');
    expect(rolled.groups.some((g) => g.key === null && !g.other)).toBe(true);
    expect(rolled.groups.some((g) => g.other)).toBe(true);
    expect(await userRows(300_000)).toBeGreaterThan(0);
    // User hour rows for the tenant hours with at least 100 traces only (the others are read from traces).
    const [mix] = await database.db.rows<{ busy: number; quiet: number; quiet_with_rows: number }>(sql`
      SELECT count(*) FILTER (WHERE b.requests >= 100 AND u.n > 0)::integer AS busy, count(*) FILTER (WHERE b.requests < 100)::integer AS quiet,
        count(*) FILTER (WHERE b.requests < 100 AND u.n > 0)::integer AS quiet_with_rows
      FROM trace_rollups b CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM trace_rollups u
        WHERE u.granule_ms = b.granule_ms AND u.dims = ${DIMS.tenantUser} AND u.tenant_id = b.tenant_id AND u.bucket_ns = b.bucket_ns
      ) u
      WHERE b.granule_ms = 3600000 AND b.dims = ${DIMS.tenant}`);
    expect([mix.busy > 0, mix.quiet > 0, mix.quiet_with_rows]).toEqual([true, true, 0]);
  });

  it('sealed hours: their 5-minute user rows are dropped, edges and late data are read from traces, the roller rebuilds whole hours', async () => {
    setUserRollupLimitsForTests(null);
    await drainRollups(database.db);
    expect(await userRows(300_000)).toBe(0);
    const hourRows = await userRows(3_600_000);
    expect(hourRows).toBeGreaterThan(0);
    await expectAllSame();
    // New traces of known users (and one without) in sealed hours: dirty until rolled, then rebuilt from traces.
    const late: SpanRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const start = BASE_NS + BigInt(i * 7 + 3) * MIN_NS;
      const attrs: AttributeMap = { 'tenant.id': str(TENANTS[i % 3]), 'llm.model': str('gpt-4o'), 'llm.usage.prompt_tokens': int(10 + i) };
      if (i % 9 !== 0) attrs['user.id'] = str(`usr_${i % 5}`);
      late.push(span(hex(0xdef000 + i, 32), 900_000 + i, null, start, start + 5_000_000n * BigInt(i + 1), attrs));
    }
    await storeSpans(database.db, late);
    expect((await dirtyGranules()).length).toBeGreaterThan(0);
    await expectAllSame();
    await drainRollups(database.db);
    expect(await userRows(300_000)).toBe(0);
    await expectAllSame();
  });
});
