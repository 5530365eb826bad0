/**
 * Computed cost from the chart rollups (db/queries/cost-rollup.ts, db/rollup-cost.ts) on
 * PGlite and Postgres: every chart answered from the rollups must price the requests
 * without a reported cost exactly as the traces path does — computed and reported cost,
 * sources, unpriced requests (named), estimates — with mixed reported/computed requests,
 * an unpriced model, requests without a model, cached / cache-creation / reasoning tokens
 * under Plano's and GenAI's keys, cached tokens above the prompt (clamped), two LLM spans
 * in one trace, sampling weights, and price changes inside a 5-minute granule and inside
 * an hour. Also: the token sums the roller stores equal the traces', the rollup path
 * really reads the rollups, dirty granules stay exact, and an edited prices file reprices.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { TOKEN_PARTS, TOKEN_SPLIT, UNCOSTED_TRACE } from '../../db/queries/cost';
import { ucColumn } from '../../db/rollup-cost';
import { DIMS, drainRollups, pauseRollups, setUserRollupLimitsForTests } from '../../db/rollups';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../lib/otlp/span-record';
import { resetConfigForTests } from '../../server/config';
import { parseMetricsParams } from '../../server/metrics/params';
import { type MetricsContext, queryMetrics } from '../../server/metrics/request';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { expectSameCells } from '../support/metrics-cells';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';
import { random } from '../support/random';

const NS_PER_MS = 1_000_000n;
const MIN_NS = 60_000n * NS_PER_MS;
/** 2026-01-05T00:00:00Z. */
const BASE_NS = 1_767_571_200_000n * NS_PER_MS;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
/** hist-model's price changes at 67.5 min (inside a 5-minute granule) and at 135 min (on a granule, inside an hour). */
const CHANGE_A_NS = BASE_NS + 67n * MIN_NS + 30_000n * NS_PER_MS;
const CHANGE_B_NS = BASE_NS + 135n * MIN_NS;

const TENANTS = ['acme', 'globex', ''];
const MODELS = ['gpt-4o-mini', 'hist-model', 'think-model', 'my-finetune', null];

const str = (v: string): OtlpAnyValue => ({ stringValue: v });
const int = (v: number): OtlpAnyValue => ({ intValue: String(v) });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function pricesYaml(histLate: number): string {
  return [
    'models:',
    '  think-model: { input: 2, output: 8, cached_input: 0.2, cache_creation: 3, reasoning: 20 }',
    '  hist-model:',
    '    - { input: 1, output: 2 }',
    `    - { since: "${iso(CHANGE_A_NS)}", input: 3, output: 4, cached_input: 0.5 }`,
    `    - { since: "${iso(CHANGE_B_NS)}", input: ${histLate}, output: 6, cache_creation: 7, reasoning: 10 }`,
  ].join('\n');
}

type Trace = { start: bigint; tenant: string; model: string | null; sampled: boolean; llm: AttributeMap[] };

/** LLM span attributes: tokens (sometimes none), cache and reasoning tokens under either convention, a reported cost sometimes. */
function llmAttributes(rand: () => number, model: string | null): AttributeMap {
  const a: AttributeMap = {};
  if (model) a['llm.model'] = str(model);
  if (rand() < 0.08) return a;
  const prompt = Math.floor(rand() * 5000);
  const completion = Math.floor(rand() * 2000);
  a['llm.usage.prompt_tokens'] = int(prompt);
  a['llm.usage.completion_tokens'] = int(completion);
  const r = rand();
  // Cached tokens above the prompt now and then: the fresh input clamps at 0.
  if (r < 0.4) a[rand() < 0.5 ? 'llm.usage.cached_input_tokens' : 'gen_ai.usage.cache_read.input_tokens'] = int(Math.floor(prompt * (r < 0.05 ? 1.5 : rand())));
  if (rand() < 0.2) a['llm.usage.cache_creation_tokens'] = int(Math.floor(rand() * 800));
  if (rand() < 0.25) a[rand() < 0.5 ? 'llm.usage.reasoning_tokens' : 'gen_ai.usage.reasoning.output_tokens'] = int(Math.floor(completion * rand() * 1.1));
  if (rand() < 0.35) a['llm.usage.total_cost_usd'] = { doubleValue: Math.round(rand() * 1e5) / 1e6 };
  return a;
}

