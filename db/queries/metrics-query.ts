/**
 * The shapes shared by the two paths of the chart aggregations: the query both take
 * (db/queries/metrics.ts), the rollup scope (db/queries/metrics-rollup.ts) and the
 * aggregate row both return, so neither imports the other's types.
 */
import type { SQL } from 'drizzle-orm';
import type { MetricName } from '../../lib/metrics/types';

export type RollupScope = {
  /** The only tenant the request's filter keeps; null: no filter at all. */
  tenantId: string | null;
  /**
   * The metrics the rollups do not store (distinct users/sessions, cached-input requests…)
   * came with "all metrics", not by name: the rollup path may leave them out.
   */
  unrolledOptional: boolean;
  /** Overrides ROLLUP_MIN_TRACES (server/config passes TRACEDECK_ROLLUP_MIN_TRACES here); 0 always uses the rollups when it can. */
  minTraces?: number;
};

export type MetricsQuery = {
  /** Compiled `where` (boolean over `traces t`), or null. */
  filter: SQL | null;
  fromNs: bigint;
  toNs: bigint;
  bucketMs: number;
  /** Attribute key to group by, or null. */
  groupBy: string | null;
  /** Groups kept by request count; the rest are summed into "other". */
  top: number;
  metrics: ReadonlySet<MetricName>;
  /** Per-bucket series (false: totals only, e.g. for tables). */
  series: boolean;
  tenantKey: string;
  /** The attribute keys that feed `llm_model` (server/config's mapping), named by a group-by on llm.model. */
  modelKeys: readonly string[];
  /**
   * Set when the request can be answered from the chart rollups: its filter is at most
   * one tenant's (tenant.id=…, or a reader's tenant scope). See db/queries/metrics-rollup.ts.
   */
  rollup?: RollupScope | null;
};

/**
 * One row of either path's aggregation: a cell (`all`, or a group's rank) and bucket
 * (null: the cell's totals), the group's value, and one column per measure of the
 * metric registry (db/queries/metric-sql.ts names them; `requests` is always there).
 */
export type AggRow = {
  cell: string;
  b: number | null;
  gk: string | null;
  [column: string]: unknown;
};
