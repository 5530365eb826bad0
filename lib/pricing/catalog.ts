/**
 * The bundled price catalog: @pydantic/genai-prices (its data ships inside the npm
 * package; nothing is fetched at run time — updatePrices is never called). It keeps
 * each model's price history (`start_date` constraints), cache-read and cache-write
 * prices, and matches dated snapshots and aliases (`gpt-4o-2024-08-06` → gpt-4o).
 *
 * What is simplified, and why: tiered prices (Gemini's above-200k-token rates) use their
 * base tier, and time-of-day prices (DeepSeek's off-peak) use the unconstrained price,
 * because charts price token sums per model and time range, not single requests.
 */
import { type ConditionalPrice, type ModelPrice, calcPrice } from '@pydantic/genai-prices';
import type { ModelCandidate } from './normalize';
import type { PricePeriod, TokenRates } from './types';

type Rate = ModelPrice[string];

/** A price field per million tokens → per token (tiered: its base). */
function perToken(v: Rate): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : v.base;
  return Number.isFinite(n) ? n / 1e6 : undefined;
}

/** The catalog's price fields as our rates; null when it has no text token prices. */
export function ratesOf(p: ModelPrice): TokenRates | null {
  const input = perToken(p.input_mtok);
  const output = perToken(p.output_mtok);
  if (input === undefined && output === undefined) return null;
  const rates: TokenRates = { input: input ?? 0, output: output ?? 0 };
  const cached = perToken(p.cache_read_mtok);
  const write = perToken(p.cache_write_mtok);
  const reasoning = perToken(p.reasoning_mtok);
  if (cached !== undefined) rates.cachedInput = cached;
  if (write !== undefined) rates.cacheCreation = write;
  if (reasoning !== undefined) rates.reasoning = reasoning;
  return rates;
}

const isConditional = (p: ConditionalPrice[] | ModelPrice): p is ConditionalPrice[] => Array.isArray(p);

/** The model's price history as consecutive periods (start_date constraints; others ignored, see the header). */
export function periodsOf(prices: ConditionalPrice[] | ModelPrice, ref: string): PricePeriod[] {
  const entries = isConditional(prices) ? prices : [{ prices }];
  const dated: { fromMs: number | null; rates: TokenRates }[] = [];
  for (const e of entries) {
    const c = e.constraint;
    if (c && c.type !== 'start_date') continue;
    const rates = ratesOf(e.prices);
    if (!rates) continue;
    const fromMs = c ? Date.parse(c.start_date) : null;
    if (fromMs !== null && !Number.isFinite(fromMs)) continue;
    dated.push({ fromMs, rates });
  }
  dated.sort((a, b) => (a.fromMs ?? -Infinity) - (b.fromMs ?? -Infinity));
  return dated.map((d, i) => ({ fromMs: d.fromMs, toMs: dated[i + 1]?.fromMs ?? null, rates: d.rates, origin: 'catalog', ref }));
}

/** Providers genai-prices knows by id (a candidate's provider is passed only when it is one). */
const CATALOG_PROVIDERS = new Set([
  'openai',
  'anthropic',
  'google',
  'mistral',
  'deepseek',
  'cohere',
  'x-ai',
  'groq',
  'aws',
  'azure',
  'openrouter',
  'together',
  'fireworks',
  'perplexity',
  'novita',
  'minimax',
  'zai',
]);

/** The catalog's price history for one candidate name, or null when it does not know it. */
export function catalogPeriods(candidate: ModelCandidate): PricePeriod[] | null {
  const providerId = candidate.provider && CATALOG_PROVIDERS.has(candidate.provider) ? candidate.provider : undefined;
  let found: ReturnType<typeof calcPrice> = null;
  try {
    found = calcPrice({ input_tokens: 0, output_tokens: 0 }, candidate.model, providerId ? { providerId } : undefined);
  } catch {
    return null;
  }
  if (!found) return null;
  const periods = periodsOf(found.model.prices, `${found.provider.id}/${found.model.id}`);
  return periods.length > 0 ? periods : null;
}
