/**
 * The chart metrics, one entry each: adding a metric to /api/metrics and the
 * dashboards is adding an entry to ENTRIES (and, if the rollups should store it,
 * a column to `trace_rollups`). Everything else is derived from the entries:
 * - the SQL of both aggregation paths (db/queries/metric-sql.ts), the columns the
 *   roller stores (db/rollups.ts) and how a row becomes MetricValues;
 * - the `metrics=` names the API accepts (server/metrics) and the response fields
 *   (MetricValues and Estimates in ./types.ts are mapped from the entries' fields);
 * - the dashboards' tiles, charts and table columns (components/charts).
 *
 * Why SQL as plain text here: lib/ stays pure and free of the database, and an
 * entry stays one readable object. The text is a constant of this file, never
 * user input; db/queries/metric-sql.ts is the one place that turns it into SQL.
 * Every expression reads one row of `traces t` (the trace summary), so the traces
 * path, the rollup roller and the rollup path's edges evaluate the same text.
 *
 * A measure without `rollup` is not stored in the rollups: the rollup path counts it
 * exactly from `traces` when the request names it (`metrics=users`), and leaves it
 * out under the default "all metrics" (see db/queries/metrics-rollup.ts).
 */
import type { Measure, MetricSpec, Unit } from './metric-spec';

export type {
  Aggregate,
  BarsSpec,
  ColumnSpec,
  DashboardSpec,
  Measure,
  MetricSpec,
  MissingKeysSpec,
  PercentilePoint,
  PercentilesSpec,
  TileSpec,
  Unit,
} from './metric-spec';

// ---------------------------------------------------------------- SQL shared by entries

/** A failed request: an error span, or an HTTP status >= 500 (db/queries/request-error.ts reuses it). */
export const ERROR_SQL = '(t.error_count > 0 OR t.http_status_code >= 500)';
/** The same requests in the where grammar (joinWheres adds the parentheses when it is ANDed). */
export const ERROR_TERM = 'status = error OR http.status_code >= 500';
const DURATION_MS_SQL = '(t.duration_ns::float8 / 1e6)';
/**
 * Some span of the trace carries llm.usage.cached_input_tokens > 0, read from the trace's
 * attribute set (`{s, n?}` per distinct value, db/trace-attribute-set.ts): the traces the
 * grammar's `llm.usage.cached_input_tokens > 0` selects. A jsonpath test, not the
 * compiler's EXISTS over jsonb_array_elements: one operator, no subplan per trace
 * (~40% cheaper over 10k traces).
 */
const CACHED_INPUT_SQL = `t.attribute_set @? '$."llm.usage.cached_input_tokens"[*] ? (@.n > 0)'`;

// ---------------------------------------------------------------- the metrics

