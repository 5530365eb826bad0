/**
 * Model name → the prices in force over time: TRACEDECK_PRICES first, then the bundled
 * catalog, each tried with every name modelCandidates derives. One book per loaded
 * prices file (server/pricing.ts); lookups are memoized, since a deployment sees a
 * handful of model names over and over.
 */
import { catalogPeriods } from './catalog';
import { modelCandidates } from './normalize';
import { NO_OVERRIDES, type PriceOverrides } from './overrides';
import type { PricePeriod } from './types';

/** Override periods on top of the catalog's: the catalog still prices what came before the first `since`. */
function merge(override: PricePeriod[] | null, catalog: PricePeriod[] | null): PricePeriod[] | null {
  if (!override) return catalog;
  const start = override[0].fromMs;
  if (start === null || !catalog) return override;
  const before = catalog.filter((p) => p.fromMs === null || p.fromMs < start).map((p) => ({ ...p, toMs: p.toMs === null || p.toMs > start ? start : p.toMs }));
  return [...before, ...override];
}

export class PriceBook {
  private readonly memo = new Map<string, PricePeriod[] | null>();

  constructor(private readonly overrides: PriceOverrides = NO_OVERRIDES) {}

  /** Every price period of the model (time order), or null when neither the file nor the catalog prices it. */
  periods(rawModel: string): PricePeriod[] | null {
    const key = rawModel.trim().toLowerCase();
    if (this.memo.has(key)) return this.memo.get(key) ?? null;
    const found = this.resolve(rawModel);
    this.memo.set(key, found);
    return found;
  }

  /** The price in force at `ms` (epoch ms), or null. */
  priceAt(rawModel: string, ms: number): PricePeriod | null {
    return this.periods(rawModel)?.find((p) => (p.fromMs === null || ms >= p.fromMs) && (p.toMs === null || ms < p.toMs)) ?? null;
  }

  private resolve(rawModel: string): PricePeriod[] | null {
    const name = this.overrides.aliases.get(rawModel.trim().toLowerCase()) ?? rawModel;
    const candidates = modelCandidates(name);
    let override: PricePeriod[] | null = null;
    for (const c of candidates) {
      override = this.overrides.models.get(c.model.toLowerCase()) ?? null;
      if (override) break;
    }
    // A file price with no `since` replaces the catalog's entirely: no need to look it up.
    if (override && override[0].fromMs === null) return override;
    let catalog: PricePeriod[] | null = null;
    for (const c of candidates) {
      catalog = catalogPeriods(c);
      if (catalog) break;
    }
    return merge(override, catalog);
  }
}
