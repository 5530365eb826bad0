/**
 * The rollup path of the chart aggregations (db/queries/metrics.ts): a request whose
 * filter is at most one tenant, grouped by nothing, the tenant or the model — or by user
 * within one tenant, with buckets of whole hours — with
 * bucket sizes made of 5-minute granules, is answered from `trace_rollups`
 * (db/rollups.ts) — hours where the buckets are made of hours, 5-minute granules at
 * the edges, and for user rows without buckets the sealed whole days that have day rows —
 * instead of aggregating every trace in range.
 *
 * Exact where it can be: one statement (one snapshot) reads the rollups of the clean
 * granules and aggregates `traces` directly for the rest — the partial granules at
 * the range's edges and the granules still marked dirty — so counts, errors, tokens
 * and cost equal the traces path's. Percentiles come from the summed histograms
 * (within one half-octave bucket of percentile_cont's — a few % in practice; lib/metrics/histogram.ts).
 *
 * Distinct users/sessions cannot be summed over granules, and some metrics are not
 * stored at all (the registry's measures without `rollup`, e.g. cached-input requests,
 * which read the attribute set). Asked for by name (`metrics=users`) they are computed
 * exactly from `traces` by a second statement; with the default "all metrics" this
 * path leaves them out (the response's `metrics` says so) instead of reading every
 * trace in a range of millions.
 *
 * Small ranges keep the traces path (exact percentiles): the rollups are used only
 * when they count at least ROLLUP_MIN_TRACES traces in range.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { BucketGrid } from '../../lib/metrics/bucket';
import { HIST_BINS, histogramPercentiles } from '../../lib/metrics/histogram';
import { type Measure, isRolledUp } from '../../lib/metrics/registry';
import type { MetricName } from '../../lib/metrics/types';
import type { Db } from '../client';
import {
  DAY_NS,
  DIMS,
  GRANULE_NS,
  HOUR_NS,
  ROLLUP_DAY_MS,
  ROLLUP_GRANULE_MS,
  ROLLUP_HOUR_MS,
  type StoredColumn,
  ceilTo,
  columnNames,
  openHoursFrom,
  combined,
  floorTo,
  fromTraces,
  pokeRollups,
  storedColumns,
  userRollupLimits,
} from '../rollups';
import { distinctCounts, distinctMeasures, measuresFor, nOrNull, readsWideColumn, selectList, traceInputs, tracesAggregates } from './metric-sql';
import type { AggRow, MetricsQuery, RollupScope } from './metrics-query';

/** Below this many traces in range (counted on the rollups) the traces path answers. */
export const ROLLUP_MIN_TRACES = 20_000;

function minTraces(scope: RollupScope): number {
  return scope.minTraces ?? ROLLUP_MIN_TRACES;
}

export type Shape = {
  dims: number;
  /** User rows: 5-minute granules are kept only in the open hours (db/rollups.ts); sealed ones are read as hours or from traces. */
  userLevel: boolean;
  /** The group value of a row of `traces` or `trace_rollups` under `alias`. */
  group: (alias: string) => SQL;
  /** The tenant restriction on `alias`. */
  tenant: (alias: string) => SQL;
};

export function shapeOf(q: Pick<MetricsQuery, 'groupBy' | 'tenantKey'>, scope: Pick<RollupScope, 'tenantId'>): Shape | null {
  const byTenant = q.groupBy === q.tenantKey;
  const byModel = !byTenant && q.groupBy === 'llm.model';
  const oneTenant = scope.tenantId;
  // By user within one tenant (the tenant page); all tenants' users would read more rows than traces.
  const byUser = !byTenant && q.groupBy === 'user.id' && oneTenant !== null;
  if (q.groupBy !== null && !byTenant && !byModel && !byUser) return null;
  const dims = byUser
    ? DIMS.tenantUser
    : byModel
      ? oneTenant === null
        ? DIMS.model
        : DIMS.tenantModel
      : byTenant || oneTenant !== null
        ? DIMS.tenant
        : DIMS.model;
  return {
    dims,
    userLevel: byUser,
    // The same expressions as groupColumn() in metrics.ts.
    group: (a) => (byUser ? sql.raw(`${a}.user_id`) : byModel ? sql.raw(`${a}.llm_model`) : byTenant ? sql.raw(`NULLIF(${a}.tenant_id, '')`) : sql`NULL::text`),
    tenant: (a) => (oneTenant === null ? sql`true` : sql`${sql.raw(a)}.tenant_id = ${oneTenant}::text`),
  };
}

