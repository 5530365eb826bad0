/**
 * How the live view writes its figures, the same in the browser and the terminal:
 * durations, rates, counts, HTTP statuses with their reason phrase, ages, and costs with
 * their source. Missing figures are "—", never 0.
 */
import statuses from 'statuses';
import { fmtUsd } from '../pricing/label';
import type { CostFigure } from '../pricing/types';
import type { LiveCost } from './types';

export const NONE = '—';

/** 850ms, 1.2s, 12s (no decimals past 10 s). */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`;
}

/** 42.5/s, 130/s. */
export function fmtTps(tps: number | null | undefined): string {
  if (tps === null || tps === undefined || !(tps > 0)) return NONE;
  return tps >= 100 ? `${Math.round(tps)}/s` : `${tps.toFixed(1)}/s`;
}

/** 12,345 (null: —). */
export function fmtCount(n: number | null | undefined): string {
  return n === null || n === undefined ? NONE : Math.round(n).toLocaleString('en-US');
}

/** 12.5% (null: —). */
export function fmtShare(share: number | null | undefined): string {
  return share === null || share === undefined ? NONE : `${(share * 100).toFixed(1)}%`;
}

/** The reason phrase of an HTTP status ("Too Many Requests"), '' when unknown. */
export function httpReason(code: number): string {
  return statuses.message[code] ?? '';
}

export type StatusClass = 'ok' | 'redirect' | 'client-error' | 'server-error' | 'error' | 'none';

/** How a request ended: its HTTP class, or `error` for an error span without a failing status. */
export function statusClass(code: number | null, error = false): StatusClass {
  if (code !== null && code >= 500) return 'server-error';
  if (code !== null && code >= 400) return 'client-error';
  if (error) return 'error';
  if (code === null) return 'none';
  return code >= 300 ? 'redirect' : 'ok';
}

/** "ok", "429 Too Many Requests", "error" (an error span without a status), or —. */
export function statusText(code: number | null, error = false): string {
  const cls = statusClass(code, error);
  if (cls === 'ok') return 'ok';
  if (cls === 'error') return 'error';
  if (code === null) return NONE;
  const reason = httpReason(code);
  return reason ? `${code} ${reason}` : String(code);
}

/** "12s ago", "4m ago", "2h ago" (a time in the future reads "0s ago": clocks drift). */
export function fmtAgo(atMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - atMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

/** Output tokens per second after the first token (planoai's tok/s), null when not measurable. */
export function tokensPerSecond(outputTokens: number | null, latencyMs: number, ttftMs: number | null): number | null {
  if (!outputTokens || outputTokens <= 0) return null;
  const generatingMs = latencyMs - (ttftMs ?? 0);
  return generatingMs > 0 ? (outputTokens * 1000) / generatingMs : null;
}

/** One request's cost: "$0.0123 computed", "no price (my-finetune)", or —. */
export function callCostText(cost: CostFigure | null): string {
  if (!cost) return NONE;
  if (cost.usd === null) return cost.model ? `no price (${cost.model})` : 'no price';
  return `${fmtUsd(cost.usd)} ${cost.source}`;
}

/** Many requests' cost: the known sum and its source, and the requests without a price ("$1.23 reported + computed · 4 unpriced"). */
export function totalCostText(cost: LiveCost): string {
  const parts: string[] = [];
  if (cost.usd !== null) parts.push(`${fmtUsd(cost.usd)} ${cost.source ?? ''}`.trim());
  if (cost.unpricedRequests > 0) parts.push(`${fmtCount(cost.unpricedRequests)} unpriced`);
  return parts.length > 0 ? parts.join(' · ') : NONE;
}

const SHORT_SOURCE: Record<string, string> = { reported: 'rep', computed: 'calc', 'reported + computed': 'rep+calc' };

/** The same for a table cell: "$1.23 rep+calc · 4 unpriced", "4 unpriced" (the source as on the trace list). */
export function totalCostShort(cost: LiveCost): string {
  const parts: string[] = [];
  if (cost.usd !== null) parts.push(`${fmtUsd(cost.usd)} ${SHORT_SOURCE[cost.source ?? ''] ?? ''}`.trim());
  if (cost.unpricedRequests > 0) parts.push(`${fmtCount(cost.unpricedRequests)} unpriced`);
  return parts.length > 0 ? parts.join(' · ') : NONE;
}

/** "3 (1 4xx · 2 5xx)", "0". */
export function errorsText(e: { errors: number; errors4xx: number; errors5xx: number; errorsOther: number }): string {
  const parts = [
    e.errors4xx ? `${fmtCount(e.errors4xx)} 4xx` : null,
    e.errors5xx ? `${fmtCount(e.errors5xx)} 5xx` : null,
    e.errorsOther ? `${fmtCount(e.errorsOther)} other` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? `${fmtCount(e.errors)} (${parts.join(' · ')})` : fmtCount(e.errors);
}

/** "p50 420ms · p95 1.2s · p99 3.0s". */
export function percentilesText(p: { p50: number | null; p95: number | null; p99: number | null }): string {
  return `p50 ${fmtMs(p.p50)} · p95 ${fmtMs(p.p95)} · p99 ${fmtMs(p.p99)}`;
}

/** Trims a long name to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
