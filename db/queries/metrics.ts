/**
 * Aggregations over the `traces` summary for the charts: one statement per call,
 * its measures those of the metric registry (lib/metrics/registry.ts, as SQL in
 * ./metric-sql.ts), all arithmetic in SQL — percentile_cont for percentiles, GROUPING SETS for the
 * per-group and overall cells (totals) and per-group and overall buckets (series),
 * a hashed pass for distinct users/sessions, generate_series to fill empty buckets.
 * No span is loaded into Node; only a group_by key that has no trace column reads
 * spans, one indexed probe per trace (the first span carrying it).
 *
 * Measured (Postgres 15, 2 shared cores, demo data): 20k traces / 80k spans — per-tenant
 * chart with series ~85 ms, tenant table ~40 ms; 100k traces / 400k spans — ~540 ms
 * and ~260 ms. The span-lookup group_by is the slow path (~3.4 s at 100k traces).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { AttributeMapping } from '../../lib/enrich/promoted-columns';
import { type BucketGrid, bucketGrid } from '../../lib/metrics/bucket';
import { type Coverage, type GroupByInfo, type MetricName, type MetricValues, type MetricsGroup, NONE_LABEL, OTHER_LABEL } from '../../lib/metrics/types';
import { spanAttributePresent, spanAttributeText } from '../../lib/where/sql-compiler';
import { flushCatalog } from '../catalog-buffer';
import type { Db } from '../client';
import { timeRangeCondition } from './list-traces';
import {
  decodeValues,
  distinctCounts,
  distinctMeasures,
  measuresFor,
  n0,
  nOrNull,
  readsWideColumn,
  selectList,
  traceInputs,
  tracesAggregates,
} from './metric-sql';
import type { AggRow, MetricsQuery } from './metrics-query';
import { rollupMetricsRows } from './metrics-rollup';
import { summariesCaughtUp } from '../summarizer';

export type { MetricsQuery };

export type MetricsResult = {
  grid: BucketGrid;
  groupBy: GroupByInfo | null;
  totals: MetricValues;
  series: MetricValues[] | null;
  groups: MetricsGroup[];
  coverage: Omit<Coverage, 'unmappedCandidates'>;
  sampling: { weightedRequests: number; minWeight: number | null; maxWeight: number | null };
  /** The metrics computed (the rollup path may leave out those it does not store, see RollupScope). */
  metrics: ReadonlySet<MetricName>;
  /** What answered: the rollups (with the stale or partial edges read from `traces`), or `traces` alone. */
  source: 'rollup' | 'traces';
};

/** Keys answered by a `traces` column, with the attribute keys that feed it. */
export function groupColumn(key: string, tenantKey: string, modelKeys: readonly string[]): { expr: SQL; feeds: readonly string[] } | null {
  if (key === tenantKey) return { expr: sql`NULLIF(t.tenant_id, '')`, feeds: [tenantKey] };
  if (key === 'user.id') return { expr: sql`t.user_id`, feeds: ['user.id'] };
  if (key === 'session.id') return { expr: sql`t.session_id`, feeds: ['session.id'] };
  if (key === 'llm.model') return { expr: sql`t.llm_model`, feeds: modelKeys };
  return null;
}

/** The value of `key` on the first span (by start) of the trace that carries it, as the grammar reads it. */
function firstSpanValue(key: string): SQL {
  return sql`(SELECT ${spanAttributeText(key)}
    FROM spans s
    WHERE s.tenant_id = t.tenant_id AND s.trace_id = t.trace_id
      AND ${spanAttributePresent(key)}
    ORDER BY s.start_ns, s.span_id LIMIT 1)`;
}

/** The top groups' values in rank order (a NULL element is the "(none)" group). */
const TOP_KEYS = (top: number) => sql`topk AS (SELECT COALESCE(array_agg(g ORDER BY rn), ARRAY[]::text[]) AS keys FROM ranked WHERE rn <= ${top}::integer)`;

/**
 * A row's group rank: its value's position among the top keys (array_position
 * matches NULL to NULL), else top+1 ("other"). No join, so no misestimated join
 * selectivity steering the planner to sorts.
 */
const GID = (value: SQL, top: number) => sql`COALESCE(array_position((SELECT keys FROM topk), ${value}), ${top + 1}::integer)`;

/** How the cells of a traces-path query are grouped. */
type Grouping = {
  /** The group value of a row of `traces t`, or null when not grouped. */
  expr: SQL | null;
  /** Whether that value is a `traces` column (else a per-trace span lookup). */
  column: ReturnType<typeof groupColumn>;
};

