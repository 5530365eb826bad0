/**
 * The sessions service behind GET /api/sessions, GET /api/sessions/{id} and the
 * /sessions pages: the query parameters checked (`where` repeated, a time range — 24h
 * when none is given, so every read prunes partitions — `sort`, `limit`), the sessions
 * read (db/queries/sessions.ts), and every cost with its source (reported, computed
 * from the price book in force, or no price: counted, never $0).
 */
import { z } from 'zod';
import type { Db } from '../db/client';
import { type SessionRow, type TurnRow, listSessions, sessionTurns } from '../db/queries/sessions';
import { costFigure } from '../lib/pricing/cost';
import { breakdownSource, knownUsd } from '../lib/pricing/label';
import type { PriceBook } from '../lib/pricing/price-book';
import {
  type SessionCost,
  type SessionDetail,
  type SessionList,
  type SessionSort,
  type SessionSummary,
  type SessionTurn,
  formatSessionSort,
  parseSessionSort,
} from '../lib/sessions/types';
import { resolveTimeRange } from '../lib/time-range';
import { serializeWhere } from '../lib/where';
import type { WhereExpr } from '../lib/where/ast';
import type { SQL } from 'drizzle-orm';
import { ApiError } from './http/errors';
import { timeRangeParams, whereParam, limitParam } from './http/params';
import { parseQuery } from './http/query-params';
import { traceFilterFromParams } from './http/where-params';
import type { Pricing } from './pricing';

/** The range read when the request names none. */
export const DEFAULT_SESSIONS_SINCE = '24h';
export const MAX_SESSION_ID_LENGTH = 512;

const listSchema = z.object({ where: whereParam, ...timeRangeParams, sort: z.string().max(32).optional(), limit: limitParam(500, 100) });
const detailSchema = z.object({ where: whereParam, ...timeRangeParams, limit: limitParam(1000, 500) });

export type SessionsContext = { tenantKey: string; tenantScope: string | null; sessionKeys: readonly string[] };

type Filter = { ast: WhereExpr | null; sql: SQL | null };
export type SessionsInput = { filter: Filter; fromNs: bigint; toNs: bigint; sort: SessionSort; limit: number };
export type SessionInput = { filter: Filter; fromNs: bigint; toNs: bigint; sessionId: string; limit: number };

const NS_PER_MS = 1_000_000n;

function rangeOf(q: { since?: string; from?: string; to?: string }, nowMs: number): { fromNs: bigint; toNs: bigint } {
  const since = q.since ?? (q.from || q.to ? undefined : DEFAULT_SESSIONS_SINCE);
  const resolved = resolveTimeRange({ since, from: q.from, to: q.to }, nowMs);
  if (!resolved.ok) throw new ApiError(400, resolved.error);
  const toNs = resolved.range.toNs ?? BigInt(nowMs) * NS_PER_MS;
  // `to` alone: the day before it, so the read still has a lower bound.
  const fromNs = resolved.range.fromNs ?? toNs - 86_400_000n * NS_PER_MS;
  return { fromNs, toNs };
}

/** GET /api/sessions parameters; an ApiError (400) names the bad one. */
export function parseSessionsParams(params: URLSearchParams, ctx: SessionsContext, nowMs = Date.now()): SessionsInput {
  const q = parseQuery(listSchema, params);
  const sort = parseSessionSort(q.sort);
  if (!sort)
    throw new ApiError(400, `invalid sort '${q.sort}' (use session, tenant, user, first, last, turns, tokens, cost, errors or ttft, with '-' for descending)`);
  return { filter: traceFilterFromParams(q.where, ctx.tenantKey, ctx.tenantScope), ...rangeOf(q, nowMs), sort, limit: q.limit };
}

/** GET /api/sessions/{id} parameters; an ApiError (400) names the bad one. */
export function parseSessionParams(sessionId: string, params: URLSearchParams, ctx: SessionsContext, nowMs = Date.now()): SessionInput {
  if (sessionId.trim() === '' || sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new ApiError(400, `invalid session id (1 to ${MAX_SESSION_ID_LENGTH} characters)`);
  }
  const q = parseQuery(detailSchema, params);
  return { filter: traceFilterFromParams(q.where, ctx.tenantKey, ctx.tenantScope), ...rangeOf(q, nowMs), sessionId, limit: q.limit };
}

