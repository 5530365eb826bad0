/**
 * Computed cost at query time, on PGlite and Postgres: requests with tokens and no
 * reported cost are priced from the bundled catalog (@pydantic/genai-prices) or the
 * TRACEDECK_PRICES file, with the price in force at the request's time; requests whose
 * model has no price are counted and named, never $0; and editing the prices file
 * reprices the stored requests on the next read. Checked through GET /api/metrics.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { MetricsResponse } from '../../lib/metrics/types';
import type { QueryResponse } from '../../lib/query/response';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';
import { llmRequestAttributes } from '../support/llm-request';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const MIN_MS = 60_000;
const NS_PER_MS = 1_000_000n;

const int = (n: number) => ({ intValue: String(n) });

type Req = { tenant: string; model: string; input: number; output: number; cached?: number; cost?: number; minutesAgo: number };

/** Six kinds of request, at known times (the price of `hist-model` changes 10 minutes ago). */
const REQUESTS: Req[] = [
  { tenant: 'acme', model: 'gpt-4o-mini', input: 1000, output: 100, cost: 0.5, minutesAgo: 30 },
  { tenant: 'acme', model: 'openai/gpt-4o-mini-2024-07-18', input: 1_000_000, output: 1_000_000, cached: 400_000, minutesAgo: 25 },
  { tenant: 'globex', model: 'my-finetune', input: 100, output: 10, minutesAgo: 20 },
  { tenant: 'globex', model: 'my-finetune', input: 100, output: 10, minutesAgo: 19 },
  { tenant: 'globex', model: 'my-finetune', input: 100, output: 10, minutesAgo: 18 },
  { tenant: 'globex', model: 'my-selfhosted', input: 1_000_000, output: 1_000_000, minutesAgo: 15 },
  { tenant: 'initech', model: 'hist-model', input: 1_000_000, output: 0, minutesAgo: 12 },
  { tenant: 'initech', model: 'hist-model', input: 1_000_000, output: 0, minutesAgo: 5 },
];

function pricesYaml(selfhostedInput: number, changeMs: number): string {
  return [
    'models:',
    `  my-selfhosted: { input: ${selfhostedInput}, output: 2 }`,
    '  hist-model:',
    '    - { input: 1, output: 0 }',
    `    - { since: "${new Date(changeMs).toISOString()}", input: 3, output: 0 }`,
  ].join('\n');
}

