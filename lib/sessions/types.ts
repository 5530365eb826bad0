/**
 * Sessions as the API answers them (GET /api/sessions, GET /api/sessions/{id}) and the
 * pages show them. A session is every trace (turn) of one tenant whose session key — the
 * first of TRACEDECK_SESSION_KEYS any of its spans carries — has the same value.
 */
import type { CostFigure } from '../pricing/types';

/** Columns the session list sorts by (`sort=-last` is the default: most recent first). */
export const SESSION_SORT_KEYS = ['session', 'tenant', 'user', 'first', 'last', 'turns', 'tokens', 'cost', 'errors', 'ttft'] as const;
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number];
export type SessionSort = { key: SessionSortKey; direction: 'asc' | 'desc' };
export const DEFAULT_SESSION_SORT: SessionSort = { key: 'last', direction: 'desc' };

/** `last`, `-cost` → a sort; null when the key is unknown. */
export function parseSessionSort(text: string | null | undefined): SessionSort | null {
  if (text === null || text === undefined || text === '') return DEFAULT_SESSION_SORT;
  const desc = text.startsWith('-');
  const key = (desc ? text.slice(1) : text) as SessionSortKey;
  return SESSION_SORT_KEYS.includes(key) ? { key, direction: desc ? 'desc' : 'asc' } : null;
}

export function formatSessionSort(sort: SessionSort): string {
  return `${sort.direction === 'desc' ? '-' : ''}${sort.key}`;
}

/** A total cost over several requests, with where it came from (see lib/pricing/label.ts). */
export type SessionCost = {
  usd: number | null;
  reportedUsd: number | null;
  computedUsd: number | null;
  /** `reported`, `computed`, `reported + computed`, `unknown`, or null (nothing to price). */
  source: string | null;
  unpricedRequests: number;
};

export type SessionSummary = {
  sessionId: string;
  tenantId: string;
  /** The session's users (usually one), by first appearance. */
  users: string[];
  firstSeen: string;
  lastSeen: string;
  /** ns since epoch, as text (exact). */
  firstSeenUnixNano: string;
  lastSeenUnixNano: string;
  turns: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: SessionCost;
  /** Turns that failed: an error span or an HTTP status ≥ 400. */
  errors: number;
  ttftP95Ms: number | null;
};

export type SessionList = {
  sessions: SessionSummary[];
  sessionKeys: string[];
  sort: string;
  where: string | null;
  range: { from: string; to: string };
  /** True when more sessions matched than `limit`. */
  truncated: boolean;
};

export type SessionTurn = {
  traceId: string;
  tenantId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  rootName: string;
  model: string | null;
  route: string | null;
  latencyMs: number;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: CostFigure | null;
  statusCode: number | null;
  error: boolean;
  /** Plano's `llm.user_message_preview`, else the first user message of the trace's messages. */
  userMessage: string | null;
  userId: string | null;
};

export type SessionDetail = {
  sessionId: string;
  sessionKeys: string[];
  range: { from: string; to: string };
  /** Each tenant's summary of this session id (one in practice). */
  summaries: SessionSummary[];
  /** Oldest first: the conversation in order. */
  turns: SessionTurn[];
  truncated: boolean;
};
