/**
 * Latency and TTFT heatmaps of requests (x: time buckets, y: the value on log buckets,
 * cell: how many requests), and "what's different" about a brushed region of one: the
 * attribute values that occur in more of the selected requests than of the rest of the
 * range, e.g. `llm.model = gpt-4o: 71% of selected vs 12% of the rest`.
 *
 * Both read `traces` alone (one row per request, the filter compiled by lib/where); the
 * ranking counts requests per (key, value) of their attribute sets through the where
 * compiler's helper (traceAttributeEntries), so storage changes carry over. Every user
 * text is a bound parameter.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { BucketGrid } from '../../lib/metrics/bucket';
import { type DifferenceValue, type HeatmapField, Y_MAX, Y_MIN, Y_STEPS_PER_DOUBLING } from '../../lib/query/heatmap';
import { traceAttributeEntries } from '../../lib/where/sql-compiler';
import type { Db } from '../client';
import { summariesCaughtUp } from '../summarizer';
import { timeRangeCondition } from './list-traces';
import { withoutJit } from './metrics-rollup';

/** The field's value of request `t` in ms (NULL when it has none: TTFT of a request without LLM spans). */
function fieldMs(field: HeatmapField): SQL {
  return field === 'duration' ? sql`(t.duration_ns::float8 / 1e6)` : sql`t.ttft_ms::float8`;
}

function yBucketSql(value: SQL): SQL {
  const raw = sql`floor(ln(GREATEST(${value}, 1e-9::float8)) / ln(2::float8) * ${sql.raw(String(Y_STEPS_PER_DOUBLING))})`;
  return sql`LEAST(GREATEST(${raw}, ${sql.raw(String(Y_MIN))}), ${sql.raw(String(Y_MAX))})::integer`;
}

export type HeatmapRequest = {
  field: HeatmapField;
  /** The compiled trace filter (tenant scope included), or null. */
  filter: SQL | null;
  fromNs: bigint;
  toNs: bigint;
  grid: BucketGrid;
};

/** One non-empty cell: time bucket `x` of the grid, value bucket `y`, `count` requests. */
export type HeatmapCell = { x: number; y: number; count: number };

export async function heatmapCells(db: Pick<Db, 'rows'>, req: HeatmapRequest): Promise<HeatmapCell[]> {
  await summariesCaughtUp(db);
  const value = fieldMs(req.field);
  const sizeNs = BigInt(req.grid.sizeMs) * 1_000_000n;
  const rows = await db.rows<{ x: number | string; y: number | string; n: number | string }>(sql`
    SELECT ((t.start_ns - ${req.grid.originNs.toString()}::bigint) / ${sizeNs.toString()}::bigint)::integer AS x, ${yBucketSql(value)} AS y, count(*) AS n
    FROM traces t
    WHERE ${timeRangeCondition({ fromNs: req.fromNs, toNs: req.toNs }, sql`t.start_ns`)} AND ${value} IS NOT NULL AND ${req.filter ?? sql`true`}
    GROUP BY 1, 2
    ORDER BY 1, 2`);
  return rows.map((r) => ({ x: Number(r.x), y: Number(r.y), count: Number(r.n) }));
}

/** A brushed region: start times in [fromNs, toNs), values in [minMs, maxMs) (null: unbounded). */
export type HeatmapSelection = { fromNs: bigint; toNs: bigint; minMs: number | null; maxMs: number | null };

export type DifferencesRequest = Omit<HeatmapRequest, 'grid'> & {
  selection: HeatmapSelection;
  /** Values returned, best first. */
  limit: number;
  /** Requests read per side (selected / rest) at most; past it, a deterministic sample by trace id (see below). */
  sampleCap: number;
};

export type { HeatmapField };

export type Differences = {
  /** Requests in the selection and in the rest of the range (all of them, not only those read). */
  selectedTotal: number;
  restTotal: number;
  /** The share of each side that was read (1 = every request; < 1 = a sample by trace id). */
  selectedSampled: number;
  restSampled: number;
  values: DifferenceValue[];
};

/** Resolution of the trace-id sample (a request is read when its hash mod this is below rate × this). */
const SAMPLE_SLOTS = 100_000;

/**
 * Values ranked by how much more often they occur in the selection than in the rest of
 * the range (share of selected minus share of rest; ties: more selected requests, then
 * key and value). "The rest" is every other request in range with the field (a request
 * without TTFT is not a TTFT outlier). Only values over-represented in the selection.
 *
 * Unnesting every (key, value) of every request costs ~1 ms per 10k pairs and grows with
 * the range (a week at 1M spans: ~140k requests × ~30 pairs). So the sides are counted
 * first (no attribute set read), and past `sampleCap` requests a side is read through a
 * sample by the hash of the trace id (the same requests on every call); shares are over
 * what was read, so they stay unbiased estimates, and the answer says how much was read.
 */
