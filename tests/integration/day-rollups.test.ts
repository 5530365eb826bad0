/**
 * Day rows of the user rollups (db/rollups.ts rollDay; read by db/queries/metrics-rollup.ts and
 * cost-rollup.ts) on PGlite and Postgres: four days of traces in sealed hours, busy and quiet tenant
 * hours and days, a price change inside a day. The tenant page's requests (the users table, totals
 * only, and the users chart) answered from the rollups must equal the traces path's: counts, tokens,
 * cost and its sources equal, percentiles within a histogram bucket — with the day rows read, after
 * late spans land in a day that has them, and on a database whose rollups have no day rows yet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, type Db } from '../../db/client';
import { DAY_NS, DIMS, ROLLUP_DAY_MS, drainRollups, pauseRollups, setUserRollupLimitsForTests } from '../../db/rollups';
import { HIST_RATIO } from '../../lib/metrics/histogram';
import type { MetricValues, MetricsResponse } from '../../lib/metrics/types';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../lib/otlp/span-record';
import { resetConfigForTests } from '../../server/config';
import { parseMetricsParams } from '../../server/metrics/params';
import { type MetricsContext, queryMetrics } from '../../server/metrics/request';
import { describeEachDatabase, openTestDatabase } from '../support/databases';
import { expectSameCells } from '../support/metrics-cells';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';
import { openUpgradedDatabase } from '../support/upgrade';
import { random } from '../support/random';

const NS_PER_MS = 1_000_000n;
const MIN_NS = 60_000n * NS_PER_MS;
const HOUR_NS = 60n * MIN_NS;
/** 2026-01-05T00:00:00Z: the data's days are long sealed. */
const BASE_NS = 1_767_571_200_000n * NS_PER_MS;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
/** hist-model's price changes on day 2 at 13:00: on an hour boundary, inside a day. */
const CHANGE_NS = BASE_NS + DAY_NS + 13n * HOUR_NS;
/** acme is busy (day rows), globex quiet (hours only), initech in between. */
const TENANTS = ['acme', 'acme', 'acme', 'acme', 'globex', 'initech', 'initech'];
const MODELS = ['gpt-4o-mini', 'hist-model', 'my-finetune', null];
/** Day rows for tenant days with ≥ 80 traces, user hour rows for tenant hours with ≥ 4. */
const LIMITS = { hourMinTraces: 4, dayMinTraces: 80 };

const str = (v: string): OtlpAnyValue => ({ stringValue: v });
const int = (v: number): OtlpAnyValue => ({ intValue: String(v) });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `count` traces over four days from `fromNs` (two spans each), users usr_0..16 and none. */
function traces(count: number, seed: number, offset: number, fromNs = BASE_NS, spanNs = 4n * DAY_NS): SpanRecord[] {
  const rand = random(seed);
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const start = fromNs + BigInt(Math.floor(rand() * Number(spanNs / NS_PER_MS))) * NS_PER_MS;
    const end = start + BigInt(Math.round(Math.exp(rand() * 11) * 1e6));
    const tenant = TENANTS[Math.floor(rand() * TENANTS.length)];
    const model = MODELS[Math.floor(rand() * MODELS.length)];
    const root: AttributeMap = { 'tenant.id': str(tenant) };
    if (i % 6 !== 0) root['user.id'] = str(`usr_${Math.floor(rand() ** 2 * 17)}`);
    const llm: AttributeMap = { 'llm.usage.prompt_tokens': int(Math.floor(rand() * 4000)), 'llm.usage.completion_tokens': int(Math.floor(rand() * 900)) };
    if (model) llm['llm.model'] = str(model);
    if (rand() < 0.3) llm['llm.usage.total_cost_usd'] = { doubleValue: Math.round(rand() * 1e5) / 1e6 };
    if (rand() < 0.6) llm['llm.time_to_first_token'] = { doubleValue: Math.round(rand() * 3_000_000) / 1000 };
    const traceId = hex(0xda7000 + i, 32);
    return [
      spanRecord({
        traceId,
        spanId: hex(i * 10 + 1, 16),
        startTimeUnixNano: start,
        endTimeUnixNano: end,
        attributes: root,
        ...(rand() < 0.07 ? { statusCode: 2 } : {}),
      }),
      spanRecord({
        traceId,
        spanId: hex(i * 10 + 2, 16),
        parentSpanId: hex(i * 10 + 1, 16),
        name: 'llm',
        startTimeUnixNano: start + NS_PER_MS,
        endTimeUnixNano: end,
        attributes: llm,
      }),
    ];
  }).flat();
}

async function store(db: Db, spans: SpanRecord[]): Promise<void> {
  for (let k = 0; k < spans.length; k += 300) await storeRecords(db, spans.slice(k, k + 300));
}

