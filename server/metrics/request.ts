/**
 * The metrics service: a typed request (./input.ts) → one aggregation → the
 * GET /api/metrics response. The route handler parses the query string into that
 * input (./params.ts); the server-rendered chart pages (./dashboard.ts) build it
 * from their URL state and call this directly.
 */
import type { Db } from '../../db/client';
import { aggregateMetrics, seenKeys, unmappedLlmKeys } from '../../db/queries/metrics';
import { serverConfig } from '../config';
import { enrichSettings } from '../enrich-config';
import { serializeWhere } from '../../lib/where';
import { bucketBounds, formatBucket } from '../../lib/metrics/bucket';
import { rollupScope } from '../../db/queries/rollup-scope';
import { METRIC_NAMES, type MetricsBucket, type MetricsResponse } from '../../lib/metrics/types';
import { type MetricsContext, type MetricsInput, selectedMetrics } from './input';
import { addComputedCost } from './cost';
import { pricing } from '../pricing';

export type { MetricsContext, MetricsInput };

const NS_PER_MS = 1_000_000n;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();

/** Answers a metrics request. Throws only on database failures: the input is checked when it is built. */
export async function queryMetrics(db: Pick<Db, 'rows'>, input: MetricsInput, ctx: MetricsContext): Promise<MetricsResponse> {
  const { filter, series, groupBy, top } = input;
  const { fromNs, toNs } = input.range;
  const bucketMs = input.bucket.ms;
  const metrics = selectedMetrics(input.metrics);
  const started = performance.now();
  const config = serverConfig();
  const scope = rollupScope(filter.ast, ctx.tenantKey, ctx.tenantScope ?? null, input.metrics);
  const rollup = scope && { ...scope, minTraces: config.rollupMinTraces };
  const modelKeys = config.attributeMapping.llmModel;
  const result = await aggregateMetrics(db, {
    filter: filter.sql,
    fromNs,
    toNs,
    bucketMs,
    groupBy,
    top,
    metrics,
    series,
    tenantKey: ctx.tenantKey,
    modelKeys,
    rollup,
  });
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
  const response: MetricsResponse = {
    where: filter.ast ? serializeWhere(filter.ast) : null,
    range: { from: iso(fromNs), to: iso(toNs), fromNs: fromNs.toString(), toNs: toNs.toString() },
    bucket: { size: formatBucket(bucketMs), ms: bucketMs, auto: input.bucket.auto, count: series ? result.grid.count : 0 },
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
    queryMs: 0,
    source: result.source,
  };
  // Prices apply at query time: tokens × the price in force, for requests without a reported cost.
  if (result.metrics.has('cost')) {
    const rollupTenant = result.source === 'rollup' && rollup ? rollup.tenantId : undefined;
    await addComputedCost(db, response, { input, grid: result.grid, tenantKey: ctx.tenantKey, modelKeys, rollupTenant }, pricing(config));
  }
  response.queryMs = Math.round((performance.now() - started) * 10) / 10;
  return response;
}