const big = (v: bigint) => sql`${v.toString()}::bigint`;

type Num = bigint | number | string | null | undefined;

/** A float8[] from either driver (an array, or the '{1,2}' text form). */
function numbers(v: unknown): number[] {
  const list: unknown[] = Array.isArray(v) ? v : typeof v === 'string' && v.startsWith('{') ? v.slice(1, -1).split(',') : [];
  // A bucket no row has (NULL) counts 0.
  return list.map((x) => {
    const n = x === null || x === 'NULL' || x === '' ? 0 : Number(x);
    return Number.isFinite(n) ? n : 0;
  });
}

/**
 * Runs `query` with JIT compilation off on Postgres: the estimates of this many-aggregate
 * statement cross jit_above_cost, and compiling it took seconds (9 s measured on Postgres 15
 * for ~100 ms of execution). PGlite has no JIT.
 */
export async function withoutJit<T extends Record<string, unknown>>(db: Pick<Db, 'rows'>, query: SQL): Promise<T[]> {
  const full = db as Partial<Db>;
  if (full.kind !== 'postgres' || typeof full.transaction !== 'function') return db.rows<T>(query);
  return full.transaction(async (tx) => {
    await tx.rows(sql`SELECT set_config('jit', 'off', true)`);
    return tx.rows<T>(query);
  });
}

/**
 * The granules a request reads from the rollups: whole 5-minute granules, whole hours among them,
 * and for user rows without buckets (the tenant page's table), whole days among those
 * (dFrom = dTo: none).
 */
export type Window = { fFrom: bigint; fTo: bigint; hFrom: bigint; hTo: bigint; dFrom: bigint; dTo: bigint };

export function windowOf(q: Pick<MetricsQuery, 'fromNs' | 'toNs' | 'series' | 'bucketMs'>, shape: Pick<Shape, 'userLevel'>): Window | null {
  const fFrom = ceilTo(q.fromNs, GRANULE_NS);
  const fTo = floorTo(q.toNs, GRANULE_NS);
  if (fTo <= fFrom) return null;
  let hFrom = ceilTo(q.fromNs, HOUR_NS);
  let hTo = floorTo(q.toNs, HOUR_NS);
  // Whole hours only when the buckets are made of hours.
  if ((q.series && q.bucketMs % ROLLUP_HOUR_MS !== 0) || hTo <= hFrom) hFrom = hTo = fTo;
  let dFrom = ceilTo(hFrom, DAY_NS);
  let dTo = floorTo(hTo, DAY_NS);
  // Day rows hold user rows only, and a day does not fit a bucket grid's buckets.
  if (!shape.userLevel || q.series || dTo <= dFrom) dFrom = dTo = hTo;
  return { fFrom, fTo, hFrom, hTo, dFrom, dTo };
}

/** Whether the rollups count at least the threshold's traces in range (worth reading instead of the traces). */
async function bigEnough(db: Pick<Db, 'rows'>, q: MetricsQuery, scope: RollupScope, shape: Shape): Promise<boolean> {
  const threshold = minTraces(scope);
  if (threshold <= 0) return true;
  // User rows are missing from quiet hours: the tenant's rows count them all.
  const dims = shape.userLevel ? DIMS.tenant : shape.dims;
  const [estimate] = await db.rows<{ n: Num }>(sql`
    SELECT COALESCE(sum(r.requests), 0) AS n FROM trace_rollups r
    WHERE r.granule_ms = ${ROLLUP_HOUR_MS}::integer AND r.dims = ${dims}::smallint AND ${shape.tenant('r')}
      AND r.bucket_ns >= ${big(floorTo(q.fromNs, HOUR_NS))} AND r.bucket_ns < ${big(q.toNs)}`);
  return Number(estimate?.n ?? 0) >= threshold;
}