/** The entries, with their literal types (the names and fields below are derived from them). */
const ENTRIES = [
  {
    name: 'requests',
    label: 'Requests',
    unit: 'requests',
    description: 'Requests (traces) in range; always computed.',
    measures: [{ column: 'requests', field: 'requests', aggregate: { kind: 'count' }, estimate: 'requests', rollup: 'column' }],
    dashboard: {
      tiles: [{ testId: 'summary-requests', label: 'Requests', show: ['requests'], estimate: 'requests', note: 'unsampled' }],
      chart: { kind: 'bars', testId: 'chart-requests', title: 'Requests by {by}', field: 'requests' },
      columns: [{ field: 'requests', header: 'Requests', id: 'requests', narrow: true, withEstimate: true, headline: true }],
    },
  },
  {
    name: 'cached',
    label: 'Cached input',
    unit: 'requests',
    description: "Requests with cached input tokens: some span carries llm.usage.cached_input_tokens > 0 (Plano's prompt-cache hits).",
    measures: [
      {
        column: 'cached_requests',
        field: 'cachedRequests',
        aggregate: { kind: 'count', where: CACHED_INPUT_SQL },
        estimate: 'cachedRequests',
        rate: 'cachedShare',
        term: 'llm.usage.cached_input_tokens > 0',
      },
    ],
    dashboard: {
      tiles: [
        {
          testId: 'summary-cached',
          label: 'Cached input',
          title: 'Requests with cached input tokens (llm.usage.cached_input_tokens > 0 on some span), and their share',
          show: ['cachedRequests'],
          rate: 'cachedShare',
          estimate: 'cachedRequests',
        },
      ],
      columns: [{ field: 'cachedShare', header: 'Cached', id: 'cached-share' }],
    },
  },
  {
    name: 'errors',
    label: 'Errors',
    unit: 'requests',
    description: 'Failed requests (an error span, or HTTP status >= 500), and 4xx answers counted on their own.',
    measures: [
      {
        column: 'errors',
        field: 'errors',
        aggregate: { kind: 'count', where: ERROR_SQL },
        estimate: 'errors',
        rate: 'errorRate',
        term: ERROR_TERM,
        rollup: 'column',
      },
      {
        column: 'client_errors',
        field: 'clientErrors',
        aggregate: { kind: 'count', where: 't.http_status_code BETWEEN 400 AND 499' },
        rate: 'clientErrorRate',
        rollup: 'column',
      },
    ],
    dashboard: {
      tiles: [
        {
          testId: 'summary-errors',
          label: 'Errors',
          title: 'Requests with an error span or an HTTP status >= 500',
          show: ['errors'],
          rate: 'errorRate',
          estimate: 'errors',
        },
        {
          testId: 'summary-4xx',
          label: '4xx',
          title: 'Requests answered with an HTTP 4xx (counted on their own)',
          show: ['clientErrors'],
          rate: 'clientErrorRate',
        },
      ],
      chart: { kind: 'bars', testId: 'chart-errors', title: 'Errors (error span or 5xx)', field: 'errors' },
      columns: [
        { field: 'errors', header: 'Errors', id: 'errors' },
        { field: 'errorRate', header: 'Error rate', id: 'error-rate', narrow: true, alarm: true },
        { field: 'clientErrors', header: '4xx', id: 'client-errors' },
      ],
    },
  },
  {
    name: 'latency',
    label: 'Latency',
    unit: 'ms',
    description: "Percentiles of the whole request's duration.",
    measures: [
      {
        column: 'latency',
        aggregate: {
          kind: 'percentiles',
          of: DURATION_MS_SQL,
          points: [
            { p: 0.5, field: 'latencyP50Ms' },
            { p: 0.95, field: 'latencyP95Ms' },
            { p: 0.99, field: 'latencyP99Ms' },
          ],
        },
        rollup: { histogram: 'duration' },
      },
    ],
    dashboard: {
      tiles: [
        {
          testId: 'summary-latency',
          label: 'Latency p95',
          title: 'Whole-request duration percentiles',
          show: ['latencyP95Ms'],
          details: [
            { field: 'latencyP50Ms', before: 'p50' },
            { field: 'latencyP99Ms', before: 'p99' },
          ],
        },
      ],
      chart: {
        kind: 'percentiles',
        testId: 'chart-latency',
        title: 'Latency percentiles (whole request)',
        lines: [
          { field: 'latencyP50Ms', label: 'p50', color: 'p50' },
          { field: 'latencyP95Ms', label: 'p95', color: 'p95' },
          { field: 'latencyP99Ms', label: 'p99', color: 'p99' },
        ],
      },
      columns: [
        { field: 'latencyP50Ms', header: 'p50', id: 'p50' },
        { field: 'latencyP95Ms', header: 'p95', id: 'p95', narrow: true },
      ],
    },
  },
  {
    name: 'ttft',
    label: 'Time to first token',
    unit: 'ms',
    description: 'Percentiles of llm.time_to_first_token (streamed requests only).',
    measures: [
      {
        column: 'ttft',
        aggregate: {
          kind: 'percentiles',
          of: 't.ttft_ms',
          points: [
            { p: 0.5, field: 'ttftP50Ms' },
            { p: 0.95, field: 'ttftP95Ms' },
          ],
        },
        rollup: { histogram: 'ttft' },
      },
    ],
    dashboard: {
      tiles: [
        {
          testId: 'summary-ttft',
          label: 'TTFT p95',
          title: 'Time to first token (llm.time_to_first_token)',
          show: ['ttftP95Ms'],
          details: [{ field: 'ttftP50Ms', before: 'p50' }],
        },
      ],
      chart: {
        kind: 'percentiles',
        testId: 'chart-ttft',
        title: 'Time to first token',
        lines: [
          { field: 'ttftP50Ms', label: 'p50', color: 'p50' },
          { field: 'ttftP95Ms', label: 'p95', color: 'p95', dashed: true },
        ],
        seriesPrefix: 'TTFT ',
        coverage: { field: 'withTtft', text: 'streamed' },
        missing: { coverage: 'withTtft', what: 'time-to-first-token', keys: 'ttft', mapTo: 'ttft_ms', candidates: false },
      },
      columns: [{ field: 'ttftP95Ms', header: 'TTFT p95', id: 'ttft-p95' }],
    },
  },
  {
    name: 'tokens',
    label: 'Tokens',
    unit: 'tokens',
    description: 'Sums of prompt, completion and total tokens (null when no request carries a token key).',
    measures: [
      { column: 'prompt_tokens', field: 'promptTokens', aggregate: { kind: 'sum', of: 't.prompt_tokens' }, estimate: 'promptTokens', rollup: 'column' },
      {
        column: 'completion_tokens',
        field: 'completionTokens',
        aggregate: { kind: 'sum', of: 't.completion_tokens' },
        estimate: 'completionTokens',
        rollup: 'column',
      },
      { column: 'total_tokens', field: 'totalTokens', aggregate: { kind: 'sum', of: 't.total_tokens' }, estimate: 'totalTokens', rollup: 'column' },
    ],
    dashboard: {
      tiles: [
        {
          testId: 'summary-tokens',
          label: 'Tokens',
          show: ['totalTokens'],
          estimate: 'totalTokens',
          details: [
            { field: 'promptTokens', after: 'in' },
            { field: 'completionTokens', after: 'out' },
          ],
          missing: 'no token keys',
        },
      ],
      chart: {
        kind: 'bars',
        testId: 'chart-tokens',
        title: 'Tokens by {by}',
        field: 'totalTokens',
        missing: { coverage: 'withTokens', what: 'token', keys: 'tokens', mapTo: 'total_tokens', candidates: true },
      },
      columns: [{ field: 'totalTokens', header: 'Tokens', id: 'tokens', narrow: true, withEstimate: true, rawValue: true }],
    },
  },
  {
    name: 'cost',
    label: 'Cost',
    unit: 'usd',
    description:
      'Cost in USD: what the spans reported plus, for requests with tokens and no reported cost, tokens × the price in force (computed at query time, server/metrics/cost.ts). Requests whose model has no price are counted, never $0.',
    measures: [{ column: 'cost_usd', field: 'costUsd', aggregate: { kind: 'sum', of: 't.cost_usd' }, estimate: 'costUsd', rollup: 'column' }],
    dashboard: {
      tiles: [{ testId: 'summary-cost', label: 'Cost', show: ['costUsd'], estimate: 'costUsd', note: 'USD', missing: 'no cost keys' }],
      chart: {
        kind: 'bars',
        testId: 'chart-cost',
        title: 'Cost by {by}',
        field: 'costUsd',
        missing: { coverage: 'withCost', what: 'cost', keys: 'cost', mapTo: 'cost_usd', candidates: true },
      },
      columns: [{ field: 'costUsd', header: 'Cost', id: 'cost', narrow: true, withEstimate: true, rawValue: true }],
    },
  },
  {
    name: 'users',
    label: 'Users',
    unit: 'users',
    description: 'Distinct user.id values (totals only).',
    measures: [{ column: 'users', field: 'users', aggregate: { kind: 'distinct', of: 't.user_id' } }],
    // One tile for both distinct counts; the tables pick their distinct column per page.
    dashboard: { tiles: [{ testId: 'summary-users', label: 'Users · sessions', show: ['users', 'sessions'], note: 'distinct' }] },
  },
  {
    name: 'sessions',
    label: 'Sessions',
    unit: 'sessions',
    description: 'Distinct session.id values (totals only).',
    measures: [{ column: 'sessions', field: 'sessions', aggregate: { kind: 'distinct', of: 't.session_id' } }],
    dashboard: {},
  },
] as const satisfies readonly MetricSpec[];