describeEachDatabase('cost computed at query time', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const nowMs = Math.floor(Date.now() / MIN_MS) * MIN_MS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-prices-'));
  const pricesFile = path.join(dir, 'prices.yaml');

  beforeAll(async () => {
    fs.writeFileSync(pricesFile, pricesYaml(1, nowMs - 10 * MIN_MS));
    process.env.TRACEDECK_PRICES = pricesFile;
    resetConfigForTests();
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const spans = REQUESTS.map((r, i) => {
      const attributes = llmRequestAttributes(r);
      if (r.cached !== undefined) attributes['llm.usage.cached_input_tokens'] = int(r.cached);
      const start = BigInt(nowMs - r.minutesAgo * MIN_MS) * NS_PER_MS;
      return spanRecord({
        traceId: (i + 1).toString(16).padStart(32, 'c'),
        spanId: (i + 1).toString(16).padStart(16, 'd'),
        startTimeUnixNano: start,
        endTimeUnixNano: start + 1_000_000n,
        attributes,
      });
    });
    await storeRecords(database.db, spans);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
    delete process.env.TRACEDECK_PRICES;
    resetConfigForTests();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (params: Record<string, string>) => {
    const range = { from: new Date(nowMs - 60 * MIN_MS).toISOString(), to: new Date(nowMs + MIN_MS).toISOString() };
    const res = await fetch(`${server.url}/api/metrics?${new URLSearchParams({ ...range, ...params })}`);
    expect(res.status).toBe(200);
    return (await res.json()) as MetricsResponse;
  };

  // gpt-4o-mini: $0.15 / $0.60 per million, cached input $0.075: 600k×0.15 + 400k×0.075 + 1M×0.6 = $0.72.
  const MINI = 0.09 + 0.03 + 0.6;

  it('prices tokens from the catalog (prefixed, dated name; cached input at its rate) and the prices file, with the price in force', async () => {
    const body = await get({ series: 'false', group_by: 'tenant.id' });
    expect(body.totals.reportedCostUsd).toBeCloseTo(0.5, 9);
    // my-selfhosted 1M×1 + 1M×2 = 3; hist-model 1M×1 before the change, 1M×3 after = 4.
    expect(body.totals.computedCostUsd).toBeCloseTo(MINI + 3 + 4, 9);
    expect(body.totals.costUsd).toBeCloseTo(0.5 + MINI + 7, 9);
    expect(body.totals.costSource).toBe('reported + computed');
    const byTenant = Object.fromEntries(body.groups.map((g) => [g.label, g.totals]));
    expect(byTenant.acme.computedCostUsd).toBeCloseTo(MINI, 9);
    expect(byTenant.acme.costSource).toBe('reported + computed');
    expect(byTenant.globex.computedCostUsd).toBeCloseTo(3, 9);
    expect(byTenant.initech.computedCostUsd).toBeCloseTo(4, 9);
    expect(byTenant.initech.costSource).toBe('computed');
    expect(body.cost?.pricedAt).toBe('query');
    expect(body.cost?.pricesFile).toBe(pricesFile);
  });

  it('counts and names the requests whose model has no price, never as $0', async () => {
    const body = await get({ series: 'false', group_by: 'llm.model' });
    expect(body.totals.unpricedRequests).toBe(3);
    expect(body.cost?.unpriced).toEqual([{ model: 'my-finetune', requests: 3 }]);
    expect(body.cost?.note).toBe('3 requests of `my-finetune` have no price');
    const finetune = body.groups.find((g) => g.key === 'my-finetune')?.totals;
    expect(finetune?.costUsd).toBeNull();
    expect(finetune?.unpricedRequests).toBe(3);
    expect(finetune?.costSource).toBe('unknown');
  });

  it('the series add up to the totals', async () => {
    const body = await get({ bucket: '5m', metrics: 'cost' });
    const sum = (body.series ?? []).reduce((a, p) => a + (p.computedCostUsd ?? 0), 0);
    expect(sum).toBeCloseTo(body.totals.computedCostUsd ?? 0, 9);
    expect((body.series ?? []).reduce((a, p) => a + (p.unpricedRequests ?? 0), 0)).toBe(3);
  });

  const query = async (q: string) => {
    const range = { from: new Date(nowMs - 60 * MIN_MS).toISOString(), to: new Date(nowMs + MIN_MS).toISOString() };
    const res = await fetch(`${server.url}/api/query?${new URLSearchParams({ q, ...range })}`);
    expect(res.status).toBe(200);
    return (await res.json()) as QueryResponse;
  };

  it('aggregate queries price requests without a reported cost as the charts do, and count the unpriced ones apart', async () => {
    const body = await query('| by(tenant.id) sum(cost), count()');
    const rows = Object.fromEntries(body.rows.map((r) => [r[0], r.slice(1)]));
    expect(rows.acme[0]).toBeCloseTo(0.5 + MINI, 9);
    // globex: my-selfhosted's $3; its three my-finetune requests have no price and are left out, not $0.
    expect(rows.globex[0]).toBeCloseTo(3, 9);
    expect(rows.initech[0]).toBeCloseTo(4, 9);
    expect(body.cost).toEqual({ pricedAt: 'query', unpricedRequests: 3 });
    const byModel = await query('llm.model=hist-model | max(cost), min(llm.usage.total_cost_usd)');
    expect(byModel.rows[0][0]).toBeCloseTo(3, 9);
    expect(byModel.rows[0][1]).toBeCloseTo(1, 9);
    expect(byModel.cost).toEqual({ pricedAt: 'query', unpricedRequests: 0 });
    // A query that reads no cost says nothing about it; per span, cost is what the span reported.
    expect((await query('| count()')).cost).toBeUndefined();
    const spans = await query('| spans sum(cost)');
    expect(spans.rows[0][0]).toBeCloseTo(0.5, 9);
    expect(spans.cost).toBeUndefined();
  });

  it('reprices past requests when TRACEDECK_PRICES changes', async () => {
    fs.writeFileSync(pricesFile, pricesYaml(5, nowMs - 10 * MIN_MS) + '\n# edited\n');
    // The file is looked at every 2 s at most: a fresh configuration object reads it now.
    resetConfigForTests();
    const body = await get({ series: 'false', where: 'llm.model=my-selfhosted' });
    expect(body.totals.computedCostUsd).toBeCloseTo(5 + 2, 9);
  });
});