export async function aggregateMetrics(db: Pick<Db, 'rows'>, asked: MetricsQuery): Promise<MetricsResult> {
  await summariesCaughtUp(db);
  const grid = bucketGrid(asked.fromNs, asked.toNs, asked.bucketMs);
  // Big ranges come from the rollups (null: not answerable there, or too few traces to bother).
  const rolled = await rollupMetricsRows(db, asked, grid);
  const q = rolled ? { ...asked, metrics: rolled.metrics } : asked;
  const column = q.groupBy ? groupColumn(q.groupBy, q.tenantKey, q.modelKeys) : null;
  const grouping: Grouping = { expr: q.groupBy ? (column?.expr ?? firstSpanValue(q.groupBy)) : null, column };
  const rows = rolled ? rolled.rows : await db.rows<AggRow>(tracesQuery(q, grid, grouping));
  return { ...assembleResult(rows, q, grid, column), source: rolled ? 'rollup' : 'traces' };
}

/** The rows of the traces path: totals per cell (b null), then every cell × every bucket with `series`. */
function tracesQuery(q: MetricsQuery, grid: BucketGrid, grouping: Grouping): SQL {
  const measures = measuresFor(q.metrics);
  const sizeNs = BigInt(q.bucketMs) * 1_000_000n;
  const where = sql`${timeRangeCondition({ fromNs: q.fromNs, toNs: q.toNs }, sql`t.start_ns`)} AND ${q.filter ?? sql`true`}`;
  const bucketExpr = sql`((t.start_ns - ${grid.originNs.toString()}::bigint) / ${sizeNs.toString()}::bigint)::integer`;
  const groupExpr = grouping.expr;
  const top = q.top;

  // Groups are ranked once (by requests, then value) and aggregated by their integer
  // rank — 1..top, or top+1 for "other" — so the GROUPING SETS sort integers, not text.
  // `base` is read several times (ranking, totals, series, distinct counts): a plain
  // range scan is cheaper to repeat than to materialize, but a `where` (span probes), a
  // per-trace span lookup for the group or an input read from the attribute set is
  // evaluated once.
  const materialize = q.filter !== null || (groupExpr !== null && grouping.column === null) || readsWideColumn(measures);
  const base = sql`base AS ${materialize ? sql`MATERIALIZED` : sql`NOT MATERIALIZED`} (
        SELECT ${traceInputs(measures)}, ${groupExpr ?? sql`NULL::text`} AS g, ${bucketExpr} AS b FROM traces t WHERE ${where}
      )`;
  const source = groupExpr
    ? sql`
      ${base},
      ranked AS (
        SELECT g, row_number() OVER (ORDER BY count(*) DESC, g ASC NULLS LAST)::integer AS rn FROM base GROUP BY g
      ),
      ${TOP_KEYS(top)},
      labeled AS NOT MATERIALIZED (SELECT base.*, ${GID(sql`base.g`, top)} AS gid FROM base)`
    : sql`
      ${base},
      ranked AS (SELECT NULL::text AS g, NULL::integer AS rn),
      labeled AS NOT MATERIALIZED (SELECT base.*, NULL::integer AS gid FROM base)`;
  const totalSets = groupExpr ? sql`GROUPING SETS ((t.gid), ())` : sql`GROUPING SETS (())`;
  const seriesSets = groupExpr ? sql`GROUPING SETS ((t.gid, t.b), (t.b))` : sql`GROUPING SETS ((t.b))`;
  const cell = groupExpr ? sql`CASE WHEN GROUPING(t.gid) = 1 THEN 'all' ELSE t.gid::text END` : sql`'all'`;
  const aggregated = tracesAggregates(measures);
  const totals = sql`SELECT ${cell} AS cell, NULL::integer AS b, ${selectList(aggregated)} FROM labeled t GROUP BY ${totalSets}`;
  const points = sql`SELECT ${cell} AS cell, t.b AS b, ${selectList(aggregated)} FROM labeled t GROUP BY ${seriesSets}`;
  const agg = q.series ? sql`agg AS (${totals} UNION ALL ${points})` : sql`agg AS (${totals})`;
  // Distinct counts (totals only) come from their own pass, `dist`.
  const distinct = distinctMeasures(measures);
  const ctes = distinct.length > 0 ? sql`${source}, ${agg}, ${distinctCounts(distinct, sql`labeled`, groupExpr !== null)}` : sql`${source}, ${agg}`;
  const totalsFrom = distinct.length > 0 ? sql`agg a LEFT JOIN dist d ON d.cell = a.cell` : sql`agg a`;
  const isDistinct = new Set(distinct.map((m) => m.column));
  const names = sql.raw(aggregated.map((a) => `a.${a.name}`).join(', '));
  const totalNames = sql.raw(aggregated.map((a) => (isDistinct.has(a.name) ? `d.${a.name}` : `a.${a.name}`)).join(', '));
  // The group's value: ranked.g of its rank (none for "other" and "all").
  const gk = sql`(SELECT r.g FROM ranked r WHERE r.rn::text = a.cell AND r.rn <= ${top}::integer)`;
  if (!q.series)
    return sql`
      WITH ${ctes}
      SELECT a.cell, a.b, ${gk} AS gk, ${totalNames} FROM ${totalsFrom}`;
  return sql`
      WITH ${ctes},
      cells AS (SELECT DISTINCT cell FROM agg WHERE b IS NULL)
      SELECT a.cell, a.b, ${gk} AS gk, ${totalNames} FROM ${totalsFrom} WHERE a.b IS NULL
      UNION ALL
      -- every cell × every bucket, empty buckets included
      SELECT c.cell, s.b, NULL::text AS gk, ${names}
      FROM cells c CROSS JOIN generate_series(0, ${grid.count - 1}::integer) AS s(b)
      LEFT JOIN agg a ON a.cell = c.cell AND a.b = s.b`;
}

