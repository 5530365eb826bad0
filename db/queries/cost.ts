/**
 * Computed cost at query time: the traces in range that carry tokens but no reported
 * cost, priced in SQL with the prices in force at each trace's start. The prices come
 * from the server's price book (lib/pricing: TRACEDECK_PRICES, then the bundled
 * catalog) as one JSON parameter, so nothing about prices is stored: a changed
 * TRACEDECK_PRICES reprices every past request on the next read.
 *
 * Two statements: the models of the unpriced-so-far traces in range (so only their
 * prices are sent), then the sums per cell (group rank × bucket) and model. Cached,
 * cache-creation and reasoning tokens are the trace's promoted columns (summed over its
 * spans). Charts answered from the rollups price the rollups' token sums instead
 * (./cost-rollup.ts).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { BucketGrid } from '../../lib/metrics/bucket';
import type { PriceBook } from '../../lib/pricing/price-book';
import type { PricePeriod } from '../../lib/pricing/types';
import type { Db } from '../client';
import { timeRangeCondition } from './list-traces';
import { TOKEN_SPLIT, UNCOSTED_TRACE as UNCOSTED, splitCost } from './cost-tokens';

export { TOKEN_PARTS, TOKEN_SPLIT, type TokenPart, splitCost } from './cost-tokens';

type Num = bigint | number | string | null;

export type CostQuery = {
  filter: SQL | null;
  fromNs: bigint;
  toNs: bigint;
  /** The group value of a trace (`traces t`), or null when not grouped. */
  group: SQL | null;
  /** The groups' values in rank order (rank = index + 1); any other value is rank keys.length + 1 ("other"). */
  keys: readonly (string | null)[];
  /** With a grid, per-bucket sums too. */
  grid: BucketGrid | null;
  bucketMs: number;
};

/** One cell's sums for one model: rank 0 = every group, bucket null = the whole range. */
export type CostRow = { rank: number; b: number | null; model: string | null; computed: number | null; estComputed: number | null; unpriced: number };

/** Models of the uncosted traces in range, to look up in the price book. */
export async function uncostedModels(db: Pick<Db, 'rows'>, q: Pick<CostQuery, 'filter' | 'fromNs' | 'toNs'>): Promise<string[]> {
  const rows = await db.rows<{ m: string }>(sql`
    SELECT DISTINCT t.llm_model AS m FROM traces t
    WHERE ${timeRangeCondition(q, sql`t.start_ns`)} AND ${q.filter ?? sql`true`} AND ${UNCOSTED} AND t.llm_model IS NOT NULL
    LIMIT 1000`);
  return rows.map((r) => r.m);
}

/** The price periods of `models` as the JSON rows the statement reads (ns bounds; NULL rates fall back in SQL). */
export function priceRows(models: readonly string[], book: PriceBook) {
  const out: { model: string; from_ns: string | null; to_ns: string | null; i: number; o: number; c?: number; w?: number; r?: number }[] = [];
  const ns = (ms: number | null) => (ms === null ? null : (BigInt(Math.round(ms)) * 1_000_000n).toString());
  for (const model of models) {
    for (const p of book.periods(model) ?? ([] as PricePeriod[])) {
      const r = p.rates;
      out.push({ model, from_ns: ns(p.fromMs), to_ns: ns(p.toMs), i: r.input, o: r.output, c: r.cachedInput, w: r.cacheCreation, r: r.reasoning });
    }
  }
  return out;
}

/** The price row of `prices` for `model` in force at `ns` (a condition on alias `p`). */
export function priceInForce(model: SQL, ns: SQL): SQL {
  return sql`p.model = ${model} AND (p.from_ns IS NULL OR ${ns} >= p.from_ns) AND (p.to_ns IS NULL OR ${ns} < p.to_ns)`;
}

/**
 * The computed cost of trace `t` (NULL when its model has no price in force at its start), with the
 * price rows read from `prices` (a table of priceRows' columns: a CTE name or pricesTable()).
 */
export function tracePriceLookup(prices: SQL): SQL {
  return sql`(
    SELECT ${splitCost((part) => TOKEN_SPLIT[part])}
    FROM ${prices} p
    WHERE ${priceInForce(sql`t.llm_model`, sql`t.start_ns`)}
    LIMIT 1)`;
}

