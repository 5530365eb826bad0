/**
 * Upgrading a database that holds data from before migration 0011 (cost tokens as promoted
 * columns, uncosted token sums in the rollups): the spans' cache-read, cache-creation and
 * reasoning tokens are backfilled from their attributes (Plano's and GenAI's keys), the
 * traces get their sums, and the granules holding uncosted requests are marked dirty, so
 * their rollups are rebuilt with the new sums and price as the traces do.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../db/client';
import { costRows } from '../../db/queries/cost';
import { rollupCostRows } from '../../db/queries/cost-rollup';
import { GRANULE_NS, drainRollups, floorTo } from '../../db/rollups';
import { ensurePartitionsFor } from '../../db/partitions';
import { PriceBook, parsePriceOverrides } from '../../lib/pricing';
import { describeEachDatabase } from '../support/databases';
import { type UpgradedDatabase, openUpgradedFrom } from '../support/upgrade';

const NS_PER_MS = 1_000_000n;
const MIN_NS = 60_000n * NS_PER_MS;
/** Two days ago, on a 5-minute granule. */
const BASE_NS = floorTo(BigInt(Date.now()) * NS_PER_MS - 2n * 86_400_000n * NS_PER_MS, 3_600_000n * NS_PER_MS);
const UNCOSTED_TRACE = 'e1'.repeat(16);
const REPORTED_TRACE = 'e2'.repeat(16);
const book = new PriceBook(parsePriceOverrides('models:\n  think-model: { input: 2, output: 8, cached_input: 0.5, cache_creation: 3, reasoning: 20 }'));

/** Spans as the pre-0011 ingest stored them (compact attributes, no token columns), their traces, and a rollup row of the time. */
async function writeOldData(db: Db): Promise<void> {
  await ensurePartitionsFor(db, [BASE_NS]);
  const spans: [string, string, string | null, bigint, Record<string, unknown>, number | null, number | null, number | null][] = [
    [UNCOSTED_TRACE, '00000000000000b1', null, BASE_NS + MIN_NS, { 'tenant.id': 'acme' }, null, null, null],
    // Two LLM spans, cached tokens under both conventions: the trace sums them.
    [
      UNCOSTED_TRACE,
      '00000000000000b2',
      '00000000000000b1',
      BASE_NS + MIN_NS + 1n,
      { 'llm.model': 'think-model', 'llm.usage.cached_input_tokens': 300, 'llm.usage.reasoning_tokens': 100, 'llm.usage.cache_creation_tokens': 50 },
      1000,
      400,
      null,
    ],
    [
      UNCOSTED_TRACE,
      '00000000000000b3',
      '00000000000000b1',
      BASE_NS + MIN_NS + 2n,
      { 'llm.model': 'think-model', 'gen_ai.usage.cache_read.input_tokens': { i: '200' }, 'gen_ai.usage.reasoning.output_tokens': '60' },
      500,
      100,
      null,
    ],
    [
      REPORTED_TRACE,
      '00000000000000c1',
      null,
      BASE_NS + 30n * MIN_NS,
      { 'tenant.id': 'acme', 'llm.model': 'think-model', 'llm.usage.cached_input_tokens': 7 },
      10,
      10,
      0.25,
    ],
  ];
  for (const [trace, span, parent, start, attributes, prompt, completion, cost] of spans) {
    await db.rows(sql`
      INSERT INTO spans (tenant_id, trace_id, span_id, parent_span_id, name, kind, service, status_code, start_ns, end_ns, duration_ns,
        llm_model, prompt_tokens, completion_tokens, cost_usd, attributes, resource_id, events, links)
      VALUES ('acme', ${trace}, ${span}, ${parent}, 'llm', 3, 'svc', 0, ${String(start)}::bigint, ${String(start + 1000n)}::bigint, 1000,
        ${(attributes['llm.model'] as string | undefined) ?? null}, ${prompt}, ${completion}, ${cost}, ${JSON.stringify(attributes)}::jsonb, 1, '[]'::jsonb, '[]'::jsonb)`);
  }
  for (const [trace, start, prompt, completion, cost] of [
    [UNCOSTED_TRACE, BASE_NS + MIN_NS, 1500, 500, null],
    [REPORTED_TRACE, BASE_NS + 30n * MIN_NS, 10, 10, 0.25],
  ] as const) {
    await db.rows(sql`
      INSERT INTO traces (tenant_id, trace_id, start_ns, end_ns, duration_ns, root_name, root_service, span_count, error_count, llm_model,
        prompt_tokens, completion_tokens, cost_usd)
      VALUES ('acme', ${trace}, ${String(start)}::bigint, ${String(start + 1000n)}::bigint, 1000, 'llm', 'svc', 1, 0, 'think-model',
        ${prompt}, ${completion}, ${cost})`);
  }
  // The roller's rows of the time for both granules (no uncosted sums yet).
  for (const bucket of [BASE_NS, BASE_NS + 30n * MIN_NS]) {
    for (const [dims, tenant, model] of [
      [0, 'acme', 'think-model'],
      [1, 'acme', null],
      [2, '', 'think-model'],
    ] as const) {
      await db.rows(sql`
        INSERT INTO trace_rollups (granule_ms, bucket_ns, dims, tenant_id, llm_model, requests, est_requests, errors, client_errors,
          cov_model, cov_tokens, cov_cost, cov_ttft, weighted, duration_hist, ttft_hist)
        VALUES (300000, ${String(floorTo(bucket, GRANULE_NS))}::bigint, ${dims}, ${tenant}, ${model}, 1, 1, 0, 0, 1, 1, 0, 0, 0, '{}', '{}')`);
    }
  }
}

