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

/** Per LLM span of the seeded traffic: its model and its cache-write and reasoning token counts (0 when absent). */
function usageOf(gatewayDetails?: boolean) {
  const out: { model: string; cacheWrite: number; reasoning: number; output: number }[] = [];
  const intOf = (attrs: { key: string; value: object }[], key: string) => {
    const v = attrs.find((a) => a.key === key)?.value as { intValue?: string | number } | undefined;
    return v?.intValue === undefined ? 0 : Number(v.intValue);
  };
  for (const r of planoDemoRequests({ traces: 400, seed: 7, endMs: Date.parse('2026-12-01T00:00:00Z'), hours: 2, gatewayDetails }))
    for (const rs of r.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          const model = s.attributes.find((a) => a.key === 'llm.model');
          if (!model || !('stringValue' in model.value) || !s.attributes.some((a) => a.key === 'llm.usage.prompt_tokens')) continue;
          out.push({
            model: model.value.stringValue,
            cacheWrite: intOf(s.attributes, 'llm.usage.cache_creation_tokens'),
            reasoning: intOf(s.attributes, 'llm.usage.reasoning_tokens'),
            output: intOf(s.attributes, 'llm.usage.completion_tokens'),
          });
        }
  return out;
}

describe('the seeded traffic carries cache writes and reasoning tokens', () => {
  it('claude spans write to the prompt cache, and claude-3-5-sonnet spans reason, within their output', () => {
    const spans = usageOf();
    const writes = spans.filter((s) => s.cacheWrite > 0);
    const reasoning = spans.filter((s) => s.reasoning > 0);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((s) => s.model.startsWith('claude'))).toBe(true);
    expect(reasoning.length).toBeGreaterThan(0);
    expect(reasoning.every((s) => s.model === 'claude-3-5-sonnet' && s.reasoning < s.output)).toBe(true);
  });

  it('without gateway details there are none', () => {
    expect(usageOf(false).some((s) => s.cacheWrite > 0 || s.reasoning > 0)).toBe(false);
  });
});
