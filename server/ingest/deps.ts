/**
 * The receive path's dependencies in the running server: the process-wide database,
 * the environment's auth, limits, gate and enrich settings, and console.error.
 * The one place where server/ingest reads configuration: everything below it takes
 * these as arguments.
 */
import { getDb } from '../../db/client';
import type { EnrichOptions } from '../../lib/enrich/enrich';
import { type EnrichConfig, enrichConfig } from '../../lib/enrich/config';
import { attributeMapping, tenantKey } from '../../lib/enrich/promoted-columns';
import { samplingConfig } from '../../lib/enrich/sampling';
import { authenticate } from '../auth/principal';
import { ingestGateOptions, serverConfig } from '../config';
import type { ReceiveDeps, ReceiveSettings } from './receive';

export type PromotionOptions = Pick<EnrichOptions, 'tenantKey' | 'attributeMapping' | 'sampling'>;

/** Tenant key, attribute mapping and sampling from the environment (what lib/enrich's enrichSpan needs). */
export function processPromotionOptions(): PromotionOptions {
  return { tenantKey: tenantKey(), attributeMapping: attributeMapping(), sampling: samplingConfig() };
}

/**
 * The enrich step's settings from the environment. `rules` replaces the span-attribute
 * rules of TRACEDECK_CONFIG and the environment.
 */
export function processEnrichOptions(rules?: EnrichConfig): Omit<EnrichOptions, 'headers' | 'forcedTenant'> {
  // enrichConfig() first: a `random_sampling` in TRACEDECK_CONFIG feeds TRACEDECK_SAMPLING, read just after.
  const resolvedRules = rules ?? enrichConfig();
  return { ...processPromotionOptions(), rules: resolvedRules };
}

/** The settings in force now (read per request: they follow the environment). */
export function processReceiveSettings(rules?: EnrichConfig): ReceiveSettings {
  const { maxBodyBytes, maxDecompressedBytes, ingestLimits } = serverConfig();
  return { maxBodyBytes, maxDecompressedBytes, ingestLimits, gate: ingestGateOptions(), enrich: processEnrichOptions(rules) };
}

export type ReceiveOverrides = Partial<Pick<ReceiveDeps, 'getDb' | 'logError'>> & {
  /** Span-attribute rules to use instead of the configured ones. */
  rules?: EnrichConfig;
};

export function processReceiveDeps(overrides: ReceiveOverrides = {}): ReceiveDeps {
  return {
    settings: () => processReceiveSettings(overrides.rules),
    authenticate: (headers) => authenticate(headers, 'ingest'),
    getDb: overrides.getDb ?? getDb,
    logError: overrides.logError ?? ((message) => console.error(message)),
  };
}
