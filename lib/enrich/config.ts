/**
 * Configuration of the span-attribute rules applied at ingest (lib/enrich/rules.ts).
 *
 * Sources, first found wins per setting:
 * 1. the YAML file named by `TRACEDECK_CONFIG`. It may be Plano's own config file:
 *    its `tracing:` block is read and everything else is ignored. A file without
 *    a `tracing:` key is read as the tracing block itself.
 *
 *    ```yaml
 *    tracing:
 *      random_sampling: 20
 *      span_attributes:
 *        header_prefixes: [x-katanemo-]
 *        static: { environment: production }
 *        override_existing: false     # Tracedeck's own key (Plano has none)
 *    ```
 * 2. the environment: `TRACEDECK_HEADER_PREFIXES=x-katanemo-,x-acme-`,
 *    `TRACEDECK_STATIC_ATTRIBUTES=environment=production,service.version=2.1.0`
 *    (OTEL_RESOURCE_ATTRIBUTES syntax: comma-separated, values percent-decoded),
 *    `TRACEDECK_OVERRIDE_EXISTING=true`;
 * 3. defaults: header prefix `x-katanemo-` (Plano's), no static attributes,
 *    attributes already on a span win. An explicitly empty prefix list
 *    (`header_prefixes: []` or `TRACEDECK_HEADER_PREFIXES=`) turns header mapping off.
 *
 * `random_sampling` (percent of requests Plano traces) feeds the sampling weights
 * through `TRACEDECK_SAMPLING` (lib/enrich/sampling.ts) as `plano=<percent>`, unless
 * TRACEDECK_SAMPLING is set: see `applyRandomSampling`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const DEFAULT_HEADER_PREFIXES: readonly string[] = ['x-katanemo-'];

export type SpanAttributeRules = {
  /** Lowercase header-name prefixes; empty: no header is mapped. */
  headerPrefixes: string[];
  /** Attributes added to every span. */
  static: Record<string, string>;
  /** true: header-derived and static attributes replace attributes already on the span. */
  overrideExisting: boolean;
};

export type EnrichConfig = {
  spanAttributes: SpanAttributeRules;
  /** Plano's `tracing.random_sampling` (percent in (0, 100]), or null when not configured. */
  randomSampling: number | null;
  /** Where the settings came from, for logs: the YAML path, "environment" or "defaults". */
  source: string;
};

export class EnrichConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnrichConfigError';
  }
}

/** A `tracing:` block as found in the YAML; every field optional. */
export type TracingBlock = {
  headerPrefixes?: string[];
  static?: Record<string, string>;
  overrideExisting?: boolean;
  randomSampling?: number;
};

type Env = Record<string, string | undefined>;

/** `map[key] = value` that defines `__proto__` as an own key instead of changing the prototype. */
export function putOwn<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Trimmed, lowercased, non-empty prefixes, duplicates dropped (an empty prefix would match every header). */
export function normalizePrefixes(prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of prefixes) {
    const t = p.trim().toLowerCase();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return null;
}

/**
 * Reads the tracing block out of a parsed YAML document (Plano's whole config, or
 * just the block). Throws EnrichConfigError naming the offending key.
 */