const isoOf = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();
const rangeOut = (i: { fromNs: bigint; toNs: bigint }) => ({ from: isoOf(i.fromNs), to: isoOf(i.toNs) });

function sessionCost(r: SessionRow): SessionCost {
  const parts = { reportedUsd: r.reportedUsd, computedUsd: r.computedUsd, unpricedRequests: r.unpriced };
  return { ...parts, usd: knownUsd(parts), source: breakdownSource(parts) };
}

function summaryOf(r: SessionRow): SessionSummary {
  return {
    sessionId: r.sessionId,
    tenantId: r.tenantId,
    users: r.users,
    firstSeen: isoOf(r.firstNs),
    lastSeen: isoOf(r.lastNs),
    firstSeenUnixNano: r.firstNs.toString(),
    lastSeenUnixNano: r.lastNs.toString(),
    turns: r.turns,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cost: sessionCost(r),
    errors: r.errors,
    ttftP95Ms: r.ttftP95Ms,
  };
}

function turnOf(r: TurnRow, book: PriceBook): SessionTurn {
  const usage = {
    input: r.inputTokens,
    output: r.outputTokens,
    cachedInput: r.cachedTokens,
    cacheCreation: r.cacheCreationTokens,
    reasoning: r.reasoningTokens,
  };
  return {
    traceId: r.traceId,
    tenantId: r.tenantId,
    startTimeUnixNano: r.startNs.toString(),
    endTimeUnixNano: (r.startNs + r.durationNs).toString(),
    rootName: r.rootName,
    model: r.model,
    route: r.route,
    latencyMs: Number(r.durationNs) / 1e6,
    ttftMs: r.ttftMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cost: costFigure({ reported: r.reportedUsd, usage, model: r.model, atMs: Number(r.startNs / NS_PER_MS) }, book),
    statusCode: r.statusCode,
    error: r.errorCount > 0 || (r.statusCode ?? 0) >= 400,
    userMessage: r.preview,
    userId: r.userId,
  };
}

/** The session list. Throws only on database failures. */
export async function sessionList(db: Pick<Db, 'rows'>, input: SessionsInput, ctx: SessionsContext, prices: Pricing): Promise<SessionList> {
  const rows = await listSessions(
    db,
    { filter: input.filter.sql, fromNs: input.fromNs, toNs: input.toNs, keys: ctx.sessionKeys, sort: input.sort, limit: input.limit },
    prices.book,
  );
  return {
    sessions: rows.slice(0, input.limit).map(summaryOf),
    sessionKeys: [...ctx.sessionKeys],
    sort: formatSessionSort(input.sort),
    where: input.filter.ast ? serializeWhere(input.filter.ast) : null,
    range: rangeOut(input),
    truncated: rows.length > input.limit,
  };
}

/** One session's turns, oldest first, and its summary per tenant; null when no turn is in range. */
export async function sessionDetail(db: Pick<Db, 'rows'>, input: SessionInput, ctx: SessionsContext, prices: Pricing): Promise<SessionDetail | null> {
  const q = { filter: input.filter.sql, fromNs: input.fromNs, toNs: input.toNs, keys: ctx.sessionKeys, sessionId: input.sessionId };
  const [summaries, turns] = await Promise.all([
    listSessions(db, { ...q, sort: { key: 'last', direction: 'desc' }, limit: 100 }, prices.book),
    sessionTurns(db, { ...q, limit: input.limit }),
  ]);
  if (turns.length === 0) return null;
  return {
    sessionId: input.sessionId,
    sessionKeys: [...ctx.sessionKeys],
    range: rangeOut(input),
    summaries: summaries.map(summaryOf),
    turns: turns.slice(0, input.limit).map((t) => turnOf(t, prices.book)),
    truncated: turns.length > input.limit,
  };
}
