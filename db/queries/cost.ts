/**
 * Computed cost at query time: the traces in range that carry tokens but no reported
 * cost, priced in SQL with the prices in force at each trace's start. The prices come
 * from the server's price book (lib/pricing: TRACEDECK_PRICES, then the bundled
 * catalog) as one JSON parameter, so nothing about prices is stored: a changed
 * TRACEDECK_PRICES reprices every past request on the next read.
 *
 * Two statements: the models of the unpriced-so-far traces in range (so only their
 * prices are sent), then the sums per cell (group rank × bucket) and model. Cached,
 * cache-creation and reasoning tokens are read from the trace's attribute set (each
 * distinct value once: a trace whose two LLM spans report the same count counts it once;
 * the trace page prices each span exactly).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { BucketGrid } from '../../lib/metrics/bucket';
import type { PriceBook } from '../../lib/pricing/price-book';
import type { PricePeriod } from '../../lib/pricing/types';
import type { Db } from '../client';
import { timeRangeCondition } from './list-traces';
import { setSum } from './trace-set';

/** Traces whose cost is computed (or unknown): tokens, no reported cost. */
const UNCOSTED = sql`t.cost_usd IS NULL AND (t.prompt_tokens IS NOT NULL OR t.completion_tokens IS NOT NULL)`;

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

/** The cost of one trace at price row `p` (see lib/pricing/cost.ts for the same formula in TypeScript). */
const TRACE_COST = sql`(
  greatest(COALESCE(t.prompt_tokens, 0) - u.cached - u.creation, 0) * p.i
  + u.cached * COALESCE(p.c, p.i) + u.creation * COALESCE(p.w, p.i)
  + greatest(COALESCE(t.completion_tokens, 0) - CASE WHEN p.r IS NULL THEN 0 ELSE u.reasoning END, 0) * p.o
  + CASE WHEN p.r IS NULL THEN 0 ELSE u.reasoning * p.r END)`;

/**
 * The computed cost of trace `t` (NULL when its model has no price in force at its start), with the
 * price rows read from `prices` (a table of priceRows' columns: a CTE name or pricesTable()).
 */
export function tracePriceLookup(prices: SQL): SQL {
  return sql`(
    SELECT ${TRACE_COST}
    FROM ${prices} p,
      LATERAL (SELECT ${setSum('llm.usage.cached_input_tokens')} AS cached, ${setSum('llm.usage.cache_creation_tokens')} AS creation,
                      ${setSum('llm.usage.reasoning_tokens')} AS reasoning) u
    WHERE p.model = t.llm_model AND (p.from_ns IS NULL OR t.start_ns >= p.from_ns) AND (p.to_ns IS NULL OR t.start_ns < p.to_ns)
    LIMIT 1)`;
}

/** priceRows as a table expression (one JSON parameter). */
export function pricesTable(pricesJson: string): SQL {
  return sql`(SELECT * FROM jsonb_to_recordset(${pricesJson}::jsonb) AS x(model text, from_ns bigint, to_ns bigint, i float8, o float8, c float8, w float8, r float8))`;
}

/** Requests with tokens and no reported cost, in range and filter. */
export { UNCOSTED as UNCOSTED_TRACE };

/** Computed cost and unpriced requests per (group rank, bucket, model), with the totals rows (rank 0, bucket null). */
export async function costRows(db: Pick<Db, 'rows'>, q: CostQuery, book: PriceBook): Promise<CostRow[]> {
  const models = await uncostedModels(db, q);
  if (models.length === 0) return [];
  const prices = JSON.stringify(priceRows(models, book));
  const rank = q.group
    ? sql`COALESCE(array_position(ARRAY(SELECT k FROM jsonb_array_elements_text(${JSON.stringify(q.keys)}::jsonb) WITH ORDINALITY AS e(k, i) ORDER BY i), ${q.group}), ${q.keys.length + 1}::integer)`
    : sql`0`;
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  const bucket = q.grid ? sql`((t.start_ns - ${q.grid.originNs.toString()}::bigint) / ${sizeNs.toString()}::bigint)::integer` : sql`NULL::integer`;
  const sets = [
    ...(q.group ? [sql`(x.rank, x.model)`] : []),
    sql`(x.model)`,
    ...(q.grid ? [sql`(x.b, x.model)`, ...(q.group ? [sql`(x.rank, x.b, x.model)`] : [])] : []),
  ];
  const rows = await db.rows<{ rank: Num; b: Num; model: string | null; computed: Num; est: Num; unpriced: Num }>(sql`
    WITH prices AS ${pricesTable(prices)},
    x AS (
      SELECT ${rank} AS rank, ${bucket} AS b, t.llm_model AS model, t.sample_weight AS weight, cost.usd
      FROM traces t
      LEFT JOIN LATERAL (SELECT ${tracePriceLookup(sql`prices`)} AS usd) cost ON true
      WHERE ${timeRangeCondition(q, sql`t.start_ns`)} AND ${q.filter ?? sql`true`} AND ${UNCOSTED}
    )
    SELECT ${q.group ? sql`CASE WHEN GROUPING(x.rank) = 1 THEN 0 ELSE x.rank END` : sql`0`} AS rank,
      ${q.grid ? sql`CASE WHEN GROUPING(x.b) = 1 THEN NULL ELSE x.b END` : sql`NULL::integer`} AS b,
      x.model, sum(x.usd) AS computed, sum(x.usd * x.weight) AS est, count(*) FILTER (WHERE x.usd IS NULL) AS unpriced
    FROM x GROUP BY GROUPING SETS (${sql.join(sets, sql`, `)})`);
  const num = (v: Num) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    rank: Number(r.rank),
    b: r.b === null ? null : Number(r.b),
    model: r.model,
    computed: num(r.computed),
    estComputed: num(r.est),
    unpriced: Number(r.unpriced),
  }));
}
