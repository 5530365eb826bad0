/**
 * The price book the server prices with (lib/pricing): the bundled catalog, plus the
 * TRACEDECK_PRICES file when set. Prices are applied at query time (db/queries/cost.ts,
 * the trace list and page), never stored, so an edited file reprices past requests:
 * the file's mtime and size are checked at most every RECHECK_MS, as TRACEDECK_CONFIG is.
 *
 * `tracedeck serve` loads it strictly at start (server/config-check.ts): a malformed file
 * stops it with the reason. A running server that finds the file broken logs it once,
 * keeps pricing from the catalog alone, and says so in /api/metrics (`cost.pricesError`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NO_OVERRIDES, PriceBook, PricesFileError, parsePriceOverrides } from '../lib/pricing';
import { type ServerConfig, serverConfig } from './config';

export const RECHECK_MS = 2000;

export type Pricing = { book: PriceBook; file: string | null; error: string | null };

/** The book of a prices file. Throws PricesFileError naming the file and the problem. */
export function loadPricingStrict(file: string | null): Pricing {
  if (!file) return { book: new PriceBook(NO_OVERRIDES), file: null, error: null };
  const full = path.resolve(/* turbopackIgnore: true */ file);
  let text: string;
  try {
    text = fs.readFileSync(/* turbopackIgnore: true */ full, 'utf8');
  } catch (err) {
    throw new PricesFileError(`TRACEDECK_PRICES: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return { book: new PriceBook(parsePriceOverrides(text)), file: full, error: null };
  } catch (err) {
    throw new PricesFileError(`TRACEDECK_PRICES ${full}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function stamp(file: string | null): string {
  if (!file) return '';
  try {
    const st = fs.statSync(/* turbopackIgnore: true */ file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

type Loaded = { pricing: Pricing; stamp: string; checkedAt: number };
const loaded = new WeakMap<ServerConfig, Loaded>();
const logged = new Set<string>();

/** The pricing in effect (see the header). `nowMs` is for tests. */
export function pricing(config: ServerConfig = serverConfig(), nowMs = Date.now()): Pricing {
  const file = config.pricesFile;
  const current = loaded.get(config);
  if (current && (!file || nowMs - current.checkedAt < RECHECK_MS)) return current.pricing;
  const now = stamp(file);
  if (current && now === current.stamp) {
    current.checkedAt = nowMs;
    return current.pricing;
  }
  let next: Pricing;
  try {
    next = loadPricingStrict(file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!logged.has(message)) {
      logged.add(message);
      console.error(`[tracedeck] ${message}; pricing from the bundled catalog only`);
    }
    next = { book: new PriceBook(NO_OVERRIDES), file, error: message };
  }
  loaded.set(config, { pricing: next, stamp: now, checkedAt: nowMs });
  return next;
}
