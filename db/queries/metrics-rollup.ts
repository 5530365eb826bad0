/**
 * The rollup path of the chart aggregations (db/queries/metrics.ts): a request whose
 * filter is at most one tenant, grouped by nothing, the tenant or the model, with
 * bucket sizes made of 5-minute granules, is answered from `trace_rollups`
 * (db/rollups.ts) — hours where the buckets are made of hours, 5-minute granules at
 * the edges — instead of aggregating every trace in range.
 *
 * Exact where it can be: one statement (one snapshot) reads the rollups of the clean
 * granules and aggregates `traces` directly for the rest — the partial granules at
 * the range's edges and the granules still marked dirty — so counts, errors, tokens
 * and cost equal the traces path's. Percentiles come from the summed histograms
 * (within one half-octave bucket of percentile_cont's — a few % in practice; lib/metrics/histogram.ts).
 *
 * Distinct users/sessions cannot be summed over granules. Asked for by name
 * (`metrics=users`) they are counted exactly from `traces` by a second statement;
 * with the default "all metrics" this path leaves them out (the response's
 * `metrics` says so) instead of counting distinct ids over millions of traces.
 *
 * Small ranges keep the traces path (exact percentiles): the rollups are used only
 * when they count at least ROLLUP_MIN_TRACES traces in range.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { BucketGrid } from '../../lib/metrics/bucket';
import { histogramPercentiles } from '../../lib/metrics/histogram';
import type { MetricName } from '../../lib/metrics/types';
import type { Db } from '../client';
import {
  BIN_COLUMNS,
  DIMS,
  GRANULE_NS,
  HISTOGRAMS,
  HOUR_NS,
  ROLLUP_GRANULE_MS,
  ROLLUP_HOUR_MS,
  SCALAR_MEASURES,
  TRACE_COLUMNS,
  ceilTo,
  combined,
  floorTo,
  fromTraces,
  pokeRollups,
} from '../rollups';
import type { AggRow, MetricsQuery, RollupScope } from './metrics-query';

/** Below this many traces in range (counted on the rollups) the traces path answers. */
export const ROLLUP_MIN_TRACES = 20_000;


function minTraces(scope: RollupScope): number {
  return scope.minTraces ?? ROLLUP_MIN_TRACES;
}

type Shape = {
  dims: number;
  /** The group value of a row of `traces` or `trace_rollups` under `alias`. */
  group: (alias: string) => SQL;
  /** The tenant restriction on `alias`. */
  tenant: (alias: string) => SQL;
};

function shapeOf(q: MetricsQuery, scope: RollupScope): Shape | null {
  const byTenant = q.groupBy === q.tenantKey;
  const byModel = !byTenant && q.groupBy === 'llm.model';
  if (q.groupBy !== null && !byTenant && !byModel) return null;
  const oneTenant = scope.tenantId;
  const dims = byModel ? (oneTenant === null ? DIMS.model : DIMS.tenantModel) : byTenant || oneTenant !== null ? DIMS.tenant : DIMS.model;
  return {
    dims,
    // The same expressions as groupColumn() in metrics.ts.
    group: (a) => (byModel ? sql.raw(`${a}.llm_model`) : byTenant ? sql.raw(`NULLIF(${a}.tenant_id, '')`) : sql`NULL::text`),
    tenant: (a) => (oneTenant === null ? sql`true` : sql`${sql.raw(a)}.tenant_id = ${oneTenant}::text`),
  };
}

const big = (v: bigint) => sql`${v.toString()}::bigint`;

type Num = bigint | number | string | null | undefined;
const nOrNull = (v: Num) => (v === null || v === undefined ? null : Number(v));

/** A float8[] from either driver (an array, or the '{1,2}' text form). */
function numbers(v: unknown): number[] {
  const list: unknown[] = Array.isArray(v) ? v : typeof v === 'string' && v.startsWith('{') ? v.slice(1, -1).split(',') : [];
  // A bucket no row has (NULL) counts 0.
  return list.map((x) => {
    const n = x === null || x === 'NULL' || x === '' ? 0 : Number(x);
    return Number.isFinite(n) ? n : 0;
  });
}

