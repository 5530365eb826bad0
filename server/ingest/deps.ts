/**
 * The receive path's dependencies in the running server: the process-wide database,
 * server/config's auth, limits, gate and enrich settings, and console.error.
 * The one place where server/ingest reads configuration: everything below it takes
 * these as arguments.
 */
import type { EnrichOptions } from '../../lib/enrich/enrich';
import type { EnrichConfig } from '../../lib/enrich/config';
import { authenticate } from '../auth/principal';
import { ingestGateOptions, serverConfig } from '../config';
import { getDb } from '../db';
import { enrichSettings } from '../enrich-config';
import type { ReceiveDeps, ReceiveSettings } from './receive';

export type PromotionOptions = Pick<EnrichOptions, 'tenantKey' | 'attributeMapping' | 'sampling'>;

/** Tenant key, attribute mapping and sampling from server/config (what lib/enrich's enrichSpan needs). */
export function processPromotionOptions(): PromotionOptions {
  const config = serverConfig();
  return { tenantKey: config.tenantKey, attributeMapping: config.attributeMapping, sampling: enrichSettings(config).sampling.config };
}

/**
 * The enrich step's settings from the environment. `rules` replaces the span-attribute
 * rules of TRACEDECK_CONFIG and the environment.
 */
export function processEnrichOptions(rules?: EnrichConfig): Omit<EnrichOptions, 'headers' | 'forcedTenant'> {
  return { ...processPromotionOptions(), rules: rules ?? enrichSettings().rules };
}

/** The settings in force now (server/config parses once; server/enrich-config rechecks the TRACEDECK_CONFIG file every few seconds). */
export function processReceiveSettings(rules?: EnrichConfig): ReceiveSettings {
  const { maxBodyBytes, maxDecompressedBytes, ingestLimits, groupByTenant } = serverConfig();
  return { maxBodyBytes, maxDecompressedBytes, ingestLimits, gate: ingestGateOptions(), enrich: processEnrichOptions(rules), groupByTenant };
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
