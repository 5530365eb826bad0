/**
 * The price formula's view of a request's tokens, over `traces t` (a leaf module: the
 * roller, db/rollup-cost.ts, and the cost queries both read it).
 */
import { type SQL, sql } from 'drizzle-orm';

/** Traces whose cost is computed (or unknown): tokens, no reported cost. */
export const UNCOSTED_TRACE = sql`t.cost_usd IS NULL AND (t.prompt_tokens IS NOT NULL OR t.completion_tokens IS NOT NULL)`;

/**
 * A request's tokens split the way lib/pricing/cost.ts prices them (negative counts as 0):
 * input net of the cached and cache-creation tokens, output with and without the reasoning
 * tokens taken out (which one depends on whether the price has a reasoning rate). The cost is
 * linear in these, so it prices their sums over many requests (the rollups') exactly too.
 */
export const TOKEN_SPLIT = {
  fresh_input: sql`greatest(greatest(COALESCE(t.prompt_tokens, 0), 0) - greatest(COALESCE(t.cached_input_tokens, 0), 0) - greatest(COALESCE(t.cache_creation_tokens, 0), 0), 0)`,
  cached_input: sql`greatest(COALESCE(t.cached_input_tokens, 0), 0)`,
  cache_creation: sql`greatest(COALESCE(t.cache_creation_tokens, 0), 0)`,
  output: sql`greatest(COALESCE(t.completion_tokens, 0), 0)`,
  plain_output: sql`greatest(greatest(COALESCE(t.completion_tokens, 0), 0) - greatest(COALESCE(t.reasoning_tokens, 0), 0), 0)`,
  reasoning: sql`greatest(COALESCE(t.reasoning_tokens, 0), 0)`,
} as const;

export type TokenPart = keyof typeof TOKEN_SPLIT;
export const TOKEN_PARTS = Object.keys(TOKEN_SPLIT) as TokenPart[];

/** USD of tokens split as TOKEN_SPLIT (`part` gives each amount) at price row `p` (see lib/pricing/cost.ts for the same formula). */
export function splitCost(part: (name: TokenPart) => SQL): SQL {
  return sql`(${part('fresh_input')} * p.i + ${part('cached_input')} * COALESCE(p.c, p.i) + ${part('cache_creation')} * COALESCE(p.w, p.i)
    + CASE WHEN p.r IS NULL THEN ${part('output')} * p.o ELSE ${part('plain_output')} * p.o + ${part('reasoning')} * p.r END)`;
}
