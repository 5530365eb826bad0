/**
 * GET /api/heatmap and GET /api/heatmap/differences: their parameters checked (a bad
 * one is a 400 naming it), the filter compiled and confined to the reader's tenant, the
 * queries of db/queries/heatmap.ts run, and the answers shaped (lib/query/heatmap.ts).
 *
 *   heatmap:      where (repeated, ANDed), since | from/to (default 24 h), field
 *                 (duration | ttft), step (auto, or 1m, 5m, …)
 *   differences:  the same, plus the brushed region selFrom/selTo (instants, as from/to)
 *                 and selMin/selMax (ms, optional), and limit (values, default 15)
 */
import { z } from 'zod';
import type { Db } from '../../db/client';
import { heatmapCells, selectionDifferences } from '../../db/queries/heatmap';
import { bucketGrid, formatBucket, parseBucket } from '../../lib/metrics/bucket';
import { type DifferencesResponse, HEATMAP_FIELDS, type HeatmapField, type HeatmapResponse } from '../../lib/query/heatmap';
import { parseInstant } from '../../lib/time-range';
import { ApiError } from '../http/errors';
import { timeRangeParams, whereParam } from '../http/params';
import { parseQuery } from '../http/query-params';
import { metricsBucket, metricsRange } from '../metrics/input';
import { traceFilterFromParams } from '../http/where-params';

export type HeatmapContext = { tenantKey: string; tenantScope: string | null };

const NS_PER_MS = 1_000_000n;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Requests read per side of a selection before sampling (bench/heatmap.ts measures the cost). */
export const DIFFERENCES_SAMPLE_CAP = 5_000;

const fieldParam = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const f = (v ?? 'duration').trim();
    if ((HEATMAP_FIELDS as readonly string[]).includes(f)) return f as HeatmapField;
    ctx.addIssue({ code: 'custom', message: `unknown field '${f}' (use ${HEATMAP_FIELDS.join(' or ')})` });
    return z.NEVER;
  });

const msParam = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      const n = Number(v);
      if (Number.isFinite(n) && n >= 0) return n;
      ctx.addIssue({ code: 'custom', message: `${name} must be a number of milliseconds ≥ 0 (got '${v}')` });
      return z.NEVER;
    });

const heatmapSchema = z.object({ where: whereParam, ...timeRangeParams, field: fieldParam, step: z.string().max(16).optional() });
const differencesSchema = z.object({
  where: whereParam,
  ...timeRangeParams,
  field: fieldParam,
  selFrom: z.string({ error: "missing 'selFrom' (the selection's start)" }),
  selTo: z.string({ error: "missing 'selTo' (the selection's end)" }),
  selMin: msParam('selMin'),
  selMax: msParam('selMax'),
  limit: z.coerce.number().int().min(1).max(100).default(15),
});

function filterAndRange(p: { where: string[]; since?: string; from?: string; to?: string }, ctx: HeatmapContext) {
  const filter = traceFilterFromParams(p.where, ctx.tenantKey, ctx.tenantScope);
  return { filter: filter.sql, range: metricsRange({ since: p.since, from: p.from, to: p.to }) };
}

export async function loadHeatmap(db: Pick<Db, 'rows'>, params: URLSearchParams, ctx: HeatmapContext): Promise<HeatmapResponse> {
  const started = performance.now();
  const p = parseQuery(heatmapSchema, params);
  const { filter, range } = filterAndRange(p, ctx);
  const requested = parseBucket(p.step);
  if (requested === undefined) throw new ApiError(400, `invalid step '${p.step}' (use auto, or a size such as 1m, 5m, 1h, 1d)`);
  const { ms } = metricsBucket(range, requested, true);
  const grid = bucketGrid(range.fromNs, range.toNs, ms);
  const cells = await heatmapCells(db, { field: p.field, filter, fromNs: range.fromNs, toNs: range.toNs, grid });
  return {
    field: p.field,
    range: { from: iso(range.fromNs), to: iso(range.toNs) },
    step: formatBucket(ms),
    stepMs: ms,
    originMs: Number(grid.originNs / NS_PER_MS),
    xCount: grid.count,
    cells: cells.map((c) => [c.x, c.y, c.count]),
    total: cells.reduce((sum, c) => sum + c.count, 0),
    queryMs: round1(performance.now() - started),
  };
}

function instant(name: string, text: string): bigint {
  const ns = parseInstant(text);
  if (ns === null) throw new ApiError(400, `invalid '${name}': ${text} (use ISO 8601 or epoch seconds, ms or ns)`);
  return ns;
}

export async function loadDifferences(db: Pick<Db, 'rows'>, params: URLSearchParams, ctx: HeatmapContext): Promise<DifferencesResponse> {
  const started = performance.now();
  const p = parseQuery(differencesSchema, params);
  const { filter, range } = filterAndRange(p, ctx);
  const selection = { fromNs: instant('selFrom', p.selFrom), toNs: instant('selTo', p.selTo), minMs: p.selMin, maxMs: p.selMax };
  if (selection.fromNs >= selection.toNs) throw new ApiError(400, "'selFrom' must be before 'selTo'");
  if (selection.minMs !== null && selection.maxMs !== null && selection.minMs >= selection.maxMs) throw new ApiError(400, "'selMin' must be below 'selMax'");
  const answer = await selectionDifferences(db, {
    field: p.field,
    filter,
    fromNs: range.fromNs,
    toNs: range.toNs,
    selection,
    limit: p.limit,
    sampleCap: DIFFERENCES_SAMPLE_CAP,
  });
  return {
    field: p.field,
    selection: { from: iso(selection.fromNs), to: iso(selection.toNs), minMs: selection.minMs, maxMs: selection.maxMs },
    range: { from: iso(range.fromNs), to: iso(range.toNs) },
    ...answer,
    queryMs: round1(performance.now() - started),
  };
}