export function tracingBlockFromDocument(doc: unknown, where = 'config'): TracingBlock {
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new EnrichConfigError(`${where}: expected a mapping at the top level`);
  const tracing = 'tracing' in doc ? doc.tracing : doc;
  if (tracing === null || tracing === undefined) return {};
  if (!isRecord(tracing)) throw new EnrichConfigError(`${where}: 'tracing' must be a mapping`);
  const block: TracingBlock = {};

  const sampling = tracing.random_sampling;
  if (sampling !== undefined && sampling !== null) {
    const n = typeof sampling === 'string' ? Number(sampling.trim().replace(/%$/, '')) : sampling;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new EnrichConfigError(`${where}: tracing.random_sampling must be a percent between 0 and 100 (got ${JSON.stringify(sampling)})`);
    }
    block.randomSampling = n;
  }

  const attrs = tracing.span_attributes;
  if (attrs === undefined || attrs === null) return block;
  if (!isRecord(attrs)) throw new EnrichConfigError(`${where}: tracing.span_attributes must be a mapping`);

  const prefixes = attrs.header_prefixes;
  if (prefixes !== undefined) {
    const list = prefixes === null ? [] : typeof prefixes === 'string' ? [prefixes] : prefixes;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      throw new EnrichConfigError(`${where}: tracing.span_attributes.header_prefixes must be a list of strings`);
    }
    block.headerPrefixes = list as string[];
  }

  const statics = attrs.static;
  if (statics !== undefined && statics !== null) {
    if (!isRecord(statics)) throw new EnrichConfigError(`${where}: tracing.span_attributes.static must be a mapping of key: value`);
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(statics)) {
      const text = scalarText(value);
      if (text === null) throw new EnrichConfigError(`${where}: tracing.span_attributes.static.${key} must be a string, number or boolean`);
      if (key.trim() !== '') putOwn(out, key.trim(), text);
    }
    block.static = out;
  }

  const override = attrs.override_existing;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'boolean') throw new EnrichConfigError(`${where}: tracing.span_attributes.override_existing must be true or false`);
    block.overrideExisting = override;
  }
  return block;
}