/**
 * The metrics this path computes (without the unstored ones when they came with "all"),
 * the measures read from the rollups, and those counted exactly from `traces`.
 */
/**
 * The CTEs `hour_rows` and `five_rows`: the rollup rows of window `w` that are read as they are —
 * whole hours holding no dirty granule, and the 5-minute granules at both ends and inside those
 * hours, dirty ones left out (they are read from `traces`). The statement defines `dirty (d)` and
 * `dirty_hours (h)` before them; `rollupRows(granuleMs)` selects one granule size's rows as `r`.
 */
export function cleanRollupRows(w: Window, rollupRows: (granuleMs: number) => SQL, prefix = ''): SQL {
  const F = big(GRANULE_NS);
  const D = big(DAY_NS);
  // The whole days not read as days: their hours, one index range scan each (none without days).
  const unreadDays =
    w.dFrom === w.dTo
      ? sql``
      : sql`
        UNION ALL
        SELECT y.* FROM (
          SELECT g AS day FROM generate_series(${big(w.dFrom)}, ${big(w.dTo - DAY_NS)}, ${D}) AS g EXCEPT SELECT day FROM clean_days
        ) x CROSS JOIN LATERAL (
          ${rollupRows(ROLLUP_HOUR_MS)} AND r.bucket_ns >= x.day AND r.bucket_ns < x.day + ${D}
          OFFSET 0
        ) y`;
  return sql`
    -- whole days read as days (clean_days), the hours outside them, as index scans on ranges
    ${sql.raw(prefix)}day_rows AS NOT MATERIALIZED (
      SELECT y.* FROM clean_days x CROSS JOIN LATERAL (${rollupRows(ROLLUP_DAY_MS)} AND r.bucket_ns = x.day OFFSET 0) y
    ),
    ${sql.raw(prefix)}hour_rows AS NOT MATERIALIZED (
      SELECT r.* FROM (
        ${rollupRows(ROLLUP_HOUR_MS)} AND r.bucket_ns >= ${big(w.hFrom)} AND r.bucket_ns < ${big(w.dFrom)}
        UNION ALL
        ${rollupRows(ROLLUP_HOUR_MS)} AND r.bucket_ns >= ${big(w.dTo)} AND r.bucket_ns < ${big(w.hTo)}
        ${unreadDays}
      ) r
      WHERE r.bucket_ns NOT IN (SELECT h FROM dirty_hours)
    ),
    -- 5-minute granules: both ends outside the whole hours, and the hours holding a dirty granule
    -- (index scans on constant ranges and on an array, whatever the statistics say)
    ${sql.raw(prefix)}five_rows AS NOT MATERIALIZED (
      SELECT r.* FROM (
        ${rollupRows(ROLLUP_GRANULE_MS)} AND r.bucket_ns >= ${big(w.fFrom)} AND r.bucket_ns < ${big(w.hFrom)}
        UNION ALL
        ${rollupRows(ROLLUP_GRANULE_MS)} AND r.bucket_ns >= ${big(w.hTo)} AND r.bucket_ns < ${big(w.fTo)}
        UNION ALL
        ${rollupRows(ROLLUP_GRANULE_MS)}
          AND r.bucket_ns = ANY(ARRAY(SELECT h + k * ${F} FROM dirty_hours, generate_series(0, ${HOUR_NS / GRANULE_NS - 1n}::bigint) AS k))
      ) r
      WHERE r.bucket_ns NOT IN (SELECT d FROM dirty)
    )`;
}

/**
 * The CTE `dirty (d)`: the granules read from `traces` besides the range's partial edges — those
 * in `marked (d)` (dirty), and for user rows: the 5-minute granules the window would read in sealed
 * hours, which keep no 5-minute rows (the whole granules at both ends, and every granule of a sealed
 * hour in `hours (h)`, the hours read as 5-minute granules: holding a dirty granule, a price change…),
 * and every granule of the tenant's hours too quiet to have user rows (db/rollups.ts).
 */
