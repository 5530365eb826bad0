import { describe, expect, it } from 'vitest';
import { PriceBook, modelCandidates, parsePriceOverrides } from '../../../lib/pricing';

const names = (raw: string) => modelCandidates(raw).map((c) => `${c.provider ?? '-'}:${c.model}`);

describe('modelCandidates', () => {
  it('tries the exact name first, then the name without its provider prefix', () => {
    expect(names('openai/gpt-4o-mini')).toEqual(['-:openai/gpt-4o-mini', 'openai:gpt-4o-mini', '-:gpt-4o-mini']);
    expect(names('openai:gpt-4o')).toEqual(['-:openai:gpt-4o', 'openai:gpt-4o', '-:gpt-4o']);
  });

  it("strips DigitalOcean's vendor-prefixed ids behind a gateway prefix", () => {
    expect(names('do/openai-gpt-4o')).toEqual(['-:do/openai-gpt-4o', 'do:openai-gpt-4o', 'openai:gpt-4o', '-:gpt-4o']);
  });

  it('drops dated snapshots, Bedrock regions and versions, and Vertex @dates', () => {
    expect(names('gpt-4o-2024-08-06')).toContain('-:gpt-4o');
    expect(names('gpt-4-0613')).toContain('-:gpt-4');
    expect(names('us.anthropic.claude-3-5-sonnet-20240620-v1:0')).toContain('anthropic:claude-3-5-sonnet');
    expect(names('claude-3-5-sonnet@20240620')).toContain('-:claude-3-5-sonnet');
  });

  it('maps provider aliases and keeps nothing for a blank name', () => {
    expect(names('mistralai/mistral-small')).toContain('mistral:mistral-small');
    expect(modelCandidates('  ')).toEqual([]);
  });
});

describe('PriceBook', () => {
  const book = new PriceBook(
    parsePriceOverrides(`
models:
  my-selfhosted: { input: 0.1, output: 0.2, cached_input: 0.01 }
  gpt-4o:
    - { since: 2026-01-01, input: 2, output: 8 }
aliases:
  do/llama3-8b: my-selfhosted
`),
  );

  it('finds catalog models by prefixed, vendor-prefixed and dated names', () => {
    for (const name of ['openai/gpt-4o-mini', 'do/openai-gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'OpenAI/GPT-4o-mini']) {
      const p = book.priceAt(name, Date.parse('2026-06-01'));
      expect(p?.ref, name).toBe('openai/gpt-4o-mini');
      expect(p?.rates.input).toBeCloseTo(0.15e-6, 15);
      expect(p?.rates.cachedInput).toBeCloseTo(0.075e-6, 15);
    }
  });

  it("keeps the catalog's price history (o3's price cut of 2025-06-10)", () => {
    expect(book.priceAt('o3', Date.parse('2025-05-01'))?.rates.input).toBeCloseTo(10e-6, 15);
    expect(book.priceAt('o3', Date.parse('2025-07-01'))?.rates.input).toBeCloseTo(2e-6, 15);
  });

  it('the prices file adds models, aliases names, and overrides the catalog from its date', () => {
    expect(book.priceAt('my-selfhosted', 0)?.origin).toBe('prices-file');
    expect(book.priceAt('do/llama3-8b', 0)?.rates.output).toBeCloseTo(0.2e-6, 15);
    const before = book.priceAt('gpt-4o-2024-08-06', Date.parse('2025-12-31'));
    const after = book.priceAt('openai/gpt-4o', Date.parse('2026-01-02'));
    expect([before?.origin, before?.rates.input]).toEqual(['catalog', 2.5e-6]);
    expect([after?.origin, after?.rates.input]).toEqual(['prices-file', 2e-6]);
  });

  it('has no price for an unknown model', () => {
    expect(book.periods('my-finetune')).toBeNull();
    expect(book.priceAt('my-finetune', Date.now())).toBeNull();
  });
});

describe('parsePriceOverrides', () => {
  it('reads JSON too', () => {
    expect(parsePriceOverrides('{"models": {"m": {"input": 1, "output": 2}}}').models.get('m')?.[0].rates).toEqual({ input: 1e-6, output: 2e-6 });
  });

  it('names the entry at fault', () => {
    expect(() => parsePriceOverrides('models:\n  m: { input: -1, output: 2 }')).toThrow(/models\.m\.input/);
    expect(() => parsePriceOverrides('models:\n  m: { input: 1, outptu: 2 }')).toThrow(/models\.m/);
    expect(() => parsePriceOverrides('models:\n  m: [{ since: soon, input: 1, output: 2 }]')).toThrow(/since must be a date/);
    expect(() => parsePriceOverrides('models: [')).toThrow(/not YAML or JSON/);
  });
});
