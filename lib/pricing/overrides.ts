/**
 * The TRACEDECK_PRICES file: models the catalog lacks (self-hosted, fine-tunes) and
 * prices that differ from list prices (negotiated). YAML or JSON (JSON is YAML):
 *
 *   models:
 *     my-finetune: { input: 0.2, output: 0.8 }          # USD per million tokens
 *     gpt-4o:                                             # negotiated from a date;
 *       - { since: 2026-01-01, input: 2, output: 8, cached_input: 1 }   # the catalog's before it
 *   aliases:
 *     do/openai-gpt-oss-120b: gpt-oss-120b                # a gateway name → a model name
 *
 * Rates: `input`, `output`, and optionally `cached_input`, `cache_creation`, `reasoning`,
 * all USD per million tokens. A model with periods uses the catalog's price before the first `since`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { PricePeriod, TokenRates } from './types';

const rate = z.number().finite().nonnegative();
const periodSchema = z
  .object({
    since: z.union([z.string(), z.date()]).optional(),
    input: rate,
    output: rate,
    cached_input: rate.optional(),
    cache_creation: rate.optional(),
    reasoning: rate.optional(),
  })
  .strict();
const fileSchema = z
  .object({
    models: z.record(z.string().min(1), z.union([periodSchema, z.array(periodSchema).min(1)])).default({}),
    aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  })
  .strict();

export type PriceOverrides = {
  /** By lower-cased model name; periods in time order. */
  models: ReadonlyMap<string, PricePeriod[]>;
  /** Lower-cased gateway name → model name. */
  aliases: ReadonlyMap<string, string>;
};

export const NO_OVERRIDES: PriceOverrides = { models: new Map(), aliases: new Map() };

export class PricesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PricesFileError';
  }
}

function ratesOf(p: z.infer<typeof periodSchema>): TokenRates {
  const rates: TokenRates = { input: p.input / 1e6, output: p.output / 1e6 };
  if (p.cached_input !== undefined) rates.cachedInput = p.cached_input / 1e6;
  if (p.cache_creation !== undefined) rates.cacheCreation = p.cache_creation / 1e6;
  if (p.reasoning !== undefined) rates.reasoning = p.reasoning / 1e6;
  return rates;
}

function sinceMs(model: string, since: string | Date | undefined): number | null {
  if (since === undefined) return null;
  const ms = since instanceof Date ? since.getTime() : Date.parse(since);
  if (!Number.isFinite(ms)) throw new PricesFileError(`models.${model}: since must be a date such as 2026-01-01 (got '${String(since)}')`);
  return ms;
}

function periodsFor(model: string, entry: z.infer<typeof periodSchema> | z.infer<typeof periodSchema>[]): PricePeriod[] {
  const list = (Array.isArray(entry) ? entry : [entry]).map((p) => ({ fromMs: sinceMs(model, p.since), rates: ratesOf(p) }));
  list.sort((a, b) => (a.fromMs ?? -Infinity) - (b.fromMs ?? -Infinity));
  if (list.filter((p) => p.fromMs === null).length > 1) throw new PricesFileError(`models.${model}: only one price may leave out 'since'`);
  return list.map((p, i) => ({ fromMs: p.fromMs, toMs: list[i + 1]?.fromMs ?? null, rates: p.rates, origin: 'prices-file', ref: model }));
}

/** Parses the file's text. Throws PricesFileError naming the entry at fault. */
export function parsePriceOverrides(text: string): PriceOverrides {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new PricesFileError(`not YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PricesFileError(`${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const models = new Map<string, PricePeriod[]>();
  for (const [name, entry] of Object.entries(parsed.data.models)) models.set(name.trim().toLowerCase(), periodsFor(name.trim(), entry));
  const aliases = new Map(Object.entries(parsed.data.aliases).map(([k, v]) => [k.trim().toLowerCase(), v.trim()]));
  return { models, aliases };
}