/** Parses YAML text into a tracing block (see tracingBlockFromDocument). */
export function parseConfigYaml(text: string, where = 'config'): TracingBlock {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new EnrichConfigError(`${where}: invalid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return tracingBlockFromDocument(doc, where);
}

/** `k=v,k2=v%2C2` (OTEL_RESOURCE_ATTRIBUTES syntax) → map. Throws on an entry without '='. */
export function parseStaticAttributes(text: string, name = 'TRACEDECK_STATIC_ATTRIBUTES'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (key === '') throw new EnrichConfigError(`${name}: expected key=value[,key=value…] (got '${entry}')`);
    let value = entry.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      /* not percent-encoded: keep as written */
    }
    putOwn(out, key, value);
  }
  return out;
}

function parseBool(text: string, name: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
  throw new EnrichConfigError(`${name} must be true or false (got '${text}')`);
}

/** The tracing block given by environment variables (only what is set). */
export function tracingBlockFromEnv(env: Env): TracingBlock {
  const block: TracingBlock = {};
  if (env.TRACEDECK_HEADER_PREFIXES !== undefined) block.headerPrefixes = env.TRACEDECK_HEADER_PREFIXES.split(',');
  if (env.TRACEDECK_STATIC_ATTRIBUTES !== undefined) block.static = parseStaticAttributes(env.TRACEDECK_STATIC_ATTRIBUTES);
  if (env.TRACEDECK_OVERRIDE_EXISTING !== undefined) block.overrideExisting = parseBool(env.TRACEDECK_OVERRIDE_EXISTING, 'TRACEDECK_OVERRIDE_EXISTING');
  return block;
}

/** Merges the file's block over the environment's over the defaults. */
export function resolveEnrichConfig(file: TracingBlock | null, env: TracingBlock, source: string): EnrichConfig {
  const pick = <K extends keyof TracingBlock>(key: K): TracingBlock[K] => (file?.[key] !== undefined ? file[key] : env[key]);
  const prefixes = pick('headerPrefixes');
  return {
    spanAttributes: {
      headerPrefixes: normalizePrefixes(prefixes ?? DEFAULT_HEADER_PREFIXES),
      static: { ...(pick('static') ?? {}) },
      overrideExisting: pick('overrideExisting') ?? false,
    },
    randomSampling: pick('randomSampling') ?? null,
    source,
  };
}

/**
 * Reads the configuration from `TRACEDECK_CONFIG` and the environment. Throws
 * EnrichConfigError when the file is missing or malformed (used at start-up, where
 * a bad config must stop the process).
 */
export function loadEnrichConfigStrict(env: Env = process.env): EnrichConfig {
  const file = env.TRACEDECK_CONFIG?.trim();
  const fromEnv = tracingBlockFromEnv(env);
  if (!file) {
    const anyEnv = Object.keys(fromEnv).length > 0;
    return resolveEnrichConfig(null, fromEnv, anyEnv ? 'environment' : 'defaults');
  }
  const full = path.resolve(/* turbopackIgnore: true */ file);
  let text: string;
  try {
    text = fs.readFileSync(/* turbopackIgnore: true */ full, 'utf8');
  } catch (err) {
    throw new EnrichConfigError(`TRACEDECK_CONFIG: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return resolveEnrichConfig(parseConfigYaml(text, full), fromEnv, full);
}

const EMPTY_BLOCK: TracingBlock = {};
let cache: { key: string; config: EnrichConfig } | undefined;
let lastError: string | null = null;

function cacheKey(env: Env): string {
  const file = env.TRACEDECK_CONFIG?.trim() ?? '';
  let stamp = '';
  if (file) {
    try {
      const st = fs.statSync(/* turbopackIgnore: true */ file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      stamp = 'missing';
    }
  }
  return JSON.stringify([file, stamp, env.TRACEDECK_HEADER_PREFIXES, env.TRACEDECK_STATIC_ATTRIBUTES, env.TRACEDECK_OVERRIDE_EXISTING]);
}

/**
 * The configuration for ingest, cached until the file (by mtime and size) or the
 * variables change. Never throws: a malformed setting is logged once and the
 * defaults are used, so a typo cannot make the receiver drop spans (start-up
 * checks with loadEnrichConfigStrict are where it fails loudly).
 */
export function enrichConfig(env: Env = process.env): EnrichConfig {
  const key = cacheKey(env);
  if (cache?.key === key) return cache.config;
  let config: EnrichConfig;
  try {
    config = loadEnrichConfigStrict(env);
    lastError = null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message !== lastError) console.error(`[tracedeck] ${message}; span-attribute rules ignore it`);
    lastError = message;
    config = resolveEnrichConfig(null, EMPTY_BLOCK, 'defaults');
    try {
      // The file was the problem: keep what the environment says.
      if (env.TRACEDECK_CONFIG?.trim()) config = resolveEnrichConfig(null, tracingBlockFromEnv(env), 'environment');
    } catch {
      /* the environment is malformed too: defaults */
    }
  }
  applyRandomSampling(config, env);
  cache = { key, config };
  return config;
}

/** Why the last configuration load failed, or null. */
export function enrichConfigError(): string | null {
  return lastError;
}

/**
 * Plano's `tracing.random_sampling: N` means Plano keeps N% of requests, so each
 * stored Plano trace stands for 100/N. The sampling weights read TRACEDECK_SAMPLING
 * (lib/enrich/sampling.ts); when it is unset, it is set here to `plano=N` (Plano's
 * service names start with "plano"). An explicit TRACEDECK_SAMPLING always wins.
 * Returns the setting applied, or null.
 */
export function applyRandomSampling(config: EnrichConfig, env: Env = process.env): string | null {
  const n = config.randomSampling;
  if (n === null || n <= 0 || n >= 100) return null;
  if (env.TRACEDECK_SAMPLING !== undefined && env.TRACEDECK_SAMPLING.trim() !== '') return null;
  const setting = `plano=${n}`;
  env.TRACEDECK_SAMPLING = setting;
  return setting;
}

/** One line for start-up logs. */
export function describeEnrichConfig(config: EnrichConfig): string {
  const r = config.spanAttributes;
  const prefixes = r.headerPrefixes.length > 0 ? r.headerPrefixes.join(', ') : '(none)';
  const statics = Object.keys(r.static).length;
  return `span attributes from ${config.source}: header prefixes ${prefixes}; ${statics} static attribute${statics === 1 ? '' : 's'}${r.overrideExisting ? '; override existing' : ''}`;
}
