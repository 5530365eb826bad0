/**
 * The shapes of the cost engine: per-token rates, the periods a price is in force,
 * where a cost came from. Pure data, shared by the server, the pages and the CLI.
 */

/** USD per token (not per million). Absent rates fall back as lib/pricing/cost.ts says. */
export type TokenRates = {
  input: number;
  output: number;
  /** Cache-read (cached input) tokens; absent: priced as input. */
  cachedInput?: number;
  /** Cache-creation (cache write) tokens; absent: priced as input. */
  cacheCreation?: number;
  /** Reasoning tokens (part of the output); absent: priced as output. */
  reasoning?: number;
};

/** A price in force from `fromMs` (inclusive; null: since ever) to `toMs` (exclusive; null: still). */
export type PricePeriod = {
  fromMs: number | null;
  toMs: number | null;
  rates: TokenRates;
  /** `catalog`: the bundled @pydantic/genai-prices data; `prices-file`: TRACEDECK_PRICES. */
  origin: 'catalog' | 'prices-file';
  /** The catalog's or the file's model the raw name resolved to, e.g. `openai/gpt-4o`. */
  ref: string;
};

/**
 * Where a cost came from:
 * - `reported`: the gateway put it on the span (`llm.usage.total_cost_usd`, or input + output cost);
 * - `computed`: tokens × the price in force at the span's time (catalog or TRACEDECK_PRICES);
 * - `unknown`: tokens but no price for the model (never shown as $0).
 */
export type CostSource = 'reported' | 'computed' | 'unknown';

/** Token counts of one span or trace, as Plano names them (input includes cached and cache-creation tokens). */
export type TokenUsage = {
  input: number | null;
  output: number | null;
  cachedInput?: number | null;
  cacheCreation?: number | null;
  reasoning?: number | null;
};

/** One cost with its source. `usd` is null exactly when the source is `unknown`. */
export type CostFigure = { usd: number | null; source: CostSource; model?: string | null; ref?: string };
