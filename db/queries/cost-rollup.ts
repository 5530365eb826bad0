/**
 * Computed cost from the chart rollups: when a chart was answered from `trace_rollups`
 * (db/queries/metrics-rollup.ts), its requests without a reported cost are priced from the
 * rollups' per-granule token sums (db/rollup-cost.ts) with the price in force for each
 * granule, instead of a second scan of `traces`. Prices are still applied at read time.
 *
 * Exact, as the traces path (./cost.ts costRows) is:
 * - the price formula is linear in the split token sums (TOKEN_SPLIT), and the price book
 *   prices every model linearly (tiered prices at their base tier, time-of-day prices
 *   unconstrained: lib/pricing/catalog.ts), so a granule's sums price as its requests do;
 * - a granule is priced at one instant, which is right unless a price changes inside it:
 *   a price boundary that is not on a 5-minute boundary sends its granule to `traces`, and
 *   one not on an hour boundary reads its hour as 5-minute granules;
 * - dirty granules and the partial granules at the range's edges are read from `traces`
 *   (as the metrics' rollup path does), in the same statement, so in the same snapshot.
 */
import { sql } from 'drizzle-orm';
import type { PriceBook } from '../../lib/pricing/price-book';
import type { Db } from '../client';
import { estUcColumn, ucColumn } from '../rollup-cost';
import { DAY_NS, DIMS, GRANULE_NS, HOUR_NS, ROLLUP_HOUR_MS, floorTo } from '../rollups';
import {
  type CostQuery,
  type CostRow,
  UNCOSTED_TRACE,
  bucketOf,
  cellSums,
  costRowsOf,
  priceInForce,
  priceRows,
  pricesTable,
  rankOf,
  splitCost,
  tracePriceLookup,
} from './cost';
import { type Shape, type Window, cleanRollupRows, dirtyGranules, readableOpenFrom, shapeOf, windowOf, withoutJit } from './metrics-rollup';

export type RollupCostQuery = Omit<CostQuery, 'group' | 'filter'> & {
  /** The chart's group-by key (null, the tenant key, llm.model or user.id: what the rollup path groups by). */
  groupBy: string | null;
  tenantKey: string;
  /** The one tenant the chart's filter keeps (null: every tenant). */
  tenantId: string | null;
};

const big = (v: bigint) => sql`${v.toString()}::bigint`;
const bigints = (values: readonly bigint[]) => sql`${sql.param(values.map(String))}::text[]::bigint[]`;

/** Rows that keep the model: (tenant, user, model) by user, (tenant, model) when a tenant is involved, else (model). */
const costDims = (shape: Shape) => (shape.dims === DIMS.tenantUser ? DIMS.tenantUserModel : shape.dims === DIMS.model ? DIMS.model : DIMS.tenantModel);

/** Models of the uncosted requests the rollups and the dirty granules hold in range (a superset: only prices are looked up for them). */
async function rolledUncostedModels(db: Pick<Db, 'rows'>, q: RollupCostQuery, shape: Shape): Promise<string[]> {
  const F = big(GRANULE_NS);
  // By user: the tenant's (tenant, model) rows, which also cover the hours too quiet for user rows.
  const modelDims = shape.userLevel ? DIMS.tenantModel : costDims(shape);
  const rows = await db.rows<{ m: string }>(sql`
    SELECT DISTINCT m FROM (
      SELECT r.llm_model AS m FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_HOUR_MS}::integer AND r.dims = ${modelDims}::smallint AND ${shape.tenant('r')}
        AND r.bucket_ns >= ${big(floorTo(q.fromNs, HOUR_NS))} AND r.bucket_ns < ${big(q.toNs)} AND r.uncosted_requests > 0
      UNION ALL
      SELECT x.m FROM (
        SELECT DISTINCT bucket_ns AS d FROM rollup_dirty WHERE bucket_ns >= ${big(floorTo(q.fromNs, GRANULE_NS))} AND bucket_ns < ${big(q.toNs)}
      ) i CROSS JOIN LATERAL (
        SELECT t.llm_model AS m FROM traces t
        WHERE t.start_ns >= i.d AND t.start_ns < i.d + ${F} AND ${shape.tenant('t')} AND ${UNCOSTED_TRACE}
        OFFSET 0
      ) x
    ) y WHERE m IS NOT NULL LIMIT 1000`);
  return rows.map((r) => r.m);
}

/**
 * The 5-minute granules a price change falls inside (read from traces), the hours one falls inside
 * (read as 5-minute granules), and the days one falls inside (read as hours).
 */
export function priceSplits(boundsNs: readonly bigint[], w: Window): { granules: bigint[]; hours: bigint[]; days: bigint[] } {
  const granules = new Set<bigint>();
  const hours = new Set<bigint>();
  const days = new Set<bigint>();
  for (const b of boundsNs) {
    if (b < w.fFrom || b >= w.fTo) continue;
    if (floorTo(b, GRANULE_NS) !== b) granules.add(floorTo(b, GRANULE_NS));
    if (floorTo(b, HOUR_NS) !== b) hours.add(floorTo(b, HOUR_NS));
    if (floorTo(b, DAY_NS) !== b) days.add(floorTo(b, DAY_NS));
  }
  return { granules: [...granules], hours: [...hours], days: [...days] };
}

