/**
 * Configuration of the span-attribute rules applied at ingest (lib/enrich/rules.ts).
 *
 * Pure: the file named by `TRACEDECK_CONFIG` is read, and the environment taken, by
 * server/enrich-config.ts; this module parses what they hand it.
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
 * (lib/enrich/sampling.ts) as `plano=<percent>`, unless TRACEDECK_SAMPLING is set:
 * see `samplingSettingFor`.
 */
import { parse as parseYaml } from 'yaml';
import { parseFlag } from '../flag';

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

/** The environment forms of the rules (unset: the file or the defaults decide). */
export type EnrichEnv = {
  TRACEDECK_HEADER_PREFIXES?: string;
  TRACEDECK_STATIC_ATTRIBUTES?: string;
  TRACEDECK_OVERRIDE_EXISTING?: string;
};

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
  const flag = parseFlag(text);
  if (flag === null) throw new EnrichConfigError(`${name} must be true or false (got '${text}')`);
  return flag;
}

/** The tracing block given by environment variables (only what is set). */
export function tracingBlockFromEnv(env: EnrichEnv): TracingBlock {
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
 * The rules from the text of the TRACEDECK_CONFIG file (when one is named), over the
 * environment forms, over the defaults. Throws EnrichConfigError naming what is malformed.
 */
export function enrichConfigFrom(file: { path: string; text: string } | null, env: EnrichEnv): EnrichConfig {
  const fromEnv = tracingBlockFromEnv(env);
  if (!file) return resolveEnrichConfig(null, fromEnv, Object.keys(fromEnv).length > 0 ? 'environment' : 'defaults');
  return resolveEnrichConfig(parseConfigYaml(file.text, file.path), fromEnv, file.path);
}

/**
 * The sampling setting in effect (lib/enrich/sampling.ts syntax). Plano's
 * `tracing.random_sampling: N` means Plano keeps N% of requests, so each stored Plano
 * trace stands for 100/N: without an explicit TRACEDECK_SAMPLING it becomes `plano=N`
 * (Plano's service names start with "plano"). An explicit TRACEDECK_SAMPLING always wins.
 * '' when neither says anything.
 */
export function samplingSettingFor(config: EnrichConfig, explicit: string | undefined): string {
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  const n = config.randomSampling;
  return n === null || n <= 0 || n >= 100 ? '' : `plano=${n}`;
}

/** One line for start-up logs. */
export function describeEnrichConfig(config: EnrichConfig): string {
  const r = config.spanAttributes;
  const prefixes = r.headerPrefixes.length > 0 ? r.headerPrefixes.join(', ') : '(none)';
  const statics = Object.keys(r.static).length;
  return `span attributes from ${config.source}: header prefixes ${prefixes}; ${statics} static attribute${statics === 1 ? '' : 's'}${r.overrideExisting ? '; override existing' : ''}`;
}