/** Groups, totals, series, coverage and sampling from the rows of either path. */
function assembleResult(rows: AggRow[], q: MetricsQuery, grid: BucketGrid, column: Grouping['column']): Omit<MetricsResult, 'source'> {
  const totalsRows = new Map<string, AggRow>();
  const seriesRows = new Map<string, (AggRow | undefined)[]>();
  for (const r of rows) {
    if (r.b === null) totalsRows.set(r.cell, r);
    else {
      const list = seriesRows.get(r.cell) ?? new Array<AggRow | undefined>(grid.count).fill(undefined);
      // A LEFT JOIN miss (empty bucket) has no requests: keep it undefined → zeros.
      list[Number(r.b)] = r.requests === null ? undefined : r;
      seriesRows.set(r.cell, list);
    }
  }
  const seriesOf = (cellId: string) =>
    q.series ? (seriesRows.get(cellId) ?? new Array<AggRow | undefined>(grid.count).fill(undefined)).map((r) => decodeValues(r, q.metrics, true)) : undefined;

  const all = totalsRows.get('all');
  const groups: MetricsGroup[] = [];
  if (q.groupBy) {
    for (const [cellId, r] of totalsRows) {
      if (cellId === 'all') continue;
      const other = Number(cellId) > q.top;
      const key = other ? null : r.gk;
      groups.push({
        key,
        other,
        label: other ? OTHER_LABEL : key === null ? NONE_LABEL : key,
        totals: decodeValues(r, q.metrics),
        ...(q.series ? { series: seriesOf(cellId) } : {}),
      });
    }
    groups.sort((a, b) => Number(a.other) - Number(b.other) || b.totals.requests - a.totals.requests || (a.key ?? '\uffff').localeCompare(b.key ?? '\uffff'));
  }
  const groupBy: GroupByInfo | null = q.groupBy
    ? { key: q.groupBy, source: column ? 'column' : 'span', drillKeys: [...(column?.feeds ?? [q.groupBy])], top: q.top }
    : null;
  return {
    grid,
    groupBy,
    totals: decodeValues(all, q.metrics),
    series: q.series ? (seriesOf('all') ?? null) : null,
    groups,
    coverage: {
      requests: n0(all?.requests),
      withModel: n0(all?.cov_model),
      withTokens: n0(all?.cov_tokens),
      withCost: n0(all?.cov_cost),
      withTtft: n0(all?.cov_ttft),
    },
    sampling: { weightedRequests: n0(all?.weighted), minWeight: nOrNull(all?.min_weight), maxWeight: nOrNull(all?.max_weight) },
    metrics: q.metrics,
  };
}

/**
 * Attribute keys in the catalog that look like model, token or cost keys but feed
 * no column (a hint for TRACEDECK_ATTRIBUTE_MAP when the charts would be empty).
 */
export async function unmappedLlmKeys(db: Pick<Db, 'rows'>, mapping: AttributeMapping): Promise<string[]> {
  await flushCatalog(db);
  const mapped = new Set<string>([
    ...mapping.llmModel,
    ...mapping.promptTokens,
    ...mapping.completionTokens,
    ...mapping.totalTokens,
    ...mapping.costUsd,
    ...mapping.ttftMs,
  ]);
  const rows = await db.rows<{ key: string }>(sql`
    SELECT DISTINCT key FROM attribute_keys
    WHERE key ~* '(model|token|cost|usage|price)' ORDER BY key LIMIT 50`);
  return rows
    .map((r) => r.key)
    .filter((k) => !mapped.has(k))
    .slice(0, 12);
}

/** Which of `keys` the attribute catalog has seen (drill-down filters test only those). */
export async function seenKeys(db: Pick<Db, 'rows'>, keys: readonly string[]): Promise<string[]> {
  if (keys.length <= 1) return [...keys];
  await flushCatalog(db);
  const rows = await db.rows<{ key: string }>(sql`
    SELECT DISTINCT key FROM attribute_keys WHERE key IN (SELECT jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`);
  const seen = new Set(rows.map((r) => r.key));
  const kept = keys.filter((k) => seen.has(k));
  return kept.length > 0 ? kept : [keys[0]];
}
