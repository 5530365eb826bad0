/**
 * GET /api/metrics parameters → one aggregation → the response JSON. Shared by
 * the route handler and the server-rendered chart pages, so both answer the same
 * URL the same way (and fail the same way: ApiError → 400 {error, column}).
 */
import { z } from 'zod';
import type { Db } from '../../db/client';
import { queryMetrics, seenKeys, unmappedLlmKeys } from '../../db/queries/metrics';
import { serverConfig } from '../config';
import { enrichSettings } from '../enrich-config';
import { ApiError } from '../http/errors';
import { parseQuery, rangeFromParams } from '../http/query-params';
import { traceFilterFromParams } from '../http/where-params';
import { isIntrinsicName, serializeWhere } from '../../lib/where';
import { isFilterableKey } from '../../lib/where/edit';
import { MAX_POINTS, bucketBounds, chooseBucketMs, formatBucket, parseBucket } from '../../lib/metrics/bucket';
import { rollupScope } from '../../db/queries/rollup-scope';
import { METRIC_NAMES, type MetricName, type MetricsBucket, type MetricsResponse } from '../../lib/metrics/types';

/** Range used when the request names no start. */
export const DEFAULT_METRICS_SINCE = '24h';
export const DEFAULT_TOP = 10;
const NS_PER_MS = 1_000_000n;
const DEFAULT_WINDOW_NS = 86_400_000n * NS_PER_MS;

export const metricsQuerySchema = z.object({
  // No length cap here: the where parser refuses past MAX_FILTER_LENGTH with the column.
  where: z.array(z.string()).max(32).default([]),
  since: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  group_by: z.string().max(256).optional(),
  bucket: z.string().max(16).optional(),
  metrics: z.array(z.string().max(256)).max(16).default([]),
  top: z.coerce.number().int().min(1).max(100).default(DEFAULT_TOP),
  series: z.enum(['true', 'false', '1', '0']).optional(),
});

export function parseMetricNames(values: string[]): Set<MetricName> {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (names.length === 0 || names.includes('all')) return new Set(METRIC_NAMES);
  const out = new Set<MetricName>(['requests']);
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) {
      throw new ApiError(400, `unknown metric '${name}' (use ${METRIC_NAMES.join(', ')})`);
    }
    out.add(name as MetricName);
  }
  return out;
}

function checkGroupBy(key: string | undefined): string | null {
  const k = key?.trim() ?? '';
  if (k === '') return null;
  if (!isFilterableKey(k) || isIntrinsicName(k)) {
    throw new ApiError(400, `invalid group_by '${k}': expected an attribute key (letters, digits, _ . : -), not an intrinsic field`);
  }
  return k;
}

const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();

export type MetricsContext = {
  tenantKey: string;
  nowMs?: number;
  /** A tenant-scoped reader's tenant (server/auth): every aggregate is confined to it. */
  tenantScope?: string | null;
};

/** Answers a metrics request given as query parameters. Throws ApiError (400) on bad input. */
export async function metricsFromParams(db: Pick<Db, 'rows'>, params: URLSearchParams, ctx: MetricsContext): Promise<MetricsResponse> {
  const q = parseQuery(metricsQuerySchema, params, ['where', 'metrics']);
  const filter = traceFilterFromParams(q.where, ctx.tenantKey, ctx.tenantScope ?? null);
  const range = rangeFromParams({ since: q.since, from: q.from, to: q.to });
  const nowNs = BigInt(Math.round(ctx.nowMs ?? Date.now())) * NS_PER_MS;
  const toNs = range.toNs ?? nowNs;
  // Without a start, the DEFAULT_METRICS_SINCE window ending at `to` (or now).
  const fromNs = range.fromNs ?? toNs - DEFAULT_WINDOW_NS;
  if (fromNs >= toNs) throw new ApiError(400, "'from' must be before 'to'");

  const requested = parseBucket(q.bucket);
  if (requested === undefined) throw new ApiError(400, `invalid bucket '${q.bucket}' (use auto, or a size such as 1m, 5m, 1h, 1d)`);
  const bucketMs = chooseBucketMs(requested, fromNs, toNs);
  const series = q.series !== 'false' && q.series !== '0';
  const points = Number((toNs - fromNs) / (BigInt(bucketMs) * NS_PER_MS)) + 1;
  if (series && points > MAX_POINTS) {
    throw new ApiError(400, `bucket ${formatBucket(bucketMs)} gives about ${points} points over this range (at most ${MAX_POINTS}); use a larger bucket or auto`);
  }
  const metrics = parseMetricNames(q.metrics);
  const groupBy = checkGroupBy(q.group_by);

  const started = performance.now();
  const config = serverConfig();
  const scope = rollupScope(filter.ast, ctx.tenantKey, ctx.tenantScope ?? null, q.metrics);
  const rollup = scope && { ...scope, minTraces: config.rollupMinTraces };
  const modelKeys = config.attributeMapping.llmModel;
  const result = await queryMetrics(db, { filter: filter.sql, fromNs, toNs, bucketMs, groupBy, top: q.top, metrics, series, tenantKey: ctx.tenantKey, modelKeys, rollup });
  const queryMs = performance.now() - started;

  const buckets: MetricsBucket[] = [];
  if (series) {
    for (let i = 0; i < result.grid.count; i++) {
      const b = bucketBounds(result.grid, i, { fromNs, toNs });
      buckets.push({ start: iso(b.fromNs), end: iso(b.toNs), startMs: Number(b.fromNs / NS_PER_MS), endMs: Number(b.toNs / NS_PER_MS) });
    }
  }
  const { coverage } = result;
  const lacking = coverage.requests > 0 && (coverage.withModel === 0 || coverage.withTokens === 0 || coverage.withCost === 0);
  const groupByInfo = result.groupBy ? { ...result.groupBy, drillKeys: await seenKeys(db, result.groupBy.drillKeys) } : null;
  const sampled = result.sampling.weightedRequests > 0;
  const sampling = enrichSettings(config).sampling;
  return {
    where: filter.ast ? serializeWhere(filter.ast) : null,
    range: { from: iso(fromNs), to: iso(toNs), fromNs: fromNs.toString(), toNs: toNs.toString() },
    bucket: { size: formatBucket(bucketMs), ms: bucketMs, auto: requested === null, count: series ? result.grid.count : 0 },
    metrics: METRIC_NAMES.filter((m) => result.metrics.has(m)),
    groupBy: groupByInfo,
    buckets,
    totals: result.totals,
    ...(result.series ? { series: result.series } : {}),
    groups: result.groups,
    // The candidates come from the global key catalog: not shown to a tenant-scoped reader.
    coverage: { ...coverage, unmappedCandidates: lacking && !ctx.tenantScope ? await unmappedLlmKeys(db, config.attributeMapping) : [] },
    sampling: {
      sampled,
      ...result.sampling,
      setting: sampling.setting,
      configError: sampling.error,
      note: sampled
        ? 'Estimated totals (≈) weight each stored request by its sampling adjusted count (tracestate ot=th, or TRACEDECK_SAMPLING); raw counts are what was stored.'
        : 'No sampling in this range: every request was stored, so estimates equal the raw counts.',
    },
    queryMs: Math.round(queryMs * 10) / 10,
    source: result.source,
  };
}
