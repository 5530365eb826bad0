export { catalogPeriods, periodsOf, ratesOf } from './catalog';
export { USAGE_KEYS, costFigure, costOf, reportedCost, spanCost, usageOf } from './cost';
export { type CostBreakdown, type UnpricedModel, SOURCE_LABEL, breakdownSource, costText, fmtUsd, knownUsd, unpricedNote, unpricedSentence } from './label';
export { type ModelCandidate, modelCandidates } from './normalize';
export { NO_OVERRIDES, type PriceOverrides, PricesFileError, parsePriceOverrides } from './overrides';
export { PriceBook } from './price-book';
export type { CostFigure, CostSource, PricePeriod, TokenRates, TokenUsage } from './types';
export { spanCosts, summaryCost } from './trace-cost';