/** A rollup row's token sums (alias `r`) priced at price row `p`; `est`: their sampling-weighted estimates. */
const rolledCost = (est: boolean) => splitCost((part) => sql.raw(`COALESCE(r.${est ? estUcColumn(part) : ucColumn(part)}, 0)`));

/**
 * Computed cost and unpriced requests per (group rank, bucket, model), as costRows gives them,
 * from the rollups; null when the request cannot be answered from them (the traces path can).
 */
export async function rollupCostRows(db: Pick<Db, 'rows'>, q: RollupCostQuery, book: PriceBook): Promise<CostRow[] | null> {
  const shape = shapeOf(q, { tenantId: q.tenantId });
  const w = shape && windowOf({ fromNs: q.fromNs, toNs: q.toNs, series: q.grid !== null, bucketMs: q.bucketMs }, shape);
  if (!shape || !w) return null;
  const models = await rolledUncostedModels(db, q, shape);
  if (models.length === 0) return [];
  const prices = priceRows(models, book);
  const bounds = prices.flatMap((p) => [p.from_ns, p.to_ns]).filter((b): b is string => b !== null);
  const splits = priceSplits(
    bounds.map((b) => BigInt(b)),
    w,
  );
  const group = shape.group;
  const F = big(GRANULE_NS);
  const H = big(HOUR_NS);
  const dims = costDims(shape);
  const openFrom = await readableOpenFrom(db, shape);
  const rollupRows = (granuleMs: number) =>
    sql`SELECT * FROM trace_rollups r WHERE r.granule_ms = ${granuleMs}::integer AND r.dims = ${dims}::smallint AND ${shape.tenant('r')} AND r.uncosted_requests > 0`;
  const rows = await withoutJit<{ rank: string; b: string | null; model: string | null; computed: string | null; est: string | null; unpriced: string }>(
    db,
    sql`
    WITH prices AS MATERIALIZED ${pricesTable(JSON.stringify(prices))},
    marked AS MATERIALIZED (
      SELECT DISTINCT d FROM (
        SELECT bucket_ns AS d FROM rollup_dirty WHERE bucket_ns >= ${big(w.fFrom)} AND bucket_ns < ${big(w.fTo)}
        UNION ALL SELECT unnest(${bigints(splits.granules)})
      ) x
    ),
    ${dirtyGranules(
      shape,
      w,
      sql`SELECT d - ((d % ${H}) + ${H}) % ${H} AS h FROM marked UNION SELECT unnest(${bigints(splits.hours)})`,
      openFrom,
      sql`SELECT unnest(${bigints(splits.days)})`,
    )},
    dirty_hours AS MATERIALIZED (
      SELECT DISTINCT h FROM (
        SELECT d - ((d % ${H}) + ${H}) % ${H} AS h FROM dirty UNION ALL SELECT unnest(${bigints(splits.hours)})
      ) x WHERE h >= ${big(w.hFrom)} AND h < ${big(w.hTo)}
    ),
    gaps AS MATERIALIZED (
      SELECT lo, hi FROM (VALUES (${big(q.fromNs)}, ${big(w.fFrom)}), (${big(w.fTo)}, ${big(q.toNs)})) v(lo, hi) WHERE lo < hi
      UNION ALL SELECT d, d + ${F} FROM dirty
    ),
    gap AS MATERIALIZED (
      SELECT x.* FROM gaps i CROSS JOIN LATERAL (
        SELECT ${group('t')} AS g, ${bucketOf(q, sql`t.start_ns`)} AS b, t.llm_model AS model, 1 AS n, cost.usd, cost.usd * t.sample_weight AS est
        FROM traces t LEFT JOIN LATERAL (SELECT ${tracePriceLookup(sql`prices`)} AS usd) cost ON true
        WHERE t.start_ns >= i.lo AND t.start_ns < i.hi AND ${shape.tenant('t')} AND ${UNCOSTED_TRACE}
        OFFSET 0
      ) x
    ),
    ${cleanRollupRows(w, rollupRows)},
    rolled AS (
      SELECT ${group('r')} AS g, ${bucketOf(q, sql`r.bucket_ns`)} AS b, r.llm_model AS model, r.uncosted_requests AS n, c.usd, c.est
      FROM (SELECT * FROM day_rows UNION ALL SELECT * FROM hour_rows UNION ALL SELECT * FROM five_rows) r
      LEFT JOIN LATERAL (
        SELECT ${rolledCost(false)} AS usd, ${rolledCost(true)} AS est FROM prices p
        WHERE ${priceInForce(sql`r.llm_model`, sql`r.bucket_ns`)} LIMIT 1
      ) c ON true
    ),
    x AS (
      SELECT ${rankOf(q, q.groupBy === null ? null : sql`y.g`)} AS rank, y.b, y.model, y.usd, y.est, CASE WHEN y.usd IS NULL THEN y.n ELSE 0 END AS unpriced
      FROM (SELECT * FROM rolled UNION ALL SELECT * FROM gap) y
    )
    ${cellSums({ grouped: q.groupBy !== null, grid: q.grid })}`,
  );
  return costRowsOf(rows);
}