type RolledRow = AggRow & {
  duration_hist?: unknown;
  duration_min_ms?: Num;
  duration_max_ms?: Num;
  ttft_hist?: unknown;
  ttft_min_ms?: Num;
  ttft_max_ms?: Num;
};

/**
 * Runs `query` with JIT compilation off on Postgres: the estimates of this many-aggregate
 * statement cross jit_above_cost, and compiling it took seconds (9 s measured on Postgres 15
 * for ~100 ms of execution). PGlite has no JIT.
 */
async function withoutJit<T extends Record<string, unknown>>(db: Pick<Db, 'rows'>, query: SQL): Promise<T[]> {
  const full = db as Partial<Db>;
  if (full.kind !== 'postgres' || typeof full.transaction !== 'function') return db.rows<T>(query);
  return full.transaction(async (tx) => {
    await tx.rows(sql`SELECT set_config('jit', 'off', true)`);
    return tx.rows<T>(query);
  });
}

/**
 * The rows of queryMetrics' aggregation (same cells, same columns) answered from
 * the rollups, or null when the traces path should answer.
 */
export async function rollupMetricsRows(
  db: Pick<Db, 'rows'>,
  q: MetricsQuery,
  grid: BucketGrid,
): Promise<{ rows: AggRow[]; metrics: ReadonlySet<MetricName> } | null> {
  pokeRollups(db);
  const scope = q.rollup;
  // Series buckets must be made of whole granules (totals alone can use any).
  if (!scope || (q.series && q.bucketMs % ROLLUP_GRANULE_MS !== 0)) return null;
  const shape = shapeOf(q, scope);
  if (!shape) return null;
  // Whole 5-minute granules in range; whole hours too when buckets are made of hours.
  const fFrom = ceilTo(q.fromNs, GRANULE_NS);
  const fTo = floorTo(q.toNs, GRANULE_NS);
  if (fTo <= fFrom) return null;
  let hFrom = ceilTo(q.fromNs, HOUR_NS);
  let hTo = floorTo(q.toNs, HOUR_NS);
  if ((q.series && q.bucketMs % ROLLUP_HOUR_MS !== 0) || hTo <= hFrom) hFrom = hTo = fTo;

  const threshold = minTraces(scope);
  if (threshold > 0) {
    const [estimate] = await db.rows<{ n: Num }>(sql`
      SELECT COALESCE(sum(r.requests), 0) AS n FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_HOUR_MS}::integer AND r.dims = ${shape.dims}::smallint AND ${shape.tenant('r')}
        AND r.bucket_ns >= ${big(floorTo(q.fromNs, HOUR_NS))} AND r.bucket_ns < ${big(q.toNs)}`);
    if (Number(estimate?.n ?? 0) < threshold) return null;
  }

  const metrics = new Set(q.metrics);
  const exactDistinct = !scope.distinctOptional;
  if (!exactDistinct) {
    metrics.delete('users');
    metrics.delete('sessions');
  }
  const measures = [
    ...SCALAR_MEASURES,
    ...(metrics.has('latency') ? HISTOGRAMS.duration : []),
    ...(metrics.has('ttft') ? HISTOGRAMS.ttft : []),
  ];
  const names = sql.raw(measures.map((m) => m.name).join(', '));
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  const bucketOf = (column: string) => (q.series ? sql`((${sql.raw(column)} - ${big(grid.originNs)}) / ${big(sizeNs)})::integer` : sql`0`);
  const top = q.top;
  const F = big(GRANULE_NS);
  const H = big(HOUR_NS);
  const rollupRows = (granuleMs: number) =>
    sql`SELECT * FROM trace_rollups r WHERE r.granule_ms = ${granuleMs}::integer AND r.dims = ${shape.dims}::smallint AND ${shape.tenant('r')}`;
  const grouped = q.groupBy !== null;
  const sets = grouped
    ? q.series ? sql`GROUPING SETS ((c.gid, c.b), (c.b), (c.gid), ())` : sql`GROUPING SETS ((c.gid), ())`
    : q.series ? sql`GROUPING SETS ((c.b), ())` : sql`GROUPING SETS (())`;
  const rows = await withoutJit<RolledRow>(db, sql`
    WITH dirty AS MATERIALIZED (
      SELECT DISTINCT bucket_ns AS d FROM rollup_dirty WHERE bucket_ns >= ${big(fFrom)} AND bucket_ns < ${big(fTo)}
    ),
    -- hours holding a dirty granule: read as 5-minute granules instead
    dirty_hours AS MATERIALIZED (
      SELECT DISTINCT d - ((d % ${H}) + ${H}) % ${H} AS h FROM dirty WHERE d >= ${big(hFrom)} AND d < ${big(hTo)}
    ),
    -- read from traces: the partial granules at both ends, and the dirty ones
    gaps AS MATERIALIZED (
      SELECT lo, hi FROM (VALUES (${big(q.fromNs)}, ${big(fFrom)}), (${big(fTo)}, ${big(q.toNs)})) v(lo, hi) WHERE lo < hi
      UNION ALL SELECT d, d + ${F} FROM dirty
    ),
    -- OFFSET 0 keeps the subquery per range (an index range scan each): flattened into a join,
    -- the planner scanned all of a tenant's traces against the (usually empty) list of gaps
    gap AS MATERIALIZED (
      SELECT x.* FROM gaps i CROSS JOIN LATERAL (
        SELECT ${TRACE_COLUMNS}, ${BIN_COLUMNS}, ${shape.group('t')} AS g, ${bucketOf('t.start_ns')} AS b
        FROM traces t WHERE t.start_ns >= i.lo AND t.start_ns < i.hi AND ${shape.tenant('t')}
        OFFSET 0
      ) x
    ),
    hour_rows AS NOT MATERIALIZED (
      SELECT r.* FROM (${rollupRows(ROLLUP_HOUR_MS)}) r
      WHERE r.bucket_ns >= ${big(hFrom)} AND r.bucket_ns < ${big(hTo)} AND r.bucket_ns NOT IN (SELECT h FROM dirty_hours)
    ),
    -- 5-minute granules: both ends outside the whole hours, and the hours holding a dirty granule
    -- (index scans on constant ranges and on an array, whatever the statistics say)
    five_rows AS NOT MATERIALIZED (
      SELECT r.* FROM (
        ${rollupRows(ROLLUP_GRANULE_MS)} AND r.bucket_ns >= ${big(fFrom)} AND r.bucket_ns < ${big(hFrom)}
        UNION ALL
        ${rollupRows(ROLLUP_GRANULE_MS)} AND r.bucket_ns >= ${big(hTo)} AND r.bucket_ns < ${big(fTo)}
        UNION ALL
        ${rollupRows(ROLLUP_GRANULE_MS)}
          AND r.bucket_ns = ANY(ARRAY(SELECT h + k * ${F} FROM dirty_hours, generate_series(0, ${HOUR_NS / GRANULE_NS - 1n}::bigint) AS k))
      ) r
      WHERE r.bucket_ns NOT IN (SELECT d FROM dirty)
    ),
    -- groups ranked as the traces path ranks them: by requests, then value
    ranked AS (
      SELECT g, row_number() OVER (ORDER BY sum(n) DESC, g ASC NULLS LAST)::integer AS rn FROM (
        SELECT ${shape.group('r')} AS g, r.requests AS n FROM hour_rows r
        UNION ALL SELECT ${shape.group('r')}, r.requests FROM five_rows r
        UNION ALL SELECT t.g, 1 FROM gap t
      ) x GROUP BY g
    ),
    topk AS (SELECT COALESCE(array_agg(g ORDER BY rn), ARRAY[]::text[]) AS keys FROM ranked WHERE rn <= ${top}::integer),
    src AS (
      SELECT ${shape.group('r')} AS g, ${bucketOf('r.bucket_ns')} AS b, ${names} FROM hour_rows r
      UNION ALL SELECT ${shape.group('r')}, ${bucketOf('r.bucket_ns')}, ${names} FROM five_rows r
      UNION ALL SELECT t.g, t.b, ${fromTraces(measures)} FROM gap t GROUP BY t.g, t.b
    ),
    cells AS (
      SELECT COALESCE(array_position((SELECT keys FROM topk), s.g), ${top + 1}::integer) AS gid, s.b, ${combined(measures, 's', 'float8')}
      FROM src s GROUP BY 1, 2
    )
    SELECT ${grouped ? sql`CASE WHEN GROUPING(c.gid) = 1 THEN 'all' ELSE c.gid::text END` : sql`'all'`} AS cell,
      ${q.series ? sql`CASE WHEN GROUPING(c.b) = 1 THEN NULL ELSE c.b END` : sql`NULL::integer`} AS b,
      ${grouped ? sql`CASE WHEN GROUPING(c.gid) = 0 THEN (SELECT r.g FROM ranked r WHERE r.rn = c.gid AND r.rn <= ${top}::integer) END` : sql`NULL::text`} AS gk,
      ${combined(measures, 'c', 'float8')}
    FROM cells c GROUP BY ${sets}`);

  const out: AggRow[] = rows.map((r) => {
    const row: AggRow = { ...r };
    if (metrics.has('latency')) {
      row.latency = histogramPercentiles({ counts: numbers(r.duration_hist), min: nOrNull(r.duration_min_ms), max: nOrNull(r.duration_max_ms) }, [0.5, 0.95, 0.99]);
    }
    if (metrics.has('ttft')) {
      row.ttft = histogramPercentiles({ counts: numbers(r.ttft_hist), min: nOrNull(r.ttft_min_ms), max: nOrNull(r.ttft_max_ms) }, [0.5, 0.95]);
    }
    return row;
  });
  if (exactDistinct && (metrics.has('users') || metrics.has('sessions'))) await addDistinctCounts(db, q, shape, out);
  return { rows: out, metrics };
}

