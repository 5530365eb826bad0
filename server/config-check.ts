/**
 * The start-up check of `tracedeck serve` and `tracedeck trace listen`: every
 * setting parsed strictly, so a typo stops the command with the variable's name.
 * Once running, the same typo would be logged and ignored (span-attribute rules,
 * sampling, the LLM attribute map) or refuse every request (auth keys).
 */
import { EnrichConfigError } from '../lib/enrich/config';
import { type AuthConfig, AuthConfigError, parseAuthConfig } from './auth/config';
import { ConfigError, type Env, type ServerConfig, loadConfig } from './config';
import { type EnrichSettings, loadEnrichSettingsStrict } from './enrich-config';
import { PricesFileError } from '../lib/pricing';
import { loadPricingStrict } from './pricing';

export type CheckedConfig = { config: ServerConfig; enrich: EnrichSettings; auth: AuthConfig };

/** Parses `env` strictly. Throws ConfigError with the message of the first problem found. */
export function checkConfigStrict(env: Env): CheckedConfig {
  try {
    const config = loadConfig(env);
    if (config.attributeMappingError) throw new ConfigError(config.attributeMappingError);
    const checked = { config, enrich: loadEnrichSettingsStrict(config), auth: parseAuthConfig(config.authKeys) };
    loadPricingStrict(config.pricesFile);
    return checked;
  } catch (err) {
    if (err instanceof EnrichConfigError || err instanceof AuthConfigError || err instanceof PricesFileError) throw new ConfigError(err.message);
    throw err;
  }
}
