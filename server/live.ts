/**
 * The live traffic service behind GET /api/live (which /live polls and `tracedeck obs`
 * reads): the query parameters checked (`where` repeated, `since` up to 24h, `recent`),
 * the window's aggregates and newest requests read (db/queries/live.ts), and every cost
 * priced now with its source (reported, computed from the price book in force, or no
 * price: counted and named, never $0).
 */
import { z } from 'zod';
import type { Db } from '../db/client';
import { costRows } from '../db/queries/cost';
import { summariesCaughtUp } from '../db/summarizer';
import { type LiveAggRow, type LiveCallRow, liveAggregates, liveCalls } from '../db/queries/live';
import { tokensPerSecond } from '../lib/live/format';
import type { LiveCall, LiveCost, LiveModelRow, LiveRouteRow, LiveSnapshot, Percentiles } from '../lib/live/types';
import { parseLiveSince } from '../lib/live/window';
import { costFigure } from '../lib/pricing/cost';
import { breakdownSource, knownUsd, unpricedNote } from '../lib/pricing/label';
import type { PriceBook } from '../lib/pricing/price-book';
import { serializeWhere } from '../lib/where';
import type { WhereExpr } from '../lib/where/ast';
import type { SQL } from 'drizzle-orm';
import { ApiError } from './http/errors';
import { whereParam } from './http/params';
import { parseQuery } from './http/query-params';
import { traceFilterFromParams } from './http/where-params';
import type { Pricing } from './pricing';

export const DEFAULT_RECENT = 15;

const liveQuerySchema = z.object({
  where: whereParam,
  since: z.string().max(32).optional(),
  recent: z.coerce.number().int().min(1).max(100).default(DEFAULT_RECENT),
});

export type LiveInput = { filter: { ast: WhereExpr | null; sql: SQL | null }; since: string; fromNs: bigint; toNs: bigint; recent: number };
export type LiveContext = { tenantKey: string; tenantScope: string | null };

const NS_PER_MS = 1_000_000n;

/** Query string → LiveInput; an ApiError (400) names the bad parameter. `nowMs` ends the window. */
export function parseLiveParams(params: URLSearchParams, ctx: LiveContext, nowMs: number = Date.now()): LiveInput {
  const q = parseQuery(liveQuerySchema, params);
  const window = parseLiveSince(q.since);
  if (!window.ok) throw new ApiError(400, window.error);
  const filter = traceFilterFromParams(q.where, ctx.tenantKey, ctx.tenantScope);
  const toNs = BigInt(nowMs) * NS_PER_MS;
  return { filter, since: window.since, fromNs: toNs - BigInt(window.ms) * NS_PER_MS, toNs, recent: q.recent };
}

