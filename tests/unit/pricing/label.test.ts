import { describe, expect, it } from 'vitest';
import { PriceBook, breakdownSource, costFigure, costOf, costText, fmtUsd, spanCost, unpricedNote, unpricedSentence } from '../../../lib/pricing';

describe('cost labels', () => {
  it('writes each source beside the amount, and no price never as $0', () => {
    expect(costText({ usd: 0.0123, source: 'reported' })).toBe('$0.0123 (reported)');
    expect(costText({ usd: 12.5, source: 'computed' })).toBe('$12.50 (computed)');
    expect(costText({ usd: null, source: 'unknown', model: 'my-finetune' })).toBe('no price (my-finetune)');
    expect(costText(null)).toBe('—');
    expect(fmtUsd(0.00001234)).toBe('$0.000012');
  });

  it('counts and names the requests without a price', () => {
    expect(unpricedSentence({ model: 'my-finetune', requests: 412 })).toBe('412 requests of `my-finetune` have no price');
    expect(unpricedSentence({ model: null, requests: 1 })).toBe('1 request without a model name has no price');
    expect(unpricedNote([], 0)).toBeNull();
    const many = [
      { model: 'a', requests: 1 },
      { model: 'b', requests: 5 },
      { model: 'c', requests: 3 },
      { model: 'd', requests: 2 },
    ];
    expect(unpricedNote(many, 11, 2)).toBe('5 requests of `b` have no price; 3 requests of `c` have no price; 3 more requests of other models have no price');
  });

  it('says which sources a total is made of', () => {
    expect(breakdownSource({ reportedUsd: 1, computedUsd: null, unpricedRequests: 0 })).toBe('reported');
    expect(breakdownSource({ reportedUsd: 1, computedUsd: 2, unpricedRequests: 4 })).toBe('reported + computed');
    expect(breakdownSource({ reportedUsd: null, computedUsd: null, unpricedRequests: 4 })).toBe('unknown');
    expect(breakdownSource({ reportedUsd: null, computedUsd: null, unpricedRequests: 0 })).toBeNull();
  });
});

describe('costOf and span costs', () => {
  const rates = { input: 1, output: 10, cachedInput: 0.1, cacheCreation: 2, reasoning: 20 };

  it('takes cached, cache-creation and reasoning tokens out of input and output at their own rates', () => {
    expect(costOf({ input: 100, output: 10, cachedInput: 50, cacheCreation: 20, reasoning: 4 }, rates)).toBeCloseTo(30 + 5 + 40 + 60 + 80, 9);
    // Without those rates they cost what input and output cost.
    expect(costOf({ input: 100, output: 10, cachedInput: 50, reasoning: 4 }, { input: 1, output: 10 })).toBe(200);
  });

  it("prefers a span's reported cost, computes one from tokens, and marks an unknown model", () => {
    const book = new PriceBook();
    const at = '1767225600000000000'; // 2026-01-01
    const span = (attrs: Record<string, { stringValue: string } | { intValue: string } | { doubleValue: number }>) => ({
      attributes: attrs,
      startTimeUnixNano: at,
    });
    expect(
      spanCost(
        span({
          'llm.model': { stringValue: 'gpt-4o-mini' },
          'llm.usage.input_cost_usd': { doubleValue: 0.1 },
          'llm.usage.output_cost_usd': { doubleValue: 0.2 },
        }),
        book,
      ),
    ).toMatchObject({
      source: 'reported',
      usd: expect.closeTo(0.3, 9),
    });
    expect(spanCost(span({ 'llm.model': { stringValue: 'openai/gpt-4o-mini' }, 'llm.usage.prompt_tokens': { intValue: '1000000' } }), book)).toMatchObject({
      source: 'computed',
      usd: expect.closeTo(0.15, 9),
      ref: 'openai/gpt-4o-mini',
    });
    expect(spanCost(span({ 'llm.model': { stringValue: 'my-finetune' }, 'llm.usage.prompt_tokens': { intValue: '5' } }), book)).toEqual({
      usd: null,
      source: 'unknown',
      model: 'my-finetune',
    });
    expect(spanCost(span({ 'http.status_code': { intValue: '200' } }), book)).toBeNull();
    expect(costFigure({ reported: null, usage: { input: 5, output: null }, model: null, atMs: 0 }, book)?.source).toBe('unknown');
  });
});
