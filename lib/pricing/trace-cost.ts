/**
 * The cost of a trace, for the trace list (from its summary row) and the trace page
 * (summed over its spans, each priced at its own start time with its own model).
 */
import type { StoredSpan, TraceSummary } from '../trace/wire';
import { costFigure, spanCost } from './cost';
import type { PriceBook } from './price-book';
import type { CostFigure } from './types';

/** A trace summary's cost: its reported cost, else its tokens priced for its model at its start. */
export function summaryCost(t: TraceSummary, book: PriceBook): CostFigure | null {
  return costFigure(
    {
      reported: t.costUsd,
      usage: {
        input: t.promptTokens,
        output: t.completionTokens,
        cachedInput: t.cachedInputTokens,
        cacheCreation: t.cacheCreationTokens,
        reasoning: t.reasoningTokens,
      },
      model: t.llmModel,
      atMs: Number(BigInt(t.startTimeUnixNano) / 1_000_000n),
    },
    book,
  );
}

/** Span costs by span id, and the trace's: the sum of what is known; `computed` when any part was, `unknown` when nothing was priced. */
export function spanCosts(
  spans: readonly StoredSpan[],
  book: PriceBook,
): { bySpan: Record<string, CostFigure>; total: CostFigure | null; unpricedSpans: number } {
  const bySpan: Record<string, CostFigure> = {};
  let usd: number | null = null;
  let computed = false;
  let unpriced = 0;
  let unpricedModel: string | null = null;
  for (const s of spans) {
    const c = spanCost(s, book);
    if (!c) continue;
    bySpan[s.spanId] = c;
    if (c.usd === null) {
      unpriced++;
      unpricedModel ??= c.model ?? null;
      continue;
    }
    usd = (usd ?? 0) + c.usd;
    computed ||= c.source === 'computed';
  }
  const total: CostFigure | null =
    usd !== null ? { usd, source: computed ? 'computed' : 'reported' } : unpriced > 0 ? { usd: null, source: 'unknown', model: unpricedModel } : null;
  return { bySpan, total, unpricedSpans: unpriced };
}