export async function selectionDifferences(db: Pick<Db, 'rows'>, req: DifferencesRequest): Promise<Differences> {
  await summariesCaughtUp(db);
  const value = fieldMs(req.field);
  const { selection: s } = req;
  const inSelection = sql.join(
    [
      timeRangeCondition({ fromNs: s.fromNs, toNs: s.toNs }, sql`t.start_ns`),
      s.minMs === null ? sql`true` : sql`${value} >= ${s.minMs}::float8`,
      s.maxMs === null ? sql`true` : sql`${value} < ${s.maxMs}::float8`,
    ],
    sql` AND `,
  );
  const inRange = sql`${timeRangeCondition({ fromNs: req.fromNs, toNs: req.toNs }, sql`t.start_ns`)} AND ${value} IS NOT NULL AND ${req.filter ?? sql`true`}`;
  const [totals] = await db.rows<{ ns: number | string; nr: number | string }>(sql`
    SELECT count(*) FILTER (WHERE ${inSelection}) AS ns, count(*) FILTER (WHERE NOT (${inSelection})) AS nr FROM traces t WHERE ${inRange}`);
  const selectedTotal = Number(totals?.ns ?? 0);
  const restTotal = Number(totals?.nr ?? 0);
  const slots = (n: number) => Math.min(SAMPLE_SLOTS, Math.floor((SAMPLE_SLOTS * req.sampleCap) / Math.max(n, 1)));
  const sampled = (n: number) => (n <= req.sampleCap ? sql`true` : sql`mod(abs(hashtext(t.trace_id)::bigint), ${SAMPLE_SLOTS}) < ${slots(n)}`);
  // JIT off: jsonb_each's default estimate (100 rows) puts this past jit_above_cost, and compiling took 0.5–0.9 s.
  const rows = await withoutJit<DifferenceSqlRow>(
    db,
    sql`
    WITH kept AS MATERIALIZED (
      SELECT (${inSelection}) AS sel, t.attribute_set FROM traces t
      WHERE ${inRange} AND CASE WHEN ${inSelection} THEN ${sampled(selectedTotal)} ELSE ${sampled(restTotal)} END
    ),
    read AS (SELECT count(*) FILTER (WHERE sel) AS ks, count(*) FILTER (WHERE NOT sel) AS kr FROM kept),
    pairs AS (
      SELECT a.key, a.s AS value, count(*) FILTER (WHERE t.sel) AS cs, count(*) FILTER (WHERE NOT t.sel) AS cr
      FROM kept t CROSS JOIN LATERAL ${traceAttributeEntries()} a
      GROUP BY a.key, a.s
      HAVING count(*) FILTER (WHERE t.sel) > 0
    ),
    scored AS (
      SELECT p.*, p.cs::float8 / GREATEST(rd.ks, 1) AS ss, p.cr::float8 / GREATEST(rd.kr, 1) AS rs FROM pairs p, read rd
    ),
    top AS (
      SELECT * FROM scored WHERE ss > rs ORDER BY ss - rs DESC, cs DESC, key COLLATE "C", value COLLATE "C" LIMIT ${req.limit}::integer
    )
    SELECT rd.ks, rd.kr, top.key, top.value, top.cs, top.cr, top.ss, top.rs
    FROM read rd LEFT JOIN top ON true
    ORDER BY top.ss - top.rs DESC, top.cs DESC, top.key COLLATE "C", top.value COLLATE "C"`,
  );
  return differencesFromRows(rows, selectedTotal, restTotal);
}

type DifferenceSqlRow = {
  ks: number | string;
  kr: number | string;
  key: string | null;
  value: string | null;
  cs: number | string | null;
  cr: number | string | null;
  ss: number | string | null;
  rs: number | string | null;
};

function differencesFromRows(rows: DifferenceSqlRow[], selectedTotal: number, restTotal: number): Differences {
  const first = rows[0];
  const share = (read: number, total: number) => (total === 0 ? 1 : read / total);
  return {
    selectedTotal,
    restTotal,
    selectedSampled: share(Number(first?.ks ?? 0), selectedTotal),
    restSampled: share(Number(first?.kr ?? 0), restTotal),
    values: rows
      .filter((r) => r.key !== null && r.value !== null)
      .map((r) => ({
        key: r.key!,
        value: r.value!,
        selected: Number(r.cs),
        rest: Number(r.cr),
        selectedShare: Number(r.ss),
        restShare: Number(r.rs),
      })),
  };
}
