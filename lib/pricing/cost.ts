/**
 * Cost of token usage at given rates, and the cost of one span with its source.
 *
 * Token semantics are Plano's (OpenAI's): `input` (llm.usage.prompt_tokens) includes the
 * cached and cache-creation tokens, `output` (completion tokens) includes the reasoning
 * tokens. So the cached and cache-creation tokens are taken out of the input and priced
 * at their own rates (input's when the catalog has none); reasoning tokens likewise out
 * of the output.
 */
import type { AttributeMap } from '../otlp/span-record';
import { scalarText } from '../trace/any-value';
import type { PriceBook } from './price-book';
import type { CostFigure, TokenRates, TokenUsage } from './types';

const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** USD for `usage` at `rates`. */
export function costOf(usage: TokenUsage, rates: TokenRates): number {
  const cached = n(usage.cachedInput);
  const creation = n(usage.cacheCreation);
  const reasoning = rates.reasoning === undefined ? 0 : n(usage.reasoning);
  const freshInput = Math.max(0, n(usage.input) - cached - creation);
  const plainOutput = Math.max(0, n(usage.output) - reasoning);
  return (
    freshInput * rates.input +
    cached * (rates.cachedInput ?? rates.input) +
    creation * (rates.cacheCreation ?? rates.input) +
    plainOutput * rates.output +
    reasoning * (rates.reasoning ?? rates.output)
  );
}

/** Span attribute keys, Plano's first (crates/brightstaff/src/tracing/constants.rs), then GenAI's and OpenInference's. */
export const USAGE_KEYS = {
  model: ['llm.model', 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
  input: ['llm.usage.prompt_tokens', 'llm.usage.input_tokens', 'gen_ai.usage.input_tokens', 'llm.token_count.prompt'],
  output: ['llm.usage.completion_tokens', 'llm.usage.output_tokens', 'gen_ai.usage.output_tokens', 'llm.token_count.completion'],
  cachedInput: ['llm.usage.cached_input_tokens', 'gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read'],
  cacheCreation: ['llm.usage.cache_creation_tokens', 'gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write'],
  reasoning: ['llm.usage.reasoning_tokens', 'gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning'],
  totalCost: ['llm.usage.total_cost_usd'],
  inputCost: ['llm.usage.input_cost_usd'],
  outputCost: ['llm.usage.output_cost_usd'],
} as const;

/** The text of the first key present (span attributes hold scalars here). */
function first(attrs: AttributeMap, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined) return scalarText(v);
  }
  return null;
}

function num(attrs: AttributeMap, keys: readonly string[]): number | null {
  const v = first(attrs, keys);
  const x = v === null || v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(x) ? x : null;
}

/** The reported cost of a span: total_cost_usd, else input + output cost; null when none. */
export function reportedCost(attrs: AttributeMap): number | null {
  const total = num(attrs, USAGE_KEYS.totalCost);
  if (total !== null) return total;
  const input = num(attrs, USAGE_KEYS.inputCost);
  const output = num(attrs, USAGE_KEYS.outputCost);
  return input === null && output === null ? null : (input ?? 0) + (output ?? 0);
}

export function usageOf(attrs: AttributeMap): TokenUsage {
  return {
    input: num(attrs, USAGE_KEYS.input),
    output: num(attrs, USAGE_KEYS.output),
    cachedInput: num(attrs, USAGE_KEYS.cachedInput),
    cacheCreation: num(attrs, USAGE_KEYS.cacheCreation),
    reasoning: num(attrs, USAGE_KEYS.reasoning),
  };
}

/** The cost of what a span (or trace) carries, or null when it carries neither cost nor tokens. */
export function costFigure(
  { reported, usage, model, atMs }: { reported: number | null; usage: TokenUsage; model: string | null; atMs: number },
  book: PriceBook,
): CostFigure | null {
  if (reported !== null) return { usd: reported, source: 'reported', model };
  if (usage.input === null && usage.output === null) return null;
  const price = model ? book.priceAt(model, atMs) : null;
  if (!price) return { usd: null, source: 'unknown', model };
  return { usd: costOf(usage, price.rates), source: 'computed', model, ref: price.ref };
}

/** A span's cost from its attributes (model, tokens, reported cost) at its start time. */
export function spanCost(span: { attributes: AttributeMap; startTimeUnixNano: string }, book: PriceBook): CostFigure | null {
  const model = first(span.attributes, USAGE_KEYS.model);
  return costFigure(
    {
      reported: reportedCost(span.attributes),
      usage: usageOf(span.attributes),
      model,
      atMs: Number(BigInt(span.startTimeUnixNano) / 1_000_000n),
    },
    book,
  );
}
