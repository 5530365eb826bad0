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
  /** Users/sessions came with "all metrics", not by name: the rollup path may leave them out. */
  distinctOptional: boolean;
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

export type Num = bigint | number | string | null;
export type AggRow = {
  cell: string;
  b: number | null;
  gk: string | null;
  requests: Num;
  est_requests: Num;
  first_ns: Num;
  last_ns: Num;
  cov_model: Num;
  cov_tokens: Num;
  cov_cost: Num;
  cov_ttft: Num;
  weighted: Num;
  min_weight: Num;
  max_weight: Num;
  errors?: Num;
  est_errors?: Num;
  client_errors?: Num;
  latency?: unknown;
  ttft?: unknown;
  prompt_tokens?: Num;
  completion_tokens?: Num;
  total_tokens?: Num;
  est_prompt_tokens?: Num;
  est_completion_tokens?: Num;
  est_total_tokens?: Num;
  cost_usd?: Num;
  est_cost_usd?: Num;
  users?: Num;
  sessions?: Num;
};