export function dirtyGranules(shape: Shape, w: Window, hours: SQL, openFrom: bigint | null, unreadDays: SQL = sql`SELECT NULL::bigint WHERE false`): SQL {
  const days = cleanDays(shape, w, hours, unreadDays);
  if (!shape.userLevel || openFrom === null) return sql`${days}, dirty AS MATERIALIZED (SELECT d FROM marked)`;
  const F = big(GRANULE_NS);
  const D = big(DAY_NS);
  const o = big(openFrom);
  // Constant bounds: the planner sizes these series right (a 10^6-row guess steered the whole plan).
  const sealedEnd = (to: bigint) => (to < openFrom ? to : openFrom) - GRANULE_NS;
  return sql`
    ${days},
    dirty AS MATERIALIZED (
      SELECT d FROM marked
      UNION SELECT g FROM generate_series(${big(w.fFrom)}, ${big(sealedEnd(w.hFrom))}, ${F}) AS g
      UNION SELECT g FROM generate_series(${big(w.hTo)}, ${big(sealedEnd(w.fTo))}, ${F}) AS g
      UNION SELECT x.h + k * ${F} FROM (
        SELECT h FROM (${hours}) y WHERE y.h < ${o}
        UNION ALL
        SELECT r.bucket_ns FROM trace_rollups r
        WHERE r.granule_ms = ${ROLLUP_HOUR_MS}::integer AND r.dims = ${DIMS.tenant}::smallint AND ${shape.tenant('r')}
          AND r.bucket_ns >= ${big(w.hFrom)} AND r.bucket_ns < ${big(w.hTo)} AND r.requests < ${userRollupLimits.hourMinTraces}::integer
      ) x, generate_series(0, ${HOUR_NS / GRANULE_NS - 1n}::bigint) AS k
      WHERE x.h >= ${big(w.hFrom)} AND x.h < ${big(w.hTo)}
        AND x.h - ((x.h % ${D}) + ${D}) % ${D} NOT IN (SELECT day FROM clean_days)
    )`;
}

/**
 * The CTE `clean_days (day)`: the whole days of the window read from their day rows — those the
 * roller wrote day rows for (the tenant's own day row says so: db/rollups.ts rollDay), holding no
 * hour of `hours` (dirty, or read as 5-minute granules) and none of `unreadDays` (a price change).
 */
function cleanDays(shape: Shape, w: Window, hours: SQL, unreadDays: SQL): SQL {
  if (w.dFrom === w.dTo) return sql`clean_days AS MATERIALIZED (SELECT NULL::bigint AS day WHERE false)`;
  const D = big(DAY_NS);
  return sql`
    clean_days AS MATERIALIZED (
      SELECT r.bucket_ns AS day FROM trace_rollups r
      WHERE r.granule_ms = ${ROLLUP_DAY_MS}::integer AND r.dims = ${DIMS.tenant}::smallint AND ${shape.tenant('r')}
        AND r.bucket_ns >= ${big(w.dFrom)} AND r.bucket_ns < ${big(w.dTo)}
      EXCEPT SELECT y.h - ((y.h % ${D}) + ${D}) % ${D} FROM (${hours}) y WHERE y.h IS NOT NULL
      EXCEPT SELECT z.day FROM (${unreadDays}) z(day)
    )`;
}

/**
 * For user rows: the first hour a reader may read 5-minute user rows in — an hour after the
 * roller's first open hour (db/rollups.ts openHoursFrom), so that an hour crossing into sealed
 * while the read is under way (the roller then writes no 5-minute rows there) is already sealed
 * for the reader. Null for the other shapes.
 */
export async function readableOpenFrom(db: Pick<Db, 'rows'>, shape: Shape): Promise<bigint | null> {
  if (!shape.userLevel) return null;
  const [row] = await db.rows<{ o: bigint | string }>(sql`SELECT ${openHoursFrom()} + ${big(HOUR_NS)} AS o`);
  return BigInt(row.o);
}