function workload(): Trace[] {
  const rand = random(11);
  const traces: Trace[] = [];
  for (let i = 0; i < 700; i++) {
    const start = BASE_NS + BigInt(Math.floor(rand() * 3 * 3_600_000)) * NS_PER_MS;
    const model = MODELS[Math.floor(rand() * MODELS.length)];
    const llm = [llmAttributes(rand, model)];
    // Two LLM spans in one trace: their tokens add up.
    if (rand() < 0.06) llm.push(llmAttributes(rand, model));
    traces.push({ start, tenant: TENANTS[Math.floor(rand() * TENANTS.length)], model, sampled: rand() < 0.15, llm });
  }
  // hist-model requests on both sides of each price change, without a reported cost.
  for (const at of [CHANGE_A_NS - 30_000n * NS_PER_MS, CHANGE_A_NS + 30_000n * NS_PER_MS, CHANGE_B_NS - 5n * MIN_NS, CHANGE_B_NS + 5n * MIN_NS]) {
    const llm: AttributeMap = { 'llm.model': str('hist-model'), 'llm.usage.prompt_tokens': int(100_000), 'llm.usage.completion_tokens': int(50_000) };
    traces.push({ start: at, tenant: 'acme', model: 'hist-model', sampled: false, llm: [llm] });
  }
  return traces;
}

function spansOf(traces: readonly Trace[], offset: number): SpanRecord[] {
  return traces.flatMap((t, i) => {
    const traceId = hex(0xc057000 + offset + i, 32);
    const root = (i + offset) * 10 + 1;
    const rootAttrs: AttributeMap = t.tenant ? { 'tenant.id': str(t.tenant) } : {};
    // Users for the charts by user; one trace in five has none.
    if ((i + offset) % 5 !== 0) rootAttrs['user.id'] = str(`usr_${(i + offset) % 13}`);
    return [
      spanRecord({
        traceId,
        spanId: hex(root, 16),
        startTimeUnixNano: t.start,
        endTimeUnixNano: t.start + 900n * NS_PER_MS,
        attributes: rootAttrs,
        ...(t.sampled ? { traceState: 'ot=th:c;rv:0123456789abcd' } : {}),
      }),
      ...t.llm.map((attributes, k) =>
        spanRecord({
          traceId,
          spanId: hex(root + 1 + k, 16),
          parentSpanId: hex(root, 16),
          name: 'llm',
          startTimeUnixNano: t.start + BigInt(k + 1) * NS_PER_MS,
          endTimeUnixNano: t.start + 800n * NS_PER_MS,
          attributes,
        }),
      ),
    ];
  });
}

/** Ranges whose ends fall inside granules (partial granules read from traces). */
const RANGE = { from: iso(BASE_NS + 7n * MIN_NS + 13_000n * NS_PER_MS), to: iso(BASE_NS + 172n * MIN_NS + 41_000n * NS_PER_MS) };
const RANGE_ALL = { from: iso(BASE_NS - 60n * MIN_NS), to: iso(BASE_NS + 240n * MIN_NS) };

const REQUESTS: { name: string; params: Record<string, string>; scope?: string }[] = [
  { name: 'all tenants by model, 5m', params: { ...RANGE, group_by: 'llm.model', bucket: '5m' } },
  { name: 'all tenants by tenant, 1h, whole hours', params: { ...RANGE_ALL, group_by: 'tenant.id', bucket: '1h' } },
  { name: 'all tenants, no group, 15m', params: { ...RANGE, bucket: '15m' } },
  { name: 'one tenant by model, 10m, top 2 + other', params: { ...RANGE, where: 'tenant.id=acme', group_by: 'llm.model', bucket: '10m', top: '2' } },
  { name: 'one tenant, totals only', params: { ...RANGE_ALL, where: 'tenant.id=globex', series: 'false' } },
  { name: 'the tenant-less requests by model, 2h', params: { ...RANGE_ALL, where: 'tenant.id=""', group_by: 'llm.model', bucket: '2h' } },
  { name: 'a scoped reader by model, 1h', params: { ...RANGE, group_by: 'llm.model', bucket: '1h' }, scope: 'acme' },
  { name: 'one tenant by user, 1h, top 4 + other', params: { ...RANGE, where: 'tenant.id=acme', group_by: 'user.id', bucket: '1h', top: '4' } },
  { name: 'a scoped reader by user, totals only', params: { ...RANGE, group_by: 'user.id', series: 'false', top: '100' }, scope: 'globex' },
];