/**
 * Measures of every cell whatever the metrics asked: the bounds of what it counted,
 * which requests carry the LLM keys (coverage) and the sampling weights.
 */
export const CELL_MEASURES: readonly Measure[] = [
  { column: 'first_ns', aggregate: { kind: 'min', of: 't.start_ns' }, rollup: 'column' },
  { column: 'last_ns', aggregate: { kind: 'max', of: 't.start_ns' }, rollup: 'column' },
  { column: 'cov_model', aggregate: { kind: 'count', where: 't.llm_model IS NOT NULL' }, rollup: 'column' },
  {
    column: 'cov_tokens',
    aggregate: { kind: 'count', where: '(t.total_tokens IS NOT NULL OR t.prompt_tokens IS NOT NULL OR t.completion_tokens IS NOT NULL)' },
    rollup: 'column',
  },
  { column: 'cov_cost', aggregate: { kind: 'count', where: 't.cost_usd IS NOT NULL' }, rollup: 'column' },
  { column: 'cov_ttft', aggregate: { kind: 'count', where: 't.ttft_ms IS NOT NULL' }, rollup: 'column' },
  { column: 'weighted', aggregate: { kind: 'count', where: 't.sample_weight <> 1' }, rollup: 'column' },
  { column: 'min_weight', aggregate: { kind: 'min', of: 't.sample_weight' }, rollup: 'column' },
  { column: 'max_weight', aggregate: { kind: 'max', of: 't.sample_weight' }, rollup: 'column' },
];