/**
 * Exact distinct users and sessions per group and overall (totals only, as on the
 * traces path), counted over `traces` with the groups the rollup query ranked.
 */
async function addDistinctCounts(db: Pick<Db, 'rows'>, q: MetricsQuery, shape: Shape, rows: AggRow[]): Promise<void> {
  const totals = rows.filter((r) => r.b === null);
  const keys: (string | null)[] = [];
  for (const r of totals) if (r.cell !== 'all' && Number(r.cell) <= q.top) keys[Number(r.cell) - 1] = r.gk;
  const grouped = q.groupBy !== null;
  const counted = await db.rows<{ cell: string; users: Num; sessions: Num }>(sql`
    WITH keys AS (SELECT ARRAY(SELECT k FROM jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) WITH ORDINALITY AS e(k, i) ORDER BY i) AS keys),
    pairs AS (
      SELECT DISTINCT COALESCE(array_position((SELECT keys FROM keys), ${shape.group('t')}), ${q.top + 1}::integer) AS gid, t.user_id, t.session_id
      FROM traces t
      WHERE t.start_ns >= ${big(q.fromNs)} AND t.start_ns < ${big(q.toNs)} AND ${shape.tenant('t')}
    )
    SELECT ${grouped ? sql`CASE WHEN GROUPING(p.gid) = 1 THEN 'all' ELSE p.gid::text END` : sql`'all'`} AS cell,
      count(DISTINCT p.user_id COLLATE "C") AS users, count(DISTINCT p.session_id COLLATE "C") AS sessions
    FROM pairs p GROUP BY ${grouped ? sql`GROUPING SETS ((p.gid), ())` : sql`GROUPING SETS (())`}`);
  const byCell = new Map(counted.map((c) => [c.cell, c]));
  for (const r of totals) {
    const c = byCell.get(r.cell);
    r.users = c?.users ?? 0;
    r.sessions = c?.sessions ?? 0;
  }
}