const close = (a: number | null | undefined, b: number | null | undefined) =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

function expectSameCost(rolled: MetricValues, exact: MetricValues, label: string) {
  for (const key of ['reportedCostUsd', 'computedCostUsd', 'costUsd'] as const) {
    expect(close(rolled[key], exact[key]), `${label} ${key}: ${rolled[key]} vs exact ${exact[key]}`).toBe(true);
  }
  expect(close(rolled.estimated.costUsd, exact.estimated.costUsd), `${label} ≈cost: ${rolled.estimated.costUsd} vs ${exact.estimated.costUsd}`).toBe(true);
  expect(rolled.costSource, `${label} costSource`).toBe(exact.costSource);
  expect(rolled.unpricedRequests, `${label} unpricedRequests`).toBe(exact.unpricedRequests);
  for (const key of ['promptTokens', 'completionTokens', 'totalTokens'] as const) expect(rolled[key], `${label} ${key}`).toEqual(exact[key]);
}

function expectSameAnswer(rolled: MetricsResponse, exact: MetricsResponse) {
  expect(rolled.source).toBe('rollup');
  expect(exact.source).toBe('traces');
  expect(rolled.cost).toEqual(exact.cost);
  expect(rolled.groups.map((g) => g.key)).toEqual(exact.groups.map((g) => g.key));
  expectSameCells(rolled, exact, expectSameCost);
}

