/**
 * Live traffic over a short window (GET /api/live, /live, `tracedeck obs`): the aggregates
 * of the requests (= traces) that started in it, by model, route and routing strategy, and
 * the newest requests. Everything reads `traces` with its time range, so only the window's
 * daily partitions are touched: the promoted columns (model, status, tokens, reported cost,
 * TTFT, session) and the duration carry most figures; the route, routing strategy,
 * fallback flag and cache flag come from the trace's attribute set (no span
 * is read). Computed cost comes from db/queries/cost.ts (prices applied at query time).
 *
 * One statement with GROUPING SETS for the totals and the three groupings (percentile_cont
 * is exact: the window is small), one ordered probe for the newest requests, one for the
 * newest failing request.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { summariesCaughtUp } from '../summarizer';
import { timeRangeCondition } from './list-traces';
import { setText, traceCondition } from './trace-set';

/** Plano's keys (crates/brightstaff/src/tracing/constants.rs; `model.requested` as planoai obs reads it). */
export const LIVE_KEYS = {
  route: 'plano.route.name',
  strategy: 'routing.strategy',
  requestedModel: 'model.requested',
  streaming: 'llm.is_streaming',
  errorMessage: 'error.message',
} as const;

/** A fallback endpoint served the request. */
export const FALLBACK_WHERE = 'routing.is_fallback=true';
/** A prompt-cache hit: Plano's warm-cache flag, or cached input tokens reported. */
export const CACHE_HIT_WHERE = 'plano.cache.warm=true OR llm.usage.cached_input_tokens>0';

export type LiveQuery = { filter: SQL | null; fromNs: bigint; toNs: bigint; tenantKey?: string };

type Num = bigint | number | string | null;

/** One aggregate row: `grouping` says which set it belongs to. */
export type LiveAggRow = {
  grouping: 'total' | 'model' | 'route' | 'strategy' | 'route-strategy';
  model: string | null;
  route: string | null;
  strategy: string | null;
  requests: number;
  errors4xx: number;
  errors5xx: number;
  errorsOther: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  cacheCreationTokens: number | null;
  cacheHits: number;
  fallbacks: number;
  latencyMs: (number | null)[];
  ttftMs: (number | null)[];
  tokensPerSecond: number | null;
  reportedCostUsd: number | null;
  sessions: number;
};

/** One request's row as the recent list and the last error show it. */
export type LiveCallRow = {
  traceId: string;
  tenantId: string;
  startNs: bigint;
  latencyMs: number;
  model: string | null;
  statusCode: number | null;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  totalCostUsd: number | null;
  ttftMs: number | null;
  sessionId: string | null;
  userId: string | null;
  cachedTokens: number | null;
  cacheCreationTokens: number | null;
  reasoningTokens: number | null;
  route: string | null;
  strategy: string | null;
  requestedModel: string | null;
  streaming: string | null;
  errorMessage: string | null;
  fallback: boolean;
  cacheHit: boolean;
};

const PERCENTILES = sql.raw('ARRAY[0.5, 0.95, 0.99]::float8[]');
/** Requests that failed: an error span, or an HTTP status ≥ 400 (planoai counts 4xx too). */
const FAILED = sql`(t.error_count > 0 OR t.http_status_code >= 400)`;

const where = (q: LiveQuery, extra: SQL | null = null) =>
  sql.join([timeRangeCondition(q, sql`t.start_ns`), q.filter ?? sql`true`, ...(extra ? [extra] : [])], sql` AND `);

/** Totals, and the requests by model, by route, by strategy and by route × strategy. */
export async function liveAggregates(db: Pick<Db, 'rows'>, q: LiveQuery): Promise<LiveAggRow[]> {
  await summariesCaughtUp(db);
  const rows = await db.rows<Record<string, unknown>>(sql`
    WITH w AS MATERIALIZED (
      SELECT t.llm_model AS model, t.session_id, t.duration_ns / 1e6 AS latency_ms, t.ttft_ms, t.http_status_code AS status,
        t.error_count, t.prompt_tokens, t.completion_tokens, t.cost_usd,
        t.cached_input_tokens AS cached, t.cache_creation_tokens AS creation,
        ${setText(LIVE_KEYS.route)} AS route, ${setText(LIVE_KEYS.strategy)} AS strategy,
        ${traceCondition(FALLBACK_WHERE, q.tenantKey)} AS fallback, ${traceCondition(CACHE_HIT_WHERE, q.tenantKey)} AS cache_hit
      FROM traces t WHERE ${where(q)}
    ),
    x AS (
      SELECT w.*,
        CASE WHEN w.completion_tokens > 0 AND w.latency_ms - COALESCE(w.ttft_ms, 0) > 0
          THEN w.completion_tokens * 1000.0 / (w.latency_ms - COALESCE(w.ttft_ms, 0)) END AS tps
      FROM w
    )
    SELECT GROUPING(x.model) AS g_model, GROUPING(x.route) AS g_route, GROUPING(x.strategy) AS g_strategy,
      x.model, x.route, x.strategy, count(*) AS requests,
      count(*) FILTER (WHERE x.status >= 400 AND x.status < 500) AS e4xx,
      count(*) FILTER (WHERE x.status >= 500) AS e5xx,
      count(*) FILTER (WHERE x.error_count > 0 AND (x.status IS NULL OR x.status < 400)) AS eother,
      sum(x.prompt_tokens) AS input, sum(x.completion_tokens) AS output, sum(x.cached) AS cached, sum(x.creation) AS creation,
      count(*) FILTER (WHERE x.cache_hit) AS cache_hits, count(*) FILTER (WHERE x.fallback) AS fallbacks,
      percentile_cont(${PERCENTILES}) WITHIN GROUP (ORDER BY x.latency_ms) AS latency,
      percentile_cont(${PERCENTILES}) WITHIN GROUP (ORDER BY x.ttft_ms) AS ttft,
      avg(x.tps) AS tps, sum(x.cost_usd) AS reported, count(DISTINCT x.session_id) AS sessions
    FROM x
    GROUP BY GROUPING SETS ((), (x.model), (x.route), (x.strategy), (x.route, x.strategy))`);
  return rows.map(aggRow);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v as Num));