describeEachDatabase('upgrade to cost tokens as columns (migration 0011)', (kind) => {
  let db: Db;
  let upgraded: UpgradedDatabase | undefined;

  beforeAll(async () => {
    // Before 0011: cost tokens were not columns yet.
    upgraded = await openUpgradedFrom(kind, '0011', writeOldData);
    db = upgraded.db;
  });
  afterAll(() => upgraded?.dispose());

  it('backfills the spans from their attributes and the traces with their sums', async () => {
    const spans = await db.rows<Record<string, unknown>>(
      sql`SELECT span_id, cached_input_tokens, cache_creation_tokens, reasoning_tokens FROM spans ORDER BY span_id`,
    );
    expect(
      spans.map((s) => [s.span_id, s.cached_input_tokens, s.cache_creation_tokens, s.reasoning_tokens].map((v) => (v === null ? null : String(v)))),
    ).toEqual([
      ['00000000000000b1', null, null, null],
      ['00000000000000b2', '300', '50', '100'],
      ['00000000000000b3', '200', null, '60'],
      ['00000000000000c1', '7', null, null],
    ]);
    const traces = await db.rows<Record<string, unknown>>(
      sql`SELECT trace_id, cached_input_tokens, cache_creation_tokens, reasoning_tokens FROM traces ORDER BY trace_id`,
    );
    expect(
      traces.map((t) => [t.trace_id, t.cached_input_tokens, t.cache_creation_tokens, t.reasoning_tokens].map((v) => (v === null ? null : String(v)))),
    ).toEqual([
      [UNCOSTED_TRACE, '500', '50', '160'],
      [REPORTED_TRACE, '7', null, null],
    ]);
  });

  it('marks dirty the granules holding uncosted requests, and the roller gives them their sums', async () => {
    const dirty = await db.rows<{ bucket_ns: bigint | string }>(sql`SELECT DISTINCT bucket_ns FROM rollup_dirty`);
    // 0011 marks the granule with the uncosted request; 0013 (user rollups) then marks every granule holding traces.
    expect(dirty.map((d) => BigInt(d.bucket_ns)).sort()).toEqual([BASE_NS, BASE_NS + 30n * MIN_NS]);
    await drainRollups(db);
    const rows = await db.rows<Record<string, unknown>>(sql`
      SELECT uncosted_requests, uc_fresh_input, uc_cached_input, uc_cache_creation, uc_output, uc_plain_output, uc_reasoning
      FROM trace_rollups WHERE granule_ms = 300000 AND dims = 2 ORDER BY bucket_ns`);
    expect(rows.map((r) => Object.values(r).map((v) => (v === null ? null : Number(v))))).toEqual([
      [1, 1500 - 500 - 50, 500, 50, 500, 500 - 160, 160],
      [0, null, null, null, null, null, null],
    ]);
  });

  it('prices the old requests from the rollups as from the traces', async () => {
    const q = { fromNs: BASE_NS, toNs: BASE_NS + 3_600_000n * NS_PER_MS, keys: [] as string[], grid: null, bucketMs: 3_600_000 };
    const exact = await costRows(db, { ...q, filter: null, group: null }, book);
    const rolled = await rollupCostRows(db, { ...q, groupBy: null, tenantKey: 'tenant.id', tenantId: 'acme' }, book);
    // 950 fresh × 2 + 500 cached × 0.5 + 50 × 3 + 340 output × 8 + 160 reasoning × 20, per million.
    const usd = (950 * 2 + 500 * 0.5 + 50 * 3 + 340 * 8 + 160 * 20) / 1e6;
    expect(exact.map((r) => [r.model, r.unpriced])).toEqual([['think-model', 0]]);
    expect(exact[0].computed).toBeCloseTo(usd, 12);
    expect(rolled?.map((r) => [r.model, r.unpriced])).toEqual([['think-model', 0]]);
    expect(rolled?.[0].computed).toBeCloseTo(usd, 12);
  });
});