/** Ends inside granules and inside days: days 2 and 3 whole, parts of days 1 and 4. */
const RANGE = { from: iso(BASE_NS + 5n * HOUR_NS + 17n * MIN_NS + 9_000n * NS_PER_MS), to: iso(BASE_NS + 3n * DAY_NS + 20n * HOUR_NS + 41n * MIN_NS) };
const RANGE_ALL = { from: iso(BASE_NS - HOUR_NS), to: iso(BASE_NS + 5n * DAY_NS) };
const METRICS = 'requests,errors,latency,ttft,tokens,cost';

const REQUESTS: { name: string; params: Record<string, string>; scope?: string }[] = [
  { name: 'users table, busy tenant', params: { ...RANGE, where: 'tenant.id=acme', group_by: 'user.id', series: 'false', top: '100' } },
  { name: 'users table, top 5 + other, whole days', params: { ...RANGE_ALL, where: 'tenant.id=acme', group_by: 'user.id', series: 'false', top: '5' } },
  {
    name: 'users table, a scoped reader, tenant with some busy days',
    params: { ...RANGE, group_by: 'user.id', series: 'false', top: '100' },
    scope: 'initech',
  },
  { name: 'users table, quiet tenant', params: { ...RANGE, where: 'tenant.id=globex', group_by: 'user.id', series: 'false', top: '100' } },
  { name: 'users chart, 2h, top 8 + other', params: { ...RANGE, where: 'tenant.id=acme', group_by: 'user.id', bucket: '2h', top: '8' } },
  { name: 'tenant totals', params: { ...RANGE, where: 'tenant.id=acme', series: 'false' } },
];

const close = (a: number | null | undefined, b: number | null | undefined) =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

function expectSameValues(rolled: MetricValues, exact: MetricValues, label: string) {
  for (const key of [
    'requests',
    'errors',
    'clientErrors',
    'promptTokens',
    'completionTokens',
    'totalTokens',
    'firstNs',
    'lastNs',
    'unpricedRequests',
    'costSource',
  ] as const)
    expect(rolled[key], `${label} ${key}`).toEqual(exact[key]);
  for (const key of ['reportedCostUsd', 'computedCostUsd', 'costUsd'] as const)
    expect(close(rolled[key], exact[key]), `${label} ${key}: ${rolled[key]} vs exact ${exact[key]}`).toBe(true);
  expect(close(rolled.estimated.costUsd, exact.estimated.costUsd), `${label} ≈cost`).toBe(true);
  for (const key of ['latencyP50Ms', 'latencyP95Ms', 'ttftP50Ms'] as const) {
    const [a, e] = [rolled[key], exact[key]];
    if (e === null || e === undefined) expect(a ?? null, `${label} ${key}`).toBeNull();
    else expect(Math.abs((a as number) - e), `${label} ${key}: ${a} vs exact ${e}`).toBeLessThanOrEqual((HIST_RATIO - 1) * Math.abs(e) + 1);
  }
}

function expectSameAnswer(rolled: MetricsResponse, exact: MetricsResponse) {
  expect([rolled.source, exact.source]).toEqual(['rollup', 'traces']);
  expect(rolled.cost).toEqual(exact.cost);
  expect(rolled.groups.map((g) => [g.key, g.other])).toEqual(exact.groups.map((g) => [g.key, g.other]));
  expectSameCells(rolled, exact, expectSameValues);
}

const pricesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-day-prices-'));
const pricesFile = path.join(pricesDir, 'prices.yaml');
fs.writeFileSync(
  pricesFile,
  ['models:', '  hist-model:', '    - { input: 1, output: 2 }', `    - { since: "${iso(CHANGE_NS)}", input: 3, output: 5 }`].join('\n'),
);

/** The rollup path and the traces path answering `r` on `db`. */
async function both(db: Db, r: (typeof REQUESTS)[number]) {
  const ask = async (minTraces: string) => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = minTraces;
    resetConfigForTests();
    const ctx: MetricsContext = { tenantKey: 'tenant.id', tenantScope: r.scope ?? null };
    return queryMetrics(db, parseMetricsParams(new URLSearchParams({ ...r.params, metrics: METRICS }), ctx), ctx);
  };
  return { rolled: await ask('0'), exact: await ask('1e15') };
}