/** priceRows as a table expression (one JSON parameter). */
export function pricesTable(pricesJson: string): SQL {
  return sql`(SELECT * FROM jsonb_to_recordset(${pricesJson}::jsonb) AS x(model text, from_ns bigint, to_ns bigint, i float8, o float8, c float8, w float8, r float8))`;
}

/** Requests with tokens and no reported cost, in range and filter. */
export { UNCOSTED_TRACE } from './cost-tokens';

/** The rank of a group value among `q.keys` (keys.length + 1: "other"; 0 when not grouped). */
export function rankOf(q: Pick<CostQuery, 'keys'>, group: SQL | null): SQL {
  if (!group) return sql`0`;
  return sql`COALESCE(array_position(ARRAY(SELECT k FROM jsonb_array_elements_text(${JSON.stringify(q.keys)}::jsonb) WITH ORDINALITY AS e(k, i) ORDER BY i), ${group}), ${q.keys.length + 1}::integer)`;
}

/** The grid bucket of time `ns` (NULL without a grid). */
export function bucketOf(q: Pick<CostQuery, 'grid' | 'bucketMs'>, ns: SQL): SQL {
  if (!q.grid) return sql`NULL::integer`;
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  return sql`((${ns} - ${q.grid.originNs.toString()}::bigint) / ${sizeNs.toString()}::bigint)::integer`;
}

/**
 * The cells' sums over `x` (rank, b, model, usd, est, unpriced): per (rank, model), per model,
 * and per bucket with a grid, as CostRow's columns. Rows are decoded by costRowsOf.
 */
export function cellSums(q: { grouped: boolean; grid: BucketGrid | null }): SQL {
  const grouped = q.grouped;
  const sets = [
    ...(grouped ? [sql`(x.rank, x.model)`] : []),
    sql`(x.model)`,
    ...(q.grid ? [sql`(x.b, x.model)`, ...(grouped ? [sql`(x.rank, x.b, x.model)`] : [])] : []),
  ];
  return sql`
    SELECT ${grouped ? sql`CASE WHEN GROUPING(x.rank) = 1 THEN 0 ELSE x.rank END` : sql`0`} AS rank,
      ${q.grid ? sql`CASE WHEN GROUPING(x.b) = 1 THEN NULL ELSE x.b END` : sql`NULL::integer`} AS b,
      x.model, sum(x.usd) AS computed, sum(x.est) AS est, sum(x.unpriced) AS unpriced
    FROM x GROUP BY GROUPING SETS (${sql.join(sets, sql`, `)})`;
}

type CellSumRow = { rank: Num; b: Num; model: string | null; computed: Num; est: Num; unpriced: Num };

export function costRowsOf(rows: readonly CellSumRow[]): CostRow[] {
  const num = (v: Num) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    rank: Number(r.rank),
    b: r.b === null ? null : Number(r.b),
    model: r.model,
    computed: num(r.computed),
    estComputed: num(r.est),
    unpriced: Number(r.unpriced ?? 0),
  }));
}

/** Computed cost and unpriced requests per (group rank, bucket, model), with the totals rows (rank 0, bucket null). */
export async function costRows(db: Pick<Db, 'rows'>, q: CostQuery, book: PriceBook): Promise<CostRow[]> {
  const models = await uncostedModels(db, q);
  if (models.length === 0) return [];
  const prices = JSON.stringify(priceRows(models, book));
  const rows = await db.rows<CellSumRow>(sql`
    WITH prices AS ${pricesTable(prices)},
    x AS (
      SELECT ${rankOf(q, q.group)} AS rank, ${bucketOf(q, sql`t.start_ns`)} AS b, t.llm_model AS model,
        cost.usd, cost.usd * t.sample_weight AS est, CASE WHEN cost.usd IS NULL THEN 1 ELSE 0 END AS unpriced
      FROM traces t
      LEFT JOIN LATERAL (SELECT ${tracePriceLookup(sql`prices`)} AS usd) cost ON true
      WHERE ${timeRangeCondition(q, sql`t.start_ns`)} AND ${q.filter ?? sql`true`} AND ${UNCOSTED}
    )
    ${cellSums({ grouped: q.group !== null, grid: q.grid })}`);
  return costRowsOf(rows);
}