describeEachDatabase('computed cost from the rollups', (kind) => {
  let database: TestDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-prices-'));
  const pricesFile = path.join(dir, 'prices.yaml');

  const ask = async (params: Record<string, string>, scope: string | null, minTraces: string) => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = minTraces;
    resetConfigForTests();
    const ctx: MetricsContext = { tenantKey: 'tenant.id', tenantScope: scope };
    return queryMetrics(database.db, parseMetricsParams(new URLSearchParams({ ...params, metrics: 'requests,tokens,cost' }), ctx), ctx);
  };
  /** The same request answered from the rollups (whatever their size) and from the traces alone. */
  const both = async (params: Record<string, string>, scope: string | null = null) => ({
    rolled: await ask(params, scope, '0'),
    exact: await ask(params, scope, '1e15'),
  });

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

  beforeAll(async () => {
    fs.writeFileSync(pricesFile, pricesYaml(5));
    process.env.TRACEDECK_PRICES = pricesFile;
    database = await openTestDatabase(kind);
    pauseRollups(database.db);
    // User rows for every tenant hour, however quiet (the data is small).
    setUserRollupLimitsForTests({ hourMinTraces: 0 });
    const spans = spansOf(workload(), 0);
    for (let k = 0; k < spans.length; k += 200) await storeRecords(database.db, spans.slice(k, k + 200));
    await drainRollups(database.db);
  });
  afterEach(() => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
  });
  afterAll(async () => {
    setUserRollupLimitsForTests(null);
    await database?.dispose();
    delete process.env.TRACEDECK_PRICES;
    resetConfigForTests();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the workload has what the test is about: every source, an unpriced model, requests without a model', async () => {
    const { exact } = await both({ ...RANGE_ALL, group_by: 'llm.model', series: 'false' });
    expect(exact.totals.costSource).toBe('reported + computed');
    expect(exact.cost?.unpriced.map((u) => u.model).sort()).toEqual(['my-finetune', null]);
    const byModel = Object.fromEntries(exact.groups.map((g) => [g.key ?? '(none)', g.totals]));
    for (const m of ['gpt-4o-mini', 'hist-model', 'think-model']) expect(byModel[m].computedCostUsd, m).toBeGreaterThan(0);
    expect(exact.totals.estimated.costUsd).toBeGreaterThan(exact.totals.costUsd ?? 0);
  });

  it('the rollups keep the uncosted requests and their token sums exactly as the traces hold them', async () => {
    const parts = TOKEN_PARTS.map((p) => sql`sum(${TOKEN_SPLIT[p]})::float8 AS ${sql.raw(p)}`);
    const [fromTraces] = await database.db.rows<Record<string, number | string>>(sql`
      SELECT count(*)::integer AS n, ${sql.join(parts, sql`, `)} FROM traces t WHERE ${UNCOSTED_TRACE}`);
    const sums = TOKEN_PARTS.map((p) => sql`sum(r.${sql.raw(ucColumn(p))})::float8 AS ${sql.raw(p)}`);
    // By model (5 minutes, hours), and by (tenant, user, model) — hours: this data's hours are sealed, without 5-minute user rows.
    for (const [granuleMs, dims] of [
      [300_000, DIMS.model],
      [3_600_000, DIMS.model],
      [3_600_000, DIMS.tenantUserModel],
    ]) {
      const [fromRollups] = await database.db.rows<Record<string, number | string>>(sql`
        SELECT sum(r.uncosted_requests)::integer AS n, ${sql.join(sums, sql`, `)} FROM trace_rollups r WHERE r.granule_ms = ${granuleMs}::integer AND r.dims = ${dims}::smallint`);
      expect(Object.fromEntries(Object.entries(fromRollups).map(([k, v]) => [k, Number(v)]))).toEqual(
        Object.fromEntries(Object.entries(fromTraces).map(([k, v]) => [k, Number(v)])),
      );
    }
    expect(Number(fromTraces.n)).toBeGreaterThan(200);
    expect(Number(fromTraces.reasoning)).toBeGreaterThan(0);
    expect(Number(fromTraces.cache_creation)).toBeGreaterThan(0);
  });

  it('every chart the rollups answer prices its uncosted requests as the traces path does', async () => {
    await expectAllSame();
  });

  it('reads the rollups, not the traces, for clean granules', async () => {
    // Change an uncosted request's tokens behind the roller's back: only the traces path sees it. (The first
    // hour: no price changes in it, which would send its granules to the traces, all of them by user.)
    const where = sql`${UNCOSTED_TRACE} AND t.tenant_id = 'acme' AND t.llm_model = 'think-model' AND t.start_ns >= ${String(BASE_NS)}::bigint AND t.start_ns < ${String(BASE_NS + 60n * MIN_NS)}::bigint`;
    const [victim] = await database.db.rows<{ trace_id: string }>(sql`SELECT t.trace_id FROM traces t WHERE ${where} LIMIT 1`);
    expect(victim).toBeDefined();
    const asked = [
      { ...RANGE_ALL, where: 'tenant.id=acme', series: 'false' },
      { ...RANGE_ALL, where: 'tenant.id=acme', group_by: 'user.id', series: 'false' },
    ];
    const before = [];
    for (const params of asked) before.push(await both(params));
    await database.db.rows(sql`UPDATE traces SET completion_tokens = completion_tokens + 1000000 WHERE trace_id = ${victim.trace_id}`);
    try {
      for (const [i, params] of asked.entries()) {
        const after = await both(params);
        expect(after.rolled.source).toBe('rollup');
        expect(after.rolled.totals.computedCostUsd).toBe(before[i].rolled.totals.computedCostUsd);
        expect(after.exact.totals.computedCostUsd).not.toBe(before[i].exact.totals.computedCostUsd);
      }
    } finally {
      await database.db.rows(sql`UPDATE traces SET completion_tokens = completion_tokens - 1000000 WHERE trace_id = ${victim.trace_id}`);
    }
  });

  it('dirty granules are priced from the traces: exact before and after the roller runs', async () => {
    const late = workload()
      .slice(0, 60)
      .map((t, i) => ({ ...t, start: t.start + BigInt(i) * 7_000n * NS_PER_MS }));
    await storeRecords(database.db, spansOf(late, 5000));
    const [{ n }] = await database.db.rows<{ n: number }>(sql`SELECT count(*)::integer AS n FROM rollup_dirty`);
    expect(n).toBeGreaterThan(0);
    await expectAllSame();
    await drainRollups(database.db);
    await expectAllSame();
  });

  it('an edited prices file reprices the rolled-up granules on the next read', async () => {
    const before = await ask({ ...RANGE_ALL, group_by: 'llm.model', series: 'false' }, null, '0');
    fs.writeFileSync(pricesFile, pricesYaml(50));
    const after = await ask({ ...RANGE_ALL, group_by: 'llm.model', series: 'false' }, null, '0');
    const hist = (r: MetricsResponse) => r.groups.find((g) => g.key === 'hist-model')?.totals.computedCostUsd ?? 0;
    expect(after.source).toBe('rollup');
    expect(hist(after)).toBeGreaterThan(hist(before));
    await expectAllSame();
  });
});