const int = (v: unknown): number => Number((v ?? 0) as Num);

/** A float8[] from either driver (an array, or the '{1,2}' text form). */
function floats(v: unknown): (number | null)[] {
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : Number(x)));
  if (typeof v === 'string' && v.startsWith('{'))
    return v
      .slice(1, -1)
      .split(',')
      .map((x) => (x === 'NULL' || x === '' ? null : Number(x)));
  return [null, null, null];
}

function groupingOf(r: Record<string, unknown>): LiveAggRow['grouping'] {
  const [m, ro, s] = [int(r.g_model), int(r.g_route), int(r.g_strategy)];
  if (m && ro && s) return 'total';
  if (!m) return 'model';
  if (!ro && !s) return 'route-strategy';
  return ro ? 'strategy' : 'route';
}

function aggRow(r: Record<string, unknown>): LiveAggRow {
  return {
    grouping: groupingOf(r),
    model: (r.model as string | null) ?? null,
    route: (r.route as string | null) ?? null,
    strategy: (r.strategy as string | null) ?? null,
    requests: int(r.requests),
    errors4xx: int(r.e4xx),
    errors5xx: int(r.e5xx),
    errorsOther: int(r.eother),
    inputTokens: num(r.input),
    outputTokens: num(r.output),
    cachedTokens: num(r.cached),
    cacheCreationTokens: num(r.creation),
    cacheHits: int(r.cache_hits),
    fallbacks: int(r.fallbacks),
    latencyMs: floats(r.latency),
    ttftMs: floats(r.ttft),
    tokensPerSecond: num(r.tps),
    reportedCostUsd: num(r.reported),
    sessions: int(r.sessions),
  };
}

/** The newest `limit` requests of the window (only failed ones with `failed`), newest first. */
export async function liveCalls(db: Pick<Db, 'rows'>, q: LiveQuery, { limit, failed = false }: { limit: number; failed?: boolean }): Promise<LiveCallRow[]> {
  await summariesCaughtUp(db);
  // DESC NULLS LAST as traces_start_idx is built, so the newest are read in index order.
  const rows = await db.rows<Record<string, unknown>>(sql`
    SELECT t.trace_id, t.tenant_id, t.start_ns, t.duration_ns, t.llm_model, t.http_status_code, t.error_count,
      t.prompt_tokens, t.completion_tokens, t.cost_usd, t.ttft_ms, t.session_id, t.user_id,
      t.cached_input_tokens AS cached, t.cache_creation_tokens AS creation,
      t.reasoning_tokens AS reasoning,
      ${setText(LIVE_KEYS.route)} AS route, ${setText(LIVE_KEYS.strategy)} AS strategy, ${setText(LIVE_KEYS.requestedModel)} AS requested,
      ${setText(LIVE_KEYS.streaming)} AS streaming, ${setText(LIVE_KEYS.errorMessage)} AS error_message,
      ${traceCondition(FALLBACK_WHERE, q.tenantKey)} AS fallback, ${traceCondition(CACHE_HIT_WHERE, q.tenantKey)} AS cache_hit
    FROM traces t
    WHERE ${where(q, failed ? FAILED : null)}
    ORDER BY t.start_ns DESC NULLS LAST, t.trace_id DESC NULLS LAST, t.tenant_id DESC NULLS LAST
    LIMIT ${limit}`);
  return rows.map((r) => ({
    traceId: String(r.trace_id),
    tenantId: String(r.tenant_id),
    startNs: BigInt(r.start_ns as Num as bigint),
    latencyMs: Number(BigInt(r.duration_ns as Num as bigint)) / 1e6,
    model: (r.llm_model as string | null) ?? null,
    statusCode: num(r.http_status_code),
    errorCount: int(r.error_count),
    inputTokens: num(r.prompt_tokens),
    outputTokens: num(r.completion_tokens),
    totalCostUsd: num(r.cost_usd),
    ttftMs: num(r.ttft_ms),
    sessionId: (r.session_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    cachedTokens: num(r.cached),
    cacheCreationTokens: num(r.creation),
    reasoningTokens: num(r.reasoning),
    route: (r.route as string | null) ?? null,
    strategy: (r.strategy as string | null) ?? null,
    requestedModel: (r.requested as string | null) ?? null,
    streaming: (r.streaming as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    fallback: r.fallback === true || r.fallback === 't',
    cacheHit: r.cache_hit === true || r.cache_hit === 't',
  }));
}