function splitMeasures(q: MetricsQuery, scope: RollupScope): { metrics: Set<MetricName>; rolled: Measure[]; exact: Measure[] } {
  const metrics = new Set(q.metrics);
  if (scope.unrolledOptional) for (const name of metrics) if (!isRolledUp(name)) metrics.delete(name);
  const measures = measuresFor(metrics);
  return { metrics, rolled: measures.filter((m) => m.rollup !== undefined), exact: measures.filter((m) => m.rollup === undefined) };
}

/**
 * The rows of aggregateMetrics' traces path (same cells, same columns) answered from
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
  const window = shape && windowOf(q, shape);
  // User rows without whole hours would read every sealed granule from traces.
  if (!shape || !window || (shape.userLevel && window.hFrom === window.hTo) || !(await bigEnough(db, q, scope, shape))) return null;

  const { metrics, rolled, exact } = splitMeasures(q, scope);
  const ranking = await rankingByDays(db, q, grid, shape);
  const rows = withPercentiles(await rolledRows(db, q, grid, shape, window, rolled, ranking), rolled);
  const distinct = distinctMeasures(exact);
  const additive = exact.filter((m) => !distinct.includes(m));
  if (additive.length > 0) await addExactAggregates(db, q, grid, shape, rows, additive);
  if (distinct.length > 0) await addDistinctCounts(db, q, shape, rows, distinct);
  return { rows, metrics };
}

/** GROUPING SETS of the cells (group and overall) × (bucket and totals) over `alias`. */
function cellSets(alias: string, grouped: boolean, series: boolean): SQL {
  const gid = `${alias}.gid`;
  const b = `${alias}.b`;
  if (grouped) return sql.raw(series ? `GROUPING SETS ((${gid}, ${b}), (${b}), (${gid}), ())` : `GROUPING SETS ((${gid}), ())`);
  return sql.raw(series ? `GROUPING SETS ((${b}), ())` : 'GROUPING SETS (())');
}

/**
 * A chart by user (buckets of hours) ranks its users over the whole range: from the day rows, which a
 * query without buckets reads (400 users × 7 days at 10M spans instead of × 168 hours), by a statement
 * of its own; null for the other requests (their statement ranks the groups itself). The top groups,
 * in rank order, as the traces path ranks them.
 */
async function rankingByDays(db: Pick<Db, 'rows'>, q: MetricsQuery, grid: BucketGrid, shape: Shape): Promise<(string | null)[] | null> {
  if (!shape.userLevel || !q.series || q.groupBy === null) return null;
  const totals = { ...q, series: false };
  const w = windowOf(totals, shape);
  if (!w || w.dFrom === w.dTo) return null;
  const rows = await rolledRows(db, totals, grid, shape, w, measuresFor(new Set<MetricName>(['requests'])));
  const keys: (string | null)[] = [];
  for (const r of rows) if (r.cell !== 'all' && Number(r.cell) <= q.top) keys[Number(r.cell) - 1] = r.gk;
  return keys;
}

/**
 * One statement, one snapshot: the clean granules from the rollups, the rest from `traces`.
 * `ranking`: the top groups in rank order, ranked by the caller (else here, from the rows read).
 */
