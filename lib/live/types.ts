/**
 * The live traffic snapshot: what GET /api/live answers, /live draws and `tracedeck obs`
 * prints. One request is one trace (what the gateway's caller saw); its figures come from
 * the trace summary (model, status, tokens, TTFT, latency, cost) and its attribute set
 * (route, routing strategy, fallback, cache, requested model). Pure data.
 */
import type { CostBreakdown } from '../pricing/label';
import type { CostFigure } from '../pricing/types';

/** Latency or TTFT percentiles in milliseconds (null: no request carried the figure). */
export type Percentiles = { p50: number | null; p95: number | null; p99: number | null };

/** One request, as the latest-call panel, the recent list and the last-error banner show it. */
export type LiveCall = {
  traceId: string;
  tenantId: string;
  startTimeUnixNano: string;
  model: string | null;
  /** What the client asked for (`model.requested`), when it differs from nothing. */
  requestedModel: string | null;
  /** Plano's matched route (`plano.route.name`). */
  route: string | null;
  /** `routing.strategy`. */
  strategy: string | null;
  /** A fallback endpoint served it (`routing.is_fallback`). */
  fallback: boolean;
  /** Prompt cache hit (`plano.cache.warm`, or cached input tokens). */
  cacheHit: boolean;
  /** `llm.is_streaming`; null when not said. */
  streaming: boolean | null;
  statusCode: number | null;
  /** An error span, or an HTTP status ≥ 400. */
  error: boolean;
  errorMessage: string | null;
  sessionId: string | null;
  userId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  latencyMs: number;
  ttftMs: number | null;
  /** Output tokens per second after the first token. */
  tokensPerSecond: number | null;
  /** The cost with its source (reported, computed now, or unknown), null without tokens or cost. */
  cost: CostFigure | null;
};

/** Request and error counts; errors split by HTTP class, `other` = error spans without a 4xx/5xx status. */
export type ErrorCounts = { errors: number; errors4xx: number; errors5xx: number; errorsOther: number };

/** The cost of many requests: reported, computed, known (their sum), its source, and the requests without a price. */
export type LiveCost = CostBreakdown & { usd: number | null; source: string | null };

export type LiveTotals = ErrorCounts & {
  requests: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  cacheCreationTokens: number | null;
  /** Requests with a prompt cache hit, and their share of requests. */
  cacheHits: number;
  cacheHitShare: number | null;
  fallbacks: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  /** Mean output tokens per second over the requests that have one. */
  tokensPerSecond: number | null;
  sessions: number;
  cost: LiveCost;
};

export type LiveModelRow = ErrorCounts & {
  model: string | null;
  requests: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  cacheCreationTokens: number | null;
  cacheHits: number;
  fallbacks: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  tokensPerSecond: number | null;
  cost: LiveCost;
};

/** Requests per routing strategy, and how many of them a fallback served. */
export type StrategyCount = { strategy: string | null; requests: number; fallbacks: number };

export type LiveRouteRow = ErrorCounts & {
  /** null: requests without a route (the client named a model). */
  route: string | null;
  requests: number;
  /** Of all requests in the window. */
  share: number;
  latencyP95Ms: number | null;
  fallbacks: number;
  strategies: StrategyCount[];
};

export type LiveSnapshot = {
  where: string | null;
  window: { since: string; from: string; to: string; fromNs: string; toNs: string };
  totals: LiveTotals;
  /** Newest first (the first is the latest call). */
  recent: LiveCall[];
  lastError: LiveCall | null;
  models: LiveModelRow[];
  routes: LiveRouteRow[];
  strategies: (StrategyCount & { share: number })[];
  /** "12 requests of `my-finetune` have no price", null when every request is priced. */
  unpricedNote: string | null;
  pricesError: string | null;
  queryMs: number;
};