async function expectAllSame(db: Db) {
  for (const r of REQUESTS) {
    const { rolled, exact } = await both(db, r);
    expect(exact.totals.requests, r.name).toBeGreaterThan(0);
    try {
      expectSameAnswer(rolled, exact);
    } catch (err) {
      throw new Error(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Day rows by tenant and dims: `tenant/dims` → count. */
async function dayRows(db: Db): Promise<Record<string, number>> {
  const rows = await db.rows<{ k: string; n: number }>(sql`
    SELECT tenant_id || '/' || dims AS k, count(*)::integer AS n FROM trace_rollups WHERE granule_ms = ${ROLLUP_DAY_MS}::integer GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
}

function useLimitsAndPrices() {
  beforeAll(() => {
    process.env.TRACEDECK_PRICES = pricesFile;
    setUserRollupLimitsForTests(LIMITS);
  });
  afterEach(() => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    resetConfigForTests();
  });
  afterAll(() => {
    setUserRollupLimitsForTests(null);
    delete process.env.TRACEDECK_PRICES;
    resetConfigForTests();
  });
}

describeEachDatabase('user rollups by day', (kind) => {
  let db: Db;
  let dispose: () => Promise<void>;
  useLimitsAndPrices();

  beforeAll(async () => {
    const database = await openTestDatabase(kind);
    [db, dispose] = [database.db, () => database.dispose()];
    pauseRollups(db);
    await store(db, traces(1500, 5, 0));
    await drainRollups(db);
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('sealed days get day rows for their busy tenants only: user rows and the tenant row readers look for', async () => {
    const rows = await dayRows(db);
    expect(rows[`acme/${DIMS.tenant}`]).toBe(4);
    expect(rows[`acme/${DIMS.tenantUser}`]).toBeGreaterThan(40);
    expect(rows[`acme/${DIMS.tenantUserModel}`]).toBeGreaterThan(0);
    expect(rows[`globex/${DIMS.tenant}`]).toBeUndefined();
    expect(rows[`initech/${DIMS.tenant}`]).toBeGreaterThan(0);
  });

  it('the day rows equal the traces of their days, quiet hours included', async () => {
    const [diff] = await db.rows<{ n: number }>(sql`
      SELECT count(*)::integer AS n FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_DAY_MS}::integer AND r.dims = ${DIMS.tenantUser}::smallint AND r.requests <> (
        SELECT count(*) FROM traces t WHERE t.tenant_id = r.tenant_id AND t.user_id IS NOT DISTINCT FROM r.user_id
          AND t.start_ns >= r.bucket_ns AND t.start_ns < r.bucket_ns + ${DAY_NS.toString()}::bigint)`);
    expect(diff.n).toBe(0);
  });

  it('the tenant page requests answer from the rollups as the traces do', async () => {
    await expectAllSame(db);
  });

  it('reads the day rows for whole clean days', async () => {
    const table = REQUESTS[0];
    const before = (await both(db, table)).rolled;
    await db.rows(sql`UPDATE trace_rollups SET requests = requests + 1000 WHERE granule_ms = ${ROLLUP_DAY_MS}::integer AND dims = ${DIMS.tenantUser}::smallint
      AND tenant_id = 'acme' AND user_id = 'usr_0' AND bucket_ns = ${(BASE_NS + DAY_NS).toString()}::bigint`);
    try {
      const after = (await both(db, table)).rolled;
      expect(after.totals.requests).toBe(before.totals.requests + 1000);
    } finally {
      await db.rows(sql`UPDATE trace_rollups SET requests = requests - 1000 WHERE granule_ms = ${ROLLUP_DAY_MS}::integer AND dims = ${DIMS.tenantUser}::smallint
        AND tenant_id = 'acme' AND user_id = 'usr_0' AND bucket_ns = ${(BASE_NS + DAY_NS).toString()}::bigint`);
    }
  });

  it('late traces in a day with day rows: read from traces while dirty, the day summed again after the roller', async () => {
    const before = await dayRows(db);
    await store(db, traces(120, 9, 5000, BASE_NS + 2n * DAY_NS, DAY_NS));
    await expectAllSame(db);
    await drainRollups(db);
    const after = await dayRows(db);
    expect(after[`acme/${DIMS.tenant}`]).toBe(before[`acme/${DIMS.tenant}`]);
    await expectAllSame(db);
  });
});

describeEachDatabase('upgrade to user rollups by day', (kind) => {
  let db: Db;
  let dispose: () => Promise<void>;
  useLimitsAndPrices();

  beforeAll(async () => {
    // The release before wrote hour rows and no day rows.
    const upgraded = await openUpgradedDatabase(kind, MIGRATIONS_FOLDER, async (old) => {
      pauseRollups(old);
      setUserRollupLimitsForTests({ ...LIMITS, dayMinTraces: 1e9 });
      await store(old, traces(1500, 5, 0));
      await drainRollups(old);
      setUserRollupLimitsForTests(LIMITS);
    });
    [db, dispose] = [upgraded.db, () => upgraded.dispose()];
    pauseRollups(db);
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('without day rows, the tenant page requests read the hours: exact', async () => {
    expect(await dayRows(db)).toEqual({});
    await expectAllSame(db);
  });

  it('the roller writes the sealed days, which then answer as the traces do', async () => {
    await drainRollups(db);
    expect((await dayRows(db))[`acme/${DIMS.tenant}`]).toBe(4);
    await expectAllSame(db);
  });
});
