import { describe, expect, it } from 'vitest';
import { UNPRICED_DEMO_MODEL, planoDemoRequests } from '../../../lib/demo/plano-traces';
import { PriceBook } from '../../../lib/pricing';

/** The LLM spans' model and whether they report a cost. */
function llmSpans(costGaps?: boolean) {
  const out: { model: string; reported: boolean }[] = [];
  for (const r of planoDemoRequests({ traces: 300, seed: 7, endMs: Date.parse('2026-12-01T00:00:00Z'), hours: 2, costGaps })) {
    for (const rs of r.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          const model = s.attributes.find((a) => a.key === 'llm.model' && s.attributes.some((b) => b.key === 'llm.usage.prompt_tokens'));
          if (model && 'stringValue' in model.value)
            out.push({ model: model.value.stringValue, reported: s.attributes.some((a) => a.key === 'llm.usage.total_cost_usd') });
        }
  }
  return out;
}

describe('the seeded traffic exercises the cost engine', () => {
  it('has LLM spans without a reported cost, and one model no catalog prices', () => {
    const spans = llmSpans();
    const unreported = spans.filter((s) => !s.reported);
    expect(unreported.length).toBeGreaterThan(spans.length / 5);
    expect(spans.some((s) => s.model === UNPRICED_DEMO_MODEL)).toBe(true);
    const book = new PriceBook();
    // Of the spans Tracedeck must price, only the unknown model's have no price.
    const models = new Set(unreported.map((s) => s.model));
    expect([...models].filter((m) => book.periods(m) === null)).toEqual([UNPRICED_DEMO_MODEL]);
  });

  it('without cost gaps every LLM span reports its cost', () => {
    expect(llmSpans(false).every((s) => s.reported && s.model !== UNPRICED_DEMO_MODEL)).toBe(true);
  });
});