async function rolledRows(
  db: Pick<Db, 'rows'>,
  q: MetricsQuery,
  grid: BucketGrid,
  shape: Shape,
  w: Window,
  measures: readonly Measure[],
  ranking: (string | null)[] | null = null,
): Promise<AggRow[]> {
  const columns = storedColumns(measures);
  const names = columnNames(columns);
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  const bucketOf = (column: string) => (q.series ? sql`((${sql.raw(column)} - ${big(grid.originNs)}) / ${big(sizeNs)})::integer` : sql`0`);
  const top = q.top;
  const F = big(GRANULE_NS);
  const H = big(HOUR_NS);
  const rowsOf = (dims: number) => (granuleMs: number) =>
    sql`SELECT * FROM trace_rollups r WHERE r.granule_ms = ${granuleMs}::integer AND r.dims = ${dims}::smallint AND ${shape.tenant('r')}`;
  const rollupRows = rowsOf(shape.dims);
  const grouped = q.groupBy !== null;
  const gidOf = sql`COALESCE(array_position((SELECT keys FROM topk), s.g), ${top + 1}::integer)`;
  const cells = ranking
    ? othersBySubtraction(columns, top, bucketOf, gidOf, sql`${cleanRollupRows(w, rowsOf(DIMS.tenant), 'tenant_')},`)
    : sql`
    cells AS (
      SELECT ${gidOf} AS gid, s.b, ${combined(columns, 's', 'float8')}
      FROM src s GROUP BY 1, 2
    )`;
  return withoutJit<AggRow>(
    db,
    sql`
    WITH marked AS MATERIALIZED (
      SELECT DISTINCT bucket_ns AS d FROM rollup_dirty WHERE bucket_ns >= ${big(w.fFrom)} AND bucket_ns < ${big(w.fTo)}
    ),
    ${dirtyGranules(shape, w, sql`SELECT DISTINCT d - ((d % ${H}) + ${H}) % ${H} AS h FROM marked`, await readableOpenFrom(db, shape))},
    -- hours holding a dirty granule: read as 5-minute granules instead
    dirty_hours AS MATERIALIZED (
      SELECT DISTINCT d - ((d % ${H}) + ${H}) % ${H} AS h FROM dirty WHERE d >= ${big(w.hFrom)} AND d < ${big(w.hTo)}
    ),
    -- read from traces: the partial granules at both ends, and the dirty ones
    gaps AS MATERIALIZED (
      SELECT lo, hi FROM (VALUES (${big(q.fromNs)}, ${big(w.fFrom)}), (${big(w.fTo)}, ${big(q.toNs)})) v(lo, hi) WHERE lo < hi
      UNION ALL SELECT d, d + ${F} FROM dirty
    ),
    -- OFFSET 0 keeps the subquery per range (an index range scan each): flattened into a join,
    -- the planner scanned all of a tenant's traces against the (usually empty) list of gaps
    gap AS MATERIALIZED (
      SELECT x.* FROM gaps i CROSS JOIN LATERAL (
        SELECT ${traceInputs(measures, { bins: true })}, ${shape.group('t')} AS g, ${bucketOf('t.start_ns')} AS b
        FROM traces t WHERE t.start_ns >= i.lo AND t.start_ns < i.hi AND ${shape.tenant('t')}
        OFFSET 0
      ) x
    ),
    ${cleanRollupRows(w, rollupRows)},
    -- groups ranked as the traces path ranks them: by requests, then value
    ranked AS (${
      ranking
        ? sql`SELECT e.k AS g, e.i::integer AS rn FROM jsonb_array_elements_text(${JSON.stringify(ranking)}::jsonb) WITH ORDINALITY AS e(k, i)`
        : sql`
      SELECT g, row_number() OVER (ORDER BY sum(n) DESC, g ASC NULLS LAST)::integer AS rn FROM (
        SELECT ${shape.group('r')} AS g, r.requests AS n FROM day_rows r
        UNION ALL SELECT ${shape.group('r')}, r.requests FROM hour_rows r
        UNION ALL SELECT ${shape.group('r')}, r.requests FROM five_rows r
        UNION ALL SELECT t.g, 1 FROM gap t
      ) x GROUP BY g`
    }),
    topk AS (SELECT COALESCE(array_agg(g ORDER BY rn), ARRAY[]::text[]) AS keys FROM ranked WHERE rn <= ${top}::integer),
    src AS (
      SELECT ${shape.group('r')} AS g, ${bucketOf('r.bucket_ns')} AS b, ${names} FROM day_rows r
      UNION ALL SELECT ${shape.group('r')}, ${bucketOf('r.bucket_ns')}, ${names} FROM hour_rows r
      UNION ALL SELECT ${shape.group('r')}, ${bucketOf('r.bucket_ns')}, ${names} FROM five_rows r
      UNION ALL SELECT t.g, t.b, ${fromTraces(columns)} FROM gap t GROUP BY t.g, t.b
    ),
    ${cells}
    SELECT ${grouped ? sql`CASE WHEN GROUPING(c.gid) = 1 THEN 'all' ELSE c.gid::text END` : sql`'all'`} AS cell,
      ${q.series ? sql`CASE WHEN GROUPING(c.b) = 1 THEN NULL ELSE c.b END` : sql`NULL::integer`} AS b,
      ${grouped ? sql`CASE WHEN GROUPING(c.gid) = 0 THEN (SELECT r.g FROM ranked r WHERE r.rn = c.gid AND r.rn <= ${top}::integer) END` : sql`NULL::text`} AS gk,
      ${combined(columns, 'c', 'float8')}
    FROM cells c GROUP BY ${cellSets('c', grouped, q.series)}`,
  );
}

