/**
 * The shape of a metric registry entry (./registry.ts): what it aggregates, how the
 * rollups store it, and how the dashboards show it. Pure types and constants.
 */

/** What a figure counts or measures (picks its formats on the dashboards). */
export type Unit = 'requests' | 'tokens' | 'usd' | 'ms' | 'users' | 'sessions';
export const UNITS: readonly Unit[] = ['requests', 'tokens', 'usd', 'ms', 'users', 'sessions'];

/** A percentile of a `percentiles` measure and the field that receives it. */
export type PercentilePoint = { readonly p: number; readonly field: string };

/** How a measure aggregates the traces of a cell (SQL over one row of `traces t`). */
export type Aggregate =
  /** Requests, or those matching the boolean `where`: 0 when none. */
  | { readonly kind: 'count'; readonly where?: string }
  /** Sum of a nullable number: null when no request carries it (unknown, not zero). */
  | { readonly kind: 'sum'; readonly of: string }
  | { readonly kind: 'min' | 'max'; readonly of: string }
  /** percentile_cont of `of` on the traces path; from a log histogram on the rollup path. */
  | { readonly kind: 'percentiles'; readonly of: string; readonly points: readonly PercentilePoint[] }
  /** Distinct values of `of`: in totals only (counting them per bucket cost most of the query). */
  | { readonly kind: 'distinct'; readonly of: string };

export type Measure = {
  /** Column of the aggregate row, and of `trace_rollups` when rolled up. */
  readonly column: string;
  /** Field of MetricValues (percentiles name theirs per point). */
  readonly field?: string;
  readonly aggregate: Aggregate;
  /** count/sum: the sampling-weighted twin, as this field of `estimated` (column `est_<column>`). */
  readonly estimate?: string;
  /** count: this field receives the count / requests (null without requests). */
  readonly rate?: string;
  /** count: the where-grammar term selecting the same requests (drill-down to the trace list). */
  readonly term?: string;
  /**
   * Stored by the roller: 'column' — `<column>` (and `est_<column>`) in `trace_rollups`;
   * a histogram — its `<histogram>_hist`, `_min_ms` and `_max_ms` columns (percentiles).
   */
  readonly rollup?: 'column' | { readonly histogram: string };
};

/** Which coverage count says whether anything carried a metric's keys, and how to map them. */
export type MissingKeysSpec = {
  readonly coverage: 'withModel' | 'withTokens' | 'withCost' | 'withTtft';
  /** "No request in range carries a recognised <what> key". */
  readonly what: string;
  /** The keys currently mapped (DashboardData.mapping). */
  readonly keys: 'model' | 'tokens' | 'cost' | 'ttft';
  /** The TRACEDECK_ATTRIBUTE_MAP field to map one with. */
  readonly mapTo: string;
  /** Also list the unmapped keys that look like candidates. */
  readonly candidates: boolean;
};

/** A summary tile: the headline figure(s) and one line under it. */
export type TileSpec = {
  readonly testId: string;
  readonly label: string;
  readonly title?: string;
  /** Fields of the headline, joined by " · ". */
  readonly show: readonly string[];
  /** A rate field shown first under the headline, as a percentage. */
  readonly rate?: string;
  /** The headline's estimate (a field of `estimated`), shown under it when the range is sampled. */
  readonly estimate?: string;
  /** Shown when no estimate is: figures with a word before or after ('p50 12ms', '1.2K in'). */
  readonly details?: readonly { readonly field: string; readonly before?: string; readonly after?: string }[];
  /** Shown when neither an estimate nor details are. */
  readonly note?: string;
  /** Shown instead of the line when the headline is unknown (null). */
  readonly missing?: string;
};

/** Stacked bars of one field per group over time (its estimate and rate come from its measure). */
export type BarsSpec = {
  readonly kind: 'bars';
  readonly testId: string;
  /** `{by}` is replaced by what the bars are stacked by. */
  readonly title: string;
  readonly field: string;
  readonly missing?: MissingKeysSpec;
};

/** Percentile lines over time (all groups together). */
export type PercentilesSpec = {
  readonly kind: 'percentiles';
  readonly testId: string;
  readonly title: string;
  readonly lines: readonly { readonly field: string; readonly label: string; readonly color: 'p50' | 'p95' | 'p99'; readonly dashed?: boolean }[];
  /** Put before the line labels in tooltips ('TTFT p95'). */
  readonly seriesPrefix?: string;
  /** A last item after the figures: how many requests carry the metric ('of 120 streamed'). */
  readonly coverage?: { readonly field: MissingKeysSpec['coverage']; readonly text: string };
  readonly missing?: MissingKeysSpec;
};

/** A column of the group tables (tenants, users, sessions, models). */
export type ColumnSpec = {
  readonly field: string;
  readonly header: string;
  /** `data-column` of its cells. */
  readonly id: string;
  /** Also shown in the narrow tables of the tenant and user pages. */
  readonly narrow?: boolean;
  /** With sampling, a "≈ <header>" column follows it (wide tables only). */
  readonly withEstimate?: boolean;
  /** Highlights high shares (error rates). */
  readonly alarm?: boolean;
  /** Cells carry the raw figure as `data-value`. */
  readonly rawValue?: boolean;
  /** The table's headline figure: in narrow tables it links to the group's requests and carries its estimate inline. */
  readonly headline?: boolean;
};

export type DashboardSpec = {
  readonly tiles?: readonly TileSpec[];
  readonly chart?: BarsSpec | PercentilesSpec;
  readonly columns?: readonly ColumnSpec[];
};

export type MetricSpec = {
  /** Its name in `metrics=`. */
  readonly name: string;
  readonly label: string;
  readonly unit: Unit;
  readonly description: string;
  readonly measures: readonly Measure[];
  readonly dashboard: DashboardSpec;
};