/** Reads and prices the window. Throws only on database failures. */
export async function liveSnapshot(db: Pick<Db, 'rows'>, input: LiveInput, ctx: LiveContext, prices: Pricing): Promise<LiveSnapshot> {
  const started = performance.now();
  const q = { filter: input.filter.sql, fromNs: input.fromNs, toNs: input.toNs, tenantKey: ctx.tenantKey };
  // Every statement below reads the same summaries: wait for this server's own writes once, first.
  await summariesCaughtUp(db);
  const [aggs, recent, failed, computed] = await Promise.all([
    liveAggregates(db, q),
    liveCalls(db, q, { limit: input.recent }),
    liveCalls(db, q, { limit: 1, failed: true }),
    costRows(db, { ...q, group: null, keys: [], grid: null, bucketMs: 60_000 }, prices.book),
  ]);
  const computedByModel = new Map(computed.map((r) => [r.model, r]));
  const modelCost = (model: string | null, reported: number | null): LiveCost => {
    const c = computedByModel.get(model);
    return liveCost(reported, c?.computed ?? null, c?.unpriced ?? 0);
  };
  const total = aggs.find((a) => a.grouping === 'total') ?? emptyTotal();
  const totalCost = liveCost(
    total.reportedCostUsd,
    computed.reduce<number | null>((s, r) => (r.computed === null ? s : (s ?? 0) + r.computed), null),
    computed.reduce((s, r) => s + r.unpriced, 0),
  );
  const unpriced = computed
    .filter((r) => r.unpriced > 0)
    .map((r) => ({ model: r.model, requests: r.unpriced }))
    .sort((a, b) => b.requests - a.requests);
  totalCost.unpriced = unpriced;
  const fromMs = Number(input.fromNs / NS_PER_MS);
  const toMs = Number(input.toNs / NS_PER_MS);
  return {
    where: input.filter.ast ? serializeWhere(input.filter.ast) : null,
    window: {
      since: input.since,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      fromNs: input.fromNs.toString(),
      toNs: input.toNs.toString(),
    },
    totals: {
      ...errorCounts(total),
      requests: total.requests,
      inputTokens: total.inputTokens,
      outputTokens: total.outputTokens,
      cachedTokens: total.cachedTokens,
      cacheCreationTokens: total.cacheCreationTokens,
      cacheHits: total.cacheHits,
      cacheHitShare: total.requests > 0 ? total.cacheHits / total.requests : null,
      fallbacks: total.fallbacks,
      latencyMs: percentiles(total.latencyMs),
      ttftMs: percentiles(total.ttftMs),
      tokensPerSecond: total.tokensPerSecond,
      sessions: total.sessions,
      cost: totalCost,
    },
    recent: recent.map((r) => liveCall(r, prices.book)),
    lastError: failed[0] ? liveCall(failed[0], prices.book) : null,
    models: modelRows(aggs, modelCost),
    routes: routeRows(aggs, total.requests),
    strategies: aggs
      .filter((a) => a.grouping === 'strategy')
      .map((a) => ({ strategy: a.strategy, requests: a.requests, fallbacks: a.fallbacks, share: share(a.requests, total.requests) }))
      .sort((a, b) => b.requests - a.requests || nullsLast(a.strategy, b.strategy)),
    unpricedNote: unpricedNote(unpriced, totalCost.unpricedRequests),
    pricesError: prices.error,
    queryMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

function emptyTotal(): LiveAggRow {
  return {
    grouping: 'total',
    model: null,
    route: null,
    strategy: null,
    requests: 0,
    errors4xx: 0,
    errors5xx: 0,
    errorsOther: 0,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    cacheCreationTokens: null,
    cacheHits: 0,
    fallbacks: 0,
    latencyMs: [null, null, null],
    ttftMs: [null, null, null],
    tokensPerSecond: null,
    reportedCostUsd: null,
    sessions: 0,
  };
}

const share = (n: number, of: number) => (of > 0 ? n / of : 0);
const nullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a.localeCompare(b));
const percentiles = (p: (number | null)[]): Percentiles => ({ p50: p[0] ?? null, p95: p[1] ?? null, p99: p[2] ?? null });
const errorCounts = (a: LiveAggRow) => ({
  errors: a.errors4xx + a.errors5xx + a.errorsOther,
  errors4xx: a.errors4xx,
  errors5xx: a.errors5xx,
  errorsOther: a.errorsOther,
});

function liveCost(reportedUsd: number | null, computedUsd: number | null, unpricedRequests: number): LiveCost {
  const parts = { reportedUsd, computedUsd, unpricedRequests };
  return { ...parts, unpriced: [], usd: knownUsd(parts), source: breakdownSource(parts) };
}

/** By model, most expensive first (planoai's order), then most requests. */
function modelRows(aggs: readonly LiveAggRow[], costOf: (model: string | null, reported: number | null) => LiveCost): LiveModelRow[] {
  return aggs
    .filter((a) => a.grouping === 'model')
    .map((a) => ({
      ...errorCounts(a),
      model: a.model,
      requests: a.requests,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens,
      cachedTokens: a.cachedTokens,
      cacheCreationTokens: a.cacheCreationTokens,
      cacheHits: a.cacheHits,
      fallbacks: a.fallbacks,
      latencyMs: percentiles(a.latencyMs),
      ttftMs: percentiles(a.ttftMs),
      tokensPerSecond: a.tokensPerSecond,
      cost: costOf(a.model, a.reportedCostUsd),
    }))
    .sort((a, b) => (b.cost.usd ?? -1) - (a.cost.usd ?? -1) || b.requests - a.requests || nullsLast(a.model, b.model));
}

/** Route share, most hits first, each with its strategies and fallbacks; requests without a route last. */
function routeRows(aggs: readonly LiveAggRow[], totalRequests: number): LiveRouteRow[] {
  const strategies = aggs.filter((a) => a.grouping === 'route-strategy');
  return aggs
    .filter((a) => a.grouping === 'route')
    .map((a) => ({
      ...errorCounts(a),
      route: a.route,
      requests: a.requests,
      share: share(a.requests, totalRequests),
      latencyP95Ms: a.latencyMs[1] ?? null,
      fallbacks: a.fallbacks,
      strategies: strategies
        .filter((s) => s.route === a.route)
        .map((s) => ({ strategy: s.strategy, requests: s.requests, fallbacks: s.fallbacks }))
        .sort((x, y) => y.requests - x.requests || nullsLast(x.strategy, y.strategy)),
    }))
    .sort((a, b) => Number(a.route === null) - Number(b.route === null) || b.requests - a.requests || nullsLast(a.route, b.route));
}

function liveCall(r: LiveCallRow, book: PriceBook): LiveCall {
  const atMs = Number(r.startNs / NS_PER_MS);
  return {
    traceId: r.traceId,
    tenantId: r.tenantId,
    startTimeUnixNano: r.startNs.toString(),
    model: r.model,
    requestedModel: r.requestedModel,
    route: r.route,
    strategy: r.strategy,
    fallback: r.fallback,
    cacheHit: r.cacheHit,
    streaming: r.streaming === null ? null : r.streaming === 'true',
    statusCode: r.statusCode,
    error: r.errorCount > 0 || (r.statusCode ?? 0) >= 400,
    errorMessage: r.errorMessage,
    sessionId: r.sessionId,
    userId: r.userId,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedTokens: r.cachedTokens,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    tokensPerSecond: tokensPerSecond(r.outputTokens, r.latencyMs, r.ttftMs),
    cost: costFigure(
      {
        reported: r.totalCostUsd,
        usage: {
          input: r.inputTokens,
          output: r.outputTokens,
          cachedInput: r.cachedTokens,
          cacheCreation: r.cacheCreationTokens,
          reasoning: r.reasoningTokens,
        },
        model: r.model,
        atMs,
      },
      book,
    ),
  };
}
