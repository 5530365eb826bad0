/**
 * GET /api/metrics query parameters → the typed MetricsInput of the metrics service.
 * Checked in the order the API has always reported them: the parameters' shapes,
 * the filter (400 {error, column}), the range, the bucket, the metric names, group_by.
 */
import { z } from 'zod';
import { parseBucket } from '../../lib/metrics/bucket';
import { ApiError } from '../http/errors';
import { filterParams } from '../http/params';
import { parseQuery } from '../http/query-params';
import { DEFAULT_TOP, type MetricsContext, type MetricsInput, metricSelection, metricsBucket, metricsFilter, metricsGroupBy, metricsRange } from './input';

/** The shared filter and range parameters (server/http/params.ts, capped as the grammar is), plus the chart's own. */
export const metricsQuerySchema = filterParams.extend({
  group_by: z.string().max(256).optional(),
  bucket: z.string().max(16).optional(),
  metrics: z.array(z.string().max(256)).max(16).default([]),
  top: z.coerce.number().int().min(1).max(100).default(DEFAULT_TOP),
  series: z.enum(['true', 'false', '1', '0']).optional(),
});

/** Parses and checks a query string; throws ApiError (400) naming the bad parameter. `nowMs` ends a range without `to`. */
export function parseMetricsParams(params: URLSearchParams, ctx: MetricsContext, nowMs: number = Date.now()): MetricsInput {
  const q = parseQuery(metricsQuerySchema, params, ['where', 'metrics']);
  const filter = metricsFilter(q.where, ctx);
  const range = metricsRange({ since: q.since, from: q.from, to: q.to }, nowMs);
  const requested = parseBucket(q.bucket);
  if (requested === undefined) throw new ApiError(400, `invalid bucket '${q.bucket}' (use auto, or a size such as 1m, 5m, 1h, 1d)`);
  const series = q.series !== 'false' && q.series !== '0';
  const bucket = metricsBucket(range, requested, series);
  return { filter, range, bucket, series, metrics: metricSelection(q.metrics), groupBy: metricsGroupBy(q.group_by), top: q.top };
}
