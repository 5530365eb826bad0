/**
 * The metric registry (lib/metrics/registry.ts) as SQL, for both aggregation paths
 * (db/queries/metrics.ts over `traces`, db/queries/metrics-rollup.ts and the roller in
 * db/rollups.ts over `trace_rollups`), and the way back from an aggregate row to
 * MetricValues.
 *
 * Two steps, so each registry expression is evaluated once per trace where the
 * traces are scanned: traceInputs() turns every measure's expression over `traces t`
 * into a column `in_<column>` of the scan; aggregates over those inputs read them
 * back under the same alias `t`. That keeps wide inputs (the attribute set a
 * condition reads) out of the CTEs that carry the scanned rows.
 */
import { type SQL, sql } from 'drizzle-orm';
import { CELL_MEASURES, CORE_METRIC, METRICS, type Measure, type MetricName } from '../../lib/metrics/registry';
import type { MetricValues } from '../../lib/metrics/types';
import type { AggRow } from './metrics-query';

/** Registry text is a constant of lib/metrics/registry.ts, never user input. */
const expr = (text: string) => sql.raw(text);

/** The measures a request computes: the request count, the cell measures, then each named metric's (registry order). */
export function measuresFor(metrics: ReadonlySet<MetricName>): Measure[] {
  const chosen = METRICS.filter((m) => m.name !== CORE_METRIC && metrics.has(m.name));
  return [...METRICS.filter((m) => m.name === CORE_METRIC).flatMap((m) => m.measures), ...CELL_MEASURES, ...chosen.flatMap((m) => m.measures)];
}

export const inputColumn = (m: Measure) => `in_${m.column}`;
export const binColumn = (m: Measure) => `bin_${m.column}`;

/** The registry expression a measure aggregates (null for a plain count). */
function inputOf(m: Measure): string | null {
  const a = m.aggregate;
  return a.kind === 'count' ? (a.where ?? null) : a.of;
}

/**
 * The scan's select list for `measures` (over `traces t`): the sample weight, one
 * `in_<column>` per measure, and with `bins` the histogram bucket of each rolled-up
 * percentile input (td_hist_bin, db/migrations/0004).
 */
export function traceInputs(measures: readonly Measure[], { bins = false } = {}): SQL {
  const cols: SQL[] = [sql`t.sample_weight`];
  for (const m of measures) {
    const input = inputOf(m);
    if (input === null) continue;
    cols.push(sql`(${expr(input)}) AS ${sql.raw(inputColumn(m))}`);
    if (bins && m.aggregate.kind === 'percentiles' && typeof m.rollup === 'object') cols.push(sql`td_hist_bin(${expr(input)}) AS ${sql.raw(binColumn(m))}`);
  }
  return sql.join(cols, sql`, `);
}

/** Columns of `traces` too wide to carry through a sort (the attribute set: ~1.2 KB a trace compressed). */
const WIDE_COLUMNS = /\bt\.attribute_set\b/;

/**
 * Whether an input of `measures` reads a wide column: then the scan is materialized, so
 * the input is evaluated once and the rows carried on are narrow. Inlined, an aggregate
 * above a sort (per bucket, per group) evaluates the input there and the sort carries
 * the whole attribute set: on Postgres, 10k traces spilled 13 MB to disk and the
 * un-grouped chart took 210 ms instead of 126 ms materialized (125 ms before the
 * cached-input metric existed); an OFFSET 0 fence instead cost PGlite ~20%.
 */
export function readsWideColumn(measures: readonly Measure[]): boolean {
  return measures.some((m) => WIDE_COLUMNS.test(inputOf(m) ?? ''));
}

/** A named aggregate of inputs under alias `t`. */
export type Aggregated = { name: string; sql: SQL };

/**
 * The aggregates of one count, sum, min or max measure over its input: its value and
 * its sampling-weighted estimate. `integer` casts counts as the rollup columns store them.
 */
export function scalarAggregates(m: Measure, { integer = false } = {}): Aggregated[] {
  const a = m.aggregate;
  const input = sql.raw(`t.${inputColumn(m)}`);
  const est = m.estimate ? `est_${m.column}` : null;
  switch (a.kind) {
    case 'count': {
      const filter = a.where === undefined ? sql`` : sql` FILTER (WHERE ${input})`;
      const count = sql`count(*)${filter}`;
      return [{ name: m.column, sql: integer ? sql`(${count})::integer` : count }, ...(est ? [{ name: est, sql: sql`sum(t.sample_weight)${filter}` }] : [])];
    }
    case 'sum':
      return [{ name: m.column, sql: sql`sum(${input})` }, ...(est ? [{ name: est, sql: sql`sum(${input} * t.sample_weight)` }] : [])];
    case 'min':
    case 'max':
      return [{ name: m.column, sql: sql`${sql.raw(a.kind)}(${input})` }];
    case 'percentiles':
    case 'distinct':
      throw new Error(`${m.column}: not a scalar measure`);
  }
}

