/**
 * The typed input of the metrics service (./request.ts queryMetrics) and the small
 * builders that make each field of it. The API route gets them from the query string
 * (./params.ts), the chart pages from their URL state (./dashboard.ts); both go
 * through these builders, so a bad value fails the same way (ApiError 400 with the
 * same message, and the column for a filter).
 */
import { MAX_POINTS, chooseBucketMs, formatBucket } from '../../lib/metrics/bucket';
import { type MetricName, isMetricName, METRIC_NAMES } from '../../lib/metrics/registry';
import { isIntrinsicName } from '../../lib/where';
import type { WhereExpr } from '../../lib/where/ast';
import { isFilterableKey } from '../../lib/where/edit';
import type { SQL } from 'drizzle-orm';
import { ApiError } from '../http/errors';
import { rangeFromParams } from '../http/query-params';
import { traceFilterFromParams } from '../http/where-params';

/** Range used when the request names no start. */
export const DEFAULT_METRICS_SINCE = '24h';
export const DEFAULT_TOP = 10;
const NS_PER_MS = 1_000_000n;
const DEFAULT_WINDOW_NS = 86_400_000n * NS_PER_MS;

export type MetricsContext = {
  tenantKey: string;
  /** A tenant-scoped reader's tenant (server/auth): every aggregate is confined to it. */
  tenantScope?: string | null;
};

/** A `metrics=` token: a metric's name, or `all`. */
export type MetricToken = MetricName | 'all';

export type MetricsInput = {
  /** The filter, compiled and confined to the reader's tenant; its AST is the request's own (metricsFilter). */
  filter: { ast: WhereExpr | null; sql: SQL | null };
  /** [fromNs, toNs), epoch ns (metricsRange). */
  range: { fromNs: bigint; toNs: bigint };
  /** Bucket size, and whether it was chosen from the range (metricsBucket). */
  bucket: { ms: number; auto: boolean };
  /** Per-bucket series (false: totals only, e.g. for tables). */
  series: boolean;
  /** The metrics asked for, as named ([] or `all`: every one; see metricSelection). */
  metrics: readonly MetricToken[];
  /** Attribute key to group by (metricsGroupBy), or null. */
  groupBy: string | null;
  /** Groups kept by request count; the rest are summed into "other". */
  top: number;
};

/** The request's `where` filters (ANDed), parsed and compiled for `traces t`. */
export function metricsFilter(wheres: readonly string[], ctx: MetricsContext): MetricsInput['filter'] {
  return traceFilterFromParams([...wheres], ctx.tenantKey, ctx.tenantScope ?? null);
}

/** The range of since | from/to; without a start, the DEFAULT_METRICS_SINCE window ending at `to` (or now). */
export function metricsRange(params: { since?: string; from?: string; to?: string }, nowMs: number = Date.now()): MetricsInput['range'] {
  const range = rangeFromParams(params);
  const toNs = range.toNs ?? BigInt(Math.round(nowMs)) * NS_PER_MS;
  const fromNs = range.fromNs ?? toNs - DEFAULT_WINDOW_NS;
  if (fromNs >= toNs) throw new ApiError(400, "'from' must be before 'to'");
  return { fromNs, toNs };
}

/** The bucket size: `requestedMs`, or auto (null) from the range; a series of too many points is refused. */
export function metricsBucket(range: MetricsInput['range'], requestedMs: number | null, series: boolean): MetricsInput['bucket'] {
  const ms = chooseBucketMs(requestedMs, range.fromNs, range.toNs);
  const points = Number((range.toNs - range.fromNs) / (BigInt(ms) * NS_PER_MS)) + 1;
  if (series && points > MAX_POINTS) {
    throw new ApiError(400, `bucket ${formatBucket(ms)} gives about ${points} points over this range (at most ${MAX_POINTS}); use a larger bucket or auto`);
  }
  return { ms, auto: requestedMs === null };
}

/** `metrics=` values (comma-separated, repeatable) as tokens; an unknown name is a 400. */
export function metricSelection(values: readonly string[]): MetricToken[] {
  const names = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const name of names) {
    if (name !== 'all' && !isMetricName(name)) throw new ApiError(400, `unknown metric '${name}' (use ${METRIC_NAMES.join(', ')})`);
  }
  return names as MetricToken[];
}

/** The metrics a selection computes: all of them for [] or `all`, else the named ones and the request count. */
export function selectedMetrics(tokens: readonly MetricToken[]): Set<MetricName> {
  if (tokens.length === 0 || tokens.includes('all')) return new Set(METRIC_NAMES);
  return new Set<MetricName>(['requests', ...(tokens as MetricName[])]);
}

/** A group-by key: an attribute key (null when blank); an intrinsic field or a malformed key is a 400. */
export function metricsGroupBy(key: string | null | undefined): string | null {
  const k = key?.trim() ?? '';
  if (k === '') return null;
  if (!isFilterableKey(k) || isIntrinsicName(k)) {
    throw new ApiError(400, `invalid group_by '${k}': expected an attribute key (letters, digits, _ . : -), not an intrinsic field`);
  }
  return k;
}
