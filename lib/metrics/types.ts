/**
 * Shapes of GET /api/metrics (shared by the route, the pages and the charts).
 * Pure types and constants: browser and Node. Each metric is an entry of ./registry.ts.
 *
 * A request is a trace (a row of `traces`). Definitions:
 * - errors: the trace has a span with status error, or its HTTP status is >= 500;
 * - clientErrors: its HTTP status is 4xx (counted on their own; a 429 whose LLM
 *   span has status error is in both);
 * - latency: percentiles of the whole trace's duration; ttft: of `llm.time_to_first_token`;
 * - cached: some span carries `llm.usage.cached_input_tokens` > 0;
 * - estimated: sums weighted by each trace's sample weight (adjusted count), i.e.
 *   what the totals would be without sampling. Percentiles are not weighted.
 */
import type { EstimateField, MetricName, ValueField } from './registry';

export { METRIC_NAMES, type MetricName } from './registry';

/**
 * Sampling-weighted sums, one per measure with an `estimate` in the registry (requests,
 * errors, tokens, cost, …). Token and cost sums are null when no request of the cell
 * carries the key (unknown, not zero).
 */
export type Estimates = { [K in EstimateField]?: number | null };

/**
 * Values of one cell (a group, a bucket, both, or everything). Families not asked for
 * are absent. The figures are the registry's fields (./registry.ts): e.g. `errors` and
 * `errorRate` (errors / requests, null without requests), `latencyP95Ms`, `totalTokens`
 * (null when no request of the cell carries a recognised key, see Coverage), `users`
 * (distinct: in totals only, absent from series points).
 */
export type MetricValues = {
  requests: number;
  /** Start of the first and last request (epoch ns, decimal), null without requests. */
  firstNs: string | null;
  lastNs: string | null;
  /** Sampling-weighted totals (≈): estimates, not counts. */
  estimated: Estimates;
} & { [K in Exclude<ValueField, 'requests'>]?: number | null } & CostFields;

/**
 * Where a cell's cost comes from (with the `cost` metric): `costUsd` is what is known —
 * reported plus computed at query time (server/metrics/cost.ts) — and the requests whose
 * model has no price are counted, never priced $0.
 */
export type CostFields = {
  /** Sum of the costs the spans reported (llm.usage.total_cost_usd), null when none did. */
  reportedCostUsd?: number | null;
  /** Sum of tokens × price for requests with tokens and no reported cost, null when none was priced. */
  computedCostUsd?: number | null;
  /** Requests with tokens, no reported cost and no price for their model. */
  unpricedRequests?: number;
  /** `reported`, `computed`, `reported + computed`, `unknown` (only unpriced requests), or null (no cost, no tokens). */
  costSource?: string | null;
};

/** Requests of a model with tokens, no reported cost and no price (model null: no model name). */
export type UnpricedModelCount = { model: string | null; requests: number };

/** How the response's costs were made, and what could not be priced (with the `cost` metric). */
export type CostInfo = {
  /** Always 'query': prices are applied when reading, so a changed TRACEDECK_PRICES reprices past requests. */
  pricedAt: 'query';
  unpricedRequests: number;
  /** Per model, most requests first. */
  unpriced: UnpricedModelCount[];
  /** "412 requests of `my-finetune` have no price", or null. */
  note: string | null;
  /** The TRACEDECK_PRICES file in use, and why it was ignored (null: fine or unset). */
  pricesFile: string | null;
  pricesError: string | null;
};

export type MetricsBucket = {
  /** Bucket bounds clipped to the range, ISO 8601 and epoch ms: [start, end). */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
};

export type MetricsGroup = {
  /** The group's value; null for requests without the key. Meaningless when `other`. */
  key: string | null;
  /** True for the single group collecting everything outside the top N. */
  other: boolean;
  /** Display label: the value, "(none)" or "other". */
  label: string;
  totals: MetricValues;
  /** One entry per bucket (absent with series=false). */
  series?: MetricValues[];
};

export type GroupByInfo = {
  key: string;
  /** 'column': a trace summary column; 'span': the first span carrying the key. */
  source: 'column' | 'span';
  /** Keys a drill-down filter should test (the promoted column may be fed by several). */
  drillKeys: string[];
  top: number;
};

export type Coverage = {
  /** Requests in range (after the filter). */
  requests: number;
  withModel: number;
  withTokens: number;
  withCost: number;
  withTtft: number;
  /** Attribute keys that look like model/token/cost keys but are not mapped (only when something is missing). */
  unmappedCandidates: string[];
};

export type SamplingInfo = {
  /** True when some request in range stands for more than one (weight ≠ 1). */
  sampled: boolean;
  weightedRequests: number;
  minWeight: number | null;
  maxWeight: number | null;
  /** TRACEDECK_SAMPLING as set ('' when unset). */
  setting: string;
  configError: string | null;
  note: string;
};

export type MetricsResponse = {
  where: string | null;
  range: { from: string; to: string; fromNs: string; toNs: string };
  bucket: { size: string; ms: number; auto: boolean; count: number };
  metrics: MetricName[];
  groupBy: GroupByInfo | null;
  buckets: MetricsBucket[];
  totals: MetricValues;
  /** Everything per bucket (absent with series=false). */
  series?: MetricValues[];
  groups: MetricsGroup[];
  coverage: Coverage;
  sampling: SamplingInfo;
  /** With the `cost` metric: computed cost and unpriced requests (see CostFields). */
  cost?: CostInfo;
  /** Server-side time of the aggregation query, ms. */
  queryMs: number;
  /**
   * What answered: 'rollup' — the chart rollups (big ranges filtered by at most a tenant;
   * stale or partial granules read from traces; percentiles from half-octave histograms,
   * a few % off and at most a factor √2; users/sessions only when named in `metrics`),
   * or 'traces' — every trace in range.
   */
  source: 'rollup' | 'traces';
};

export const NONE_LABEL = '(none)';
export const OTHER_LABEL = 'other';