/**
 * The traces path's aggregates of `measures` (alias `t` over traceInputs): exact
 * percentiles with percentile_cont; distinct counts as NULL placeholders, filled by
 * their own pass (distinctCounts).
 */
export function tracesAggregates(measures: readonly Measure[]): Aggregated[] {
  return measures.flatMap((m): Aggregated[] => {
    const a = m.aggregate;
    if (a.kind === 'distinct') return [{ name: m.column, sql: sql`NULL::bigint` }];
    if (a.kind !== 'percentiles') return scalarAggregates(m);
    const ps = sql.raw(a.points.map((p) => String(p.p)).join(', '));
    return [{ name: m.column, sql: sql`percentile_cont(ARRAY[${ps}]::float8[]) WITHIN GROUP (ORDER BY t.${sql.raw(inputColumn(m))})` }];
  });
}

export const selectList = (aggregated: readonly Aggregated[]): SQL =>
  sql.join(
    aggregated.map((a) => sql`${a.sql} AS ${sql.raw(a.name)}`),
    sql`, `,
  );

export const distinctMeasures = (measures: readonly Measure[]) => measures.filter((m) => m.aggregate.kind === 'distinct');

/**
 * Distinct counts of `measures` per group and overall (totals only), as CTEs `pairs`
 * and `dist` over `source` (rows with `gid` and the measures' inputs): hash the
 * (group, values…) tuples first — few compared with the requests — then count
 * distinct values per group and overall. `grouped`: false when every row is one cell.
 */
export function distinctCounts(measures: readonly Measure[], source: SQL, grouped: boolean): SQL {
  const inputs = sql.raw(measures.map((m) => `t.${inputColumn(m)}`).join(', '));
  const counts = sql.raw(measures.map((m) => `count(DISTINCT p.${inputColumn(m)} COLLATE "C") AS ${m.column}`).join(', '));
  const cell = grouped ? sql`CASE WHEN GROUPING(p.gid) = 1 THEN 'all' ELSE p.gid::text END` : sql`'all'`;
  return sql`
    pairs AS (SELECT DISTINCT t.gid, ${inputs} FROM ${source} t),
    dist AS (
      SELECT ${cell} AS cell, ${counts}
      FROM pairs p GROUP BY ${grouped ? sql`GROUPING SETS ((p.gid), ())` : sql`GROUPING SETS (())`}
    )`;
}

// ---------------------------------------------------------------- rows → values

type Num = bigint | number | string | null | undefined;
const asNum = (v: unknown): Num => (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' ? v : null);
export const n0 = (v: unknown) => {
  const n = asNum(v);
  return n === null || n === undefined ? 0 : Number(n);
};
export const nOrNull = (v: unknown) => {
  const n = asNum(v);
  return n === null || n === undefined ? null : Number(n);
};

/** A float8[] from either driver (an array, or the '{1,2}' text form). */
export function floatArray(v: unknown): (number | null)[] {
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : Number(x)));
  if (typeof v === 'string' && v.startsWith('{')) {
    return v
      .slice(1, -1)
      .split(',')
      .map((x) => (x === 'NULL' || x === '' ? null : Number(x)));
  }
  return [];
}

/** Writes one measure's fields of `row` into `out` (a series `point` carries no distinct counts). */
function decodeMeasure(m: Measure, row: AggRow | undefined, out: Record<string, unknown>, estimated: Record<string, number | null>, point: boolean): void {
  const a = m.aggregate;
  const requests = n0(row?.requests);
  const value = row?.[m.column];
  if (a.kind === 'percentiles') {
    const values = floatArray(value);
    a.points.forEach((p, i) => (out[p.field] = values[i] ?? null));
    return;
  }
  if (a.kind === 'distinct') {
    if (!point && m.field) out[m.field] = n0(value);
    return;
  }
  // Counts are 0 when nothing matched; sums over nothing are NULL: unknown, not zero.
  const decode = a.kind === 'count' ? n0 : nOrNull;
  const n = decode(value);
  if (m.field) out[m.field] = n;
  if (m.rate) out[m.rate] = requests > 0 && n !== null ? n / requests : null;
  if (m.estimate) estimated[m.estimate] = decode(row?.[`est_${m.column}`]);
}

/** The MetricValues of an aggregate row (undefined: an empty cell) for the metrics computed. */
export function decodeValues(row: AggRow | undefined, metrics: ReadonlySet<MetricName>, point = false): MetricValues {
  const estimated: Record<string, number | null> = {};
  const out: Record<string, unknown> = {
    requests: n0(row?.requests),
    firstNs: row?.first_ns === null || row?.first_ns === undefined ? null : BigInt(row.first_ns as bigint | number | string).toString(),
    lastNs: row?.last_ns === null || row?.last_ns === undefined ? null : BigInt(row.last_ns as bigint | number | string).toString(),
    estimated,
  };
  for (const metric of METRICS) {
    if (!metrics.has(metric.name)) continue;
    for (const m of metric.measures) decodeMeasure(m, row, out, estimated, point);
  }
  return out as MetricValues;
}
