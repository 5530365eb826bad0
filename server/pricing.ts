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
import { reloadedFromFile } from './reloaded-file';

export { RECHECK_MS } from './reloaded-file';

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

const logged = new Set<string>();

/** The pricing in effect (see the header). `nowMs` is for tests. */
export function pricing(config: ServerConfig = serverConfig(), nowMs = Date.now()): Pricing {
  return pricingFollowingFile(config, nowMs);
}

const pricingFollowingFile = reloadedFromFile((config) => config.pricesFile, loadPricingLenient);

/** The file's book, or, when the file is broken, the catalog alone with the reason (logged once). */
function loadPricingLenient(config: ServerConfig): Pricing {
  const file = config.pricesFile;
  try {
    return loadPricingStrict(file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!logged.has(message)) {
      logged.add(message);
      console.error(`[tracedeck] ${message}; pricing from the bundled catalog only`);
    }
    return { book: new PriceBook(NO_OVERRIDES), file, error: message };
  }
}