// ---------------------------------------------------------------- types derived from the entries

type Entry = (typeof ENTRIES)[number];
type AnyMeasure = Entry['measures'][number];

export type MetricName = Entry['name'];
/** Fields of MetricValues a measure fills: its value, its rate, its percentiles. */
export type ValueField =
  | (AnyMeasure extends infer M ? (M extends { field: infer F extends string } ? F : never) : never)
  | (AnyMeasure extends infer M ? (M extends { rate: infer F extends string } ? F : never) : never)
  | (AnyMeasure extends infer M
      ? M extends { aggregate: { points: readonly (infer P)[] } }
        ? P extends { field: infer F extends string }
          ? F
          : never
        : never
      : never);
/** Fields of `estimated`. */
export type EstimateField = AnyMeasure extends infer M ? (M extends { estimate: infer F extends string } ? F : never) : never;

/** The metrics, in the order of the response's `metrics` and of the dashboards' tiles, charts and columns. */
export const METRICS: readonly (MetricSpec & { readonly name: MetricName })[] = ENTRIES;

export const METRIC_NAMES: readonly MetricName[] = METRICS.map((m) => m.name);

/** The metric every request computes (the cells' request counts). */
export const CORE_METRIC: MetricName = 'requests';

export function metricSpec(name: MetricName): MetricSpec {
  const spec = METRICS.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown metric ${name}`);
  return spec;
}

export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/** A metric all of whose measures the rollups store. */
export function isRolledUp(name: MetricName): boolean {
  return metricSpec(name).measures.every((m) => m.rollup !== undefined);
}

/** Every field a measure fills (value, rate, percentile points). */
export function measureFields(m: Measure): string[] {
  const points = m.aggregate.kind === 'percentiles' ? m.aggregate.points.map((p) => p.field) : [];
  return [...(m.field ? [m.field] : []), ...(m.rate ? [m.rate] : []), ...points];
}

export type FieldInfo = { metric: MetricSpec; measure: Measure; unit: Unit | 'ratio' };

/** What fills a field of MetricValues: its metric, its measure, and its unit (rates are ratios). */
export function fieldInfo(field: string): FieldInfo {
  for (const metric of METRICS) {
    for (const measure of metric.measures) {
      if (measure.rate === field) return { metric, measure, unit: 'ratio' };
      if (measureFields(measure).includes(field)) return { metric, measure, unit: metric.unit };
    }
  }
  throw new Error(`no metric fills the field ${field}`);
}