/**
 * The CTE `cells` of a chart by user whose top groups are known (a tenant has hundreds of users; the
 * chart draws 8): the top groups' cells as usual; "other"'s counts, sums, min and max summed over its
 * rows too, but its histograms — most of the work: 2 × HIST_BINS sums a row — the tenant's (its own
 * rows, `tenant_rows`: the same hours and granules, whose rows hold every user's traces) less the top
 * groups'. Counts subtract exactly; the cells equal the ones summed row by row.
 */
function othersBySubtraction(columns: readonly StoredColumn[], top: number, bucketOf: (column: string) => SQL, gidOf: SQL, tenantRows: SQL): SQL {
  const hists = columns.filter((c) => c.combine === 'hist');
  const topOnly = sql.raw(
    columns
      .map((c) => {
        if (c.combine !== 'hist') return `${c.combine}(s.${c.name}) AS ${c.name}`;
        const sums = Array.from({ length: HIST_BINS }, (_, i) => `COALESCE(sum(s.${c.name}[${i + 1}]) FILTER (WHERE s.gid <= ${top}), 0)`);
        return `ARRAY[${sums.join(', ')}]::float8[] AS ${c.name}`;
      })
      .join(', '),
  );
  const minus = (c: StoredColumn) =>
    `CASE WHEN c.gid <= ${top} THEN c.${c.name} ELSE ARRAY(SELECT u.a - COALESCE(u.t, 0) FROM unnest(th.${c.name}, tp.${c.name}) WITH ORDINALITY AS u(a, t, i) ORDER BY u.i) END AS ${c.name}`;
  const names = columnNames(hists);
  return sql`
    ${tenantRows}
    tenant_hist AS MATERIALIZED (
      SELECT x.b, ${combined(hists, 'x', 'float8')} FROM (
        SELECT ${bucketOf('r.bucket_ns')} AS b, ${names} FROM tenant_hour_rows r
        UNION ALL SELECT ${bucketOf('r.bucket_ns')}, ${names} FROM tenant_five_rows r
        UNION ALL SELECT t.b, ${fromTraces(hists)} FROM gap t GROUP BY t.b
      ) x GROUP BY x.b
    ),
    -- "other"'s histograms are left empty here (FILTER: not even read), then computed below
    summed AS MATERIALIZED (
      -- OFFSET 0: the rank is computed once a row, not in each of the FILTERs it was inlined into
      SELECT s.gid, s.b, ${topOnly} FROM (SELECT ${gidOf} AS gid, s.* FROM src s OFFSET 0) s GROUP BY 1, 2
    ),
    top_hist AS (SELECT c.b, ${combined(hists, 'c', 'float8')} FROM summed c WHERE c.gid <= ${top}::integer GROUP BY c.b),
    cells AS (
      SELECT c.gid, c.b, ${sql.raw(columns.map((c) => (c.combine === 'hist' ? minus(c) : `c.${c.name}`)).join(', '))}
      FROM summed c LEFT JOIN tenant_hist th ON th.b = c.b LEFT JOIN top_hist tp ON tp.b = c.b
    )`;
}

