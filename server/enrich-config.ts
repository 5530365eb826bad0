/**
 * The span-attribute rules and the sampling setting in effect at ingest, worked out
 * from server/config.ts's raw texts and the YAML file named by TRACEDECK_CONFIG
 * (read here; lib/enrich/config.ts parses it).
 *
 * The sampling setting is computed here, once, from TRACEDECK_SAMPLING or else the
 * file's `random_sampling`, and handed down as a parsed SamplingConfig (through
 * server/ingest/deps.ts to the enrich step), never written back into the environment.
 *
 * Two policies:
 * - `loadEnrichSettingsStrict`: start-up (`tracedeck serve`, `trace listen`, the
 *   in-server gRPC listener); a missing or malformed file or setting throws EnrichConfigError.
 * - `enrichSettings`: ingest. Never throws: a malformed setting is logged once and
 *   ignored, so a typo cannot make the receiver drop spans.
 *
 * Reloading is time-based: while ingest asks, the file's mtime and size are checked
 * at most once every RECHECK_MS, and the settings are rebuilt when they changed (so an
 * edited Plano config applies without a restart, and a request never pays a stat).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type EnrichConfig, EnrichConfigError, enrichConfigFrom, resolveEnrichConfig, samplingSettingFor, tracingBlockFromEnv } from '../lib/enrich/config';
import { NO_SAMPLING, type SamplingConfig, parseSamplingConfig } from '../lib/enrich/sampling';
import { type ServerConfig, serverConfig } from './config';
import { reloadedFromFile } from './reloaded-file';

export { RECHECK_MS } from './reloaded-file';

/** How often ingest may look at the TRACEDECK_CONFIG file for changes. */

export type SamplingSettings = {
  config: SamplingConfig;
  /** The setting as written ('' when none), for /api/metrics. */
  setting: string;
  /** Why the setting was ignored, or null. */
  error: string | null;
};

export type EnrichSettings = { rules: EnrichConfig; sampling: SamplingSettings };

/** The file's path and text. Throws EnrichConfigError when it cannot be read. */
function readConfigFile(file: string): { path: string; text: string } {
  const full = path.resolve(/* turbopackIgnore: true */ file);
  try {
    return { path: full, text: fs.readFileSync(/* turbopackIgnore: true */ full, 'utf8') };
  } catch (err) {
    throw new EnrichConfigError(`TRACEDECK_CONFIG: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function samplingFrom(rules: EnrichConfig, explicit: string | undefined): SamplingSettings {
  const setting = samplingSettingFor(rules, explicit);
  const parsed = parseSamplingConfig(setting);
  return parsed.ok ? { config: parsed.config, setting, error: null } : { config: NO_SAMPLING, setting, error: parsed.error };
}

/** The rules from the file and the environment forms. Throws EnrichConfigError. */
function rulesFrom(config: ServerConfig): EnrichConfig {
  const { file, env } = config.enrichSources;
  return enrichConfigFrom(file ? readConfigFile(file) : null, env);
}

/** The settings, or EnrichConfigError for the first malformed file, variable or sampling setting. */
export function loadEnrichSettingsStrict(config: ServerConfig): EnrichSettings {
  const rules = rulesFrom(config);
  const settings = { rules, sampling: samplingFrom(rules, config.enrichSources.sampling) };
  if (settings.sampling.error) throw new EnrichConfigError(settings.sampling.error);
  return settings;
}

const logged = new Set<string>();

/** Logs each distinct problem once per process (ingest asks on every request). */
function logOnce(message: string): void {
  if (logged.has(message)) return;
  logged.add(message);
  console.error(`[tracedeck] ${message}`);
}

/** What the rules fall back to when the strict load fails: the environment forms alone when the file was the problem, else the defaults. */
function fallbackRules(config: ServerConfig): EnrichConfig {
  try {
    if (config.enrichSources.file) return resolveEnrichConfig(null, tracingBlockFromEnv(config.enrichSources.env), 'environment');
  } catch {
    /* the environment is malformed too: defaults */
  }
  return resolveEnrichConfig(null, {}, 'defaults');
}

/** The settings for ingest: problems are logged once and ignored. */
function loadEnrichSettingsLenient(config: ServerConfig): EnrichSettings {
  let rules: EnrichConfig;
  try {
    rules = rulesFrom(config);
  } catch (err) {
    logOnce(`${err instanceof Error ? err.message : String(err)}; span-attribute rules ignore it`);
    rules = fallbackRules(config);
  }
  const sampling = samplingFrom(rules, config.enrichSources.sampling);
  if (sampling.error) logOnce(`${sampling.error}; sampling setting ignored`);
  return { rules, sampling };
}

/** The settings in effect for ingest (see the header for reloading). `nowMs` is for tests. */
export function enrichSettings(config: ServerConfig = serverConfig(), nowMs = Date.now()): EnrichSettings {
  return settingsFollowingFile(config, nowMs);
}

const settingsFollowingFile = reloadedFromFile((config) => config.enrichSources.file, loadEnrichSettingsLenient);
