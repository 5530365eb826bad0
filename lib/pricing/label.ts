/**
 * How a cost is written wherever it is shown (pages, API, CLI): the amount with its
 * source, and the requests that have no price counted and named instead of $0.
 */
import type { CostFigure, CostSource } from './types';

/** Price lists quote fractions of a cent: up to 4 decimals under $1, cents above. */
export function fmtUsd(usd: number): string {
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  if (abs < 0.0001) return `$${usd.toPrecision(2)}`;
  if (abs < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const SOURCE_LABEL: Record<CostSource, string> = { reported: 'reported', computed: 'computed', unknown: 'no price' };

/** `$0.0123 (computed)`, `no price (my-finetune)`, or `—` when there is nothing to price. */
export function costText(cost: CostFigure | null | undefined): string {
  if (!cost) return '—';
  if (cost.source === 'unknown' || cost.usd === null) return cost.model ? `no price (${cost.model})` : 'no price (no model)';
  return `${fmtUsd(cost.usd)} (${SOURCE_LABEL[cost.source]})`;
}

/** Requests of one model (null: no model name) that carry tokens but no cost, with no price found. */
export type UnpricedModel = { model: string | null; requests: number };

/** Cost of many requests: what was reported, what was computed, and what has no price. */
export type CostBreakdown = {
  reportedUsd: number | null;
  computedUsd: number | null;
  /** Requests with tokens, no reported cost and no price. */
  unpricedRequests: number;
  unpriced: UnpricedModel[];
};

/** Which sources a total is made of: `reported`, `computed`, `reported + computed`, or `unknown` when nothing is priced. */
export function breakdownSource(b: Pick<CostBreakdown, 'reportedUsd' | 'computedUsd' | 'unpricedRequests'>): string | null {
  const parts = [b.reportedUsd !== null ? 'reported' : null, b.computedUsd !== null ? 'computed' : null].filter((x): x is string => x !== null);
  if (parts.length > 0) return parts.join(' + ');
  return b.unpricedRequests > 0 ? 'unknown' : null;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "412 requests of `my-finetune` have no price" (one sentence per model; requests without a model name say so). */
export function unpricedSentence(u: UnpricedModel): string {
  const what = u.model === null ? 'without a model name' : `of \`${u.model}\``;
  return `${plural(u.requests, 'request', 'requests')} ${what} ${u.requests === 1 ? 'has' : 'have'} no price`;
}

/** Every unpriced model's sentence, most requests first, and how many more models there are past `max`. */
export function unpricedNote(list: readonly UnpricedModel[], total: number, max = 3): string | null {
  if (total === 0) return null;
  const shown = [...list].sort((a, b) => b.requests - a.requests).slice(0, max);
  const rest = total - shown.reduce((s, u) => s + u.requests, 0);
  const sentences = shown.map(unpricedSentence);
  if (rest > 0) sentences.push(`${plural(rest, 'more request', 'more requests')} of other models ${rest === 1 ? 'has' : 'have'} no price`);
  return sentences.join('; ');
}

/** The total known cost (reported + computed), null when neither is known. */
export function knownUsd(b: Pick<CostBreakdown, 'reportedUsd' | 'computedUsd'>): number | null {
  return b.reportedUsd === null && b.computedUsd === null ? null : (b.reportedUsd ?? 0) + (b.computedUsd ?? 0);
}