/** Each percentile measure's column, estimated from its summed histogram (as the traces path's percentile_cont array). */
function withPercentiles(rows: AggRow[], measures: readonly Measure[]): AggRow[] {
  return rows.map((r) => {
    const row: AggRow = { ...r };
    for (const m of measures) {
      if (m.aggregate.kind !== 'percentiles' || typeof m.rollup !== 'object') continue;
      const h = m.rollup.histogram;
      const histogram = { counts: numbers(r[`${h}_hist`]), min: nOrNull(r[`${h}_min_ms`]), max: nOrNull(r[`${h}_max_ms`]) };
      row[m.column] = histogramPercentiles(
        histogram,
        m.aggregate.points.map((p) => p.p),
      );
    }
    return row;
  });
}

/**
 * The traces in range of the request's tenant, each with its group rank among the
 * groups the rollup query ranked (`keys`, from its totals rows), as CTEs `keys` and `scan`.
 */
function rankedTraces(q: MetricsQuery, shape: Shape, rows: AggRow[], columns: SQL, measures: readonly Measure[]): SQL {
  const keys: (string | null)[] = [];
  for (const r of rows) if (r.b === null && r.cell !== 'all' && Number(r.cell) <= q.top) keys[Number(r.cell) - 1] = r.gk;
  return sql`
    keys AS (SELECT ARRAY(SELECT k FROM jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) WITH ORDINALITY AS e(k, i) ORDER BY i) AS keys),
    scan AS ${readsWideColumn(measures) ? sql`MATERIALIZED` : sql`NOT MATERIALIZED`} (
      SELECT COALESCE(array_position((SELECT keys FROM keys), ${shape.group('t')}), ${q.top + 1}::integer) AS gid, ${columns}
      FROM traces t
      WHERE t.start_ns >= ${big(q.fromNs)} AND t.start_ns < ${big(q.toNs)} AND ${shape.tenant('t')}
    )`;
}

/**
 * Exact counts and sums the rollups do not store, per cell and bucket like the rows
 * of the rollup query, counted over `traces` (a second snapshot: a batch landing in
 * between may show in one and not the other).
 */
async function addExactAggregates(
  db: Pick<Db, 'rows'>,
  q: MetricsQuery,
  grid: BucketGrid,
  shape: Shape,
  rows: AggRow[],
  measures: readonly Measure[],
): Promise<void> {
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  const bucket = q.series ? sql`((t.start_ns - ${big(grid.originNs)}) / ${big(sizeNs)})::integer` : sql`0`;
  const grouped = q.groupBy !== null;
  const aggregated = tracesAggregates(measures);
  const counted = await db.rows<AggRow>(sql`
    WITH ${rankedTraces(q, shape, rows, sql`${bucket} AS b, ${traceInputs(measures)}`, measures)}
    SELECT ${grouped ? sql`CASE WHEN GROUPING(t.gid) = 1 THEN 'all' ELSE t.gid::text END` : sql`'all'`} AS cell,
      ${q.series ? sql`CASE WHEN GROUPING(t.b) = 1 THEN NULL ELSE t.b END` : sql`NULL::integer`} AS b,
      ${selectList(aggregated)}
    FROM scan t GROUP BY ${cellSets('t', grouped, q.series)}`);
  const byCell = new Map(counted.map((c) => [`${c.cell}/${c.b}`, c]));
  for (const r of rows) {
    const c = byCell.get(`${r.cell}/${r.b}`);
    for (const a of aggregated) r[a.name] = c?.[a.name] ?? null;
  }
}

/**
 * Exact distinct counts (users, sessions) per group and overall (totals only, as on the
 * traces path), counted over `traces` with the groups the rollup query ranked.
 */
async function addDistinctCounts(db: Pick<Db, 'rows'>, q: MetricsQuery, shape: Shape, rows: AggRow[], measures: readonly Measure[]): Promise<void> {
  const counted = await db.rows<AggRow>(sql`
    WITH ${rankedTraces(q, shape, rows, traceInputs(measures), measures)}, ${distinctCounts(measures, sql`scan`, q.groupBy !== null)}
    SELECT * FROM dist`);
  const byCell = new Map(counted.map((c) => [c.cell, c]));
  for (const r of rows) {
    if (r.b !== null) continue;
    const c = byCell.get(r.cell);
    for (const m of measures) r[m.column] = c?.[m.column] ?? 0;
  }
}
