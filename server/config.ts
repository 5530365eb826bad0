/**
 * Every environment variable the server reads, in one zod schema, parsed once per
 * process (`serverConfig()`), typed, with errors that name the variable. Nothing else
 * in the app reads `process.env`, apart from the CLI's entry (bin/tracedeck.mjs hands
 * it to cli/main.ts, which passes it to the commands) and next.config.js (run by Next).
 *
 * Two kinds of variables:
 * - settings parsed here (sizes, limits, ports, flags, the database): a malformed one
 *   throws ConfigError, at start-up in `tracedeck serve` and on every request otherwise;
 * - texts with their own parser and error policy, kept raw here: the span-attribute
 *   rules and sampling (server/enrich-config.ts: logged and ignored at ingest), the
 *   LLM attribute map (logged and ignored, built-in keys used) and the auth keys
 *   (server/auth/config.ts: every request refused). `tracedeck serve` checks all of
 *   them strictly before it starts (server/config-check.ts).
 *
 * The CLI's client variables (TRACEDECK_URL, TRACEDECK_TOKEN, NO_COLOR, FORCE_COLOR)
 * are not here: `tracedeck trace`/`seed` talk to a server over HTTP and take them
 * from the environment cli/main.ts passes down.
 */
import { z } from 'zod';
import { parseFlag } from '../lib/flag';
import { DEFAULT_TENANT_KEY, type AttributeMapping, attributeMapping, parseAttributeMap } from '../lib/enrich/promoted-columns';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../lib/otlp/limits';
import { DEFAULT_INTERNAL_RULES, type InternalSpanRules, parseInternalRules } from '../lib/trace/internal-spans';

export type Env = Record<string, string | undefined>;

const MiB = 1024 * 1024;
const DAY_MS = 86_400_000;

/** TRACEDECK_RETENTION: `30d` (whole days: retention drops daily partitions), or `off`. */
function parseRetention(text: string): number | 'off' | null {
  if (/^off$/i.test(text)) return 'off';
  const m = /^(\d{1,5})d$/i.exec(text);
  return m && Number(m[1]) >= 1 ? Number(m[1]) * DAY_MS : null;
}

/** The database pool size of postgres.js (db/client.ts); the ingest gate lets about as many writes run. */
export const DEFAULT_MAX_INFLIGHT_INGEST = 10;
/** Where `tracedeck serve` and the gRPC listener bind unless told otherwise: this machine only. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;
/** OTLP's standard ports: Plano's zero-config start exports gRPC to :4317, SDKs default to HTTP on :4318. */
export const DEFAULT_GRPC_PORT = 4317;
export const DEFAULT_OTLP_HTTP_PORT = 4318;
export const DEFAULT_DATA_DIR = './.tracedeck/data';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * An optional variable: unset or blank gives `fallback`, otherwise `parse` gives its
 * value, or null when malformed ("must be <expected> (got '…')", prefixed with the name).
 */
function setting<T>(fallback: T, expected: string, parse: (text: string) => T | null) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = parse(raw.trim());
      if (value !== null) return value;
      ctx.addIssue({ code: 'custom', message: `must be ${expected} (got '${raw}')` });
      return z.NEVER;
    });
}

/** The session keys of Plano and the OpenTelemetry conventions, in the order they win. */
export const DEFAULT_SESSION_KEYS = ['session.id', 'plano.session_id', 'gen_ai.conversation.id'] as const;

/** `a, b,c` → ['a', 'b', 'c']; null when empty or a key is not a `where` key. */
function parseKeyList(text: string): string[] | null {
  const keys = text.split(',').map((k) => k.trim());
  return keys.length > 0 && keys.every((k) => /^[A-Za-z0-9_.:-]+$/.test(k)) ? keys : null;
}

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (text: string) => {
    const n = Number(text);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };
const positiveInt = <T extends number | undefined>(fallback: T) => setting<number | T>(fallback, 'a positive integer', integer(1));
const nonNegativeInt = <T extends number | undefined>(fallback: T) => setting<number | T>(fallback, 'a non-negative integer', integer(0));
const port = (fallback: number, min: number) => setting(fallback, `a port number (${min}-65535)`, (t) => (/^\d+$/.test(t) ? integer(min, 65535)(t) : null));
const flag = (fallback: boolean) => setting(fallback, 'true or false (1/0, yes/no, on/off)', parseFlag);
const text = <T extends string | undefined>(fallback: T) => setting<string | T>(fallback, 'a text', (t) => t);
/** Kept as written: its own parser reads it (see the header). */
const raw = z.string().optional();

const envSchema = z.object({
  // Database (db/client.ts)
  DATABASE_URL: text(undefined),
  TRACEDECK_DATA_DIR: text(DEFAULT_DATA_DIR),
  TRACEDECK_DB_SCHEMA: setting('public', 'a lowercase schema name (letters, digits, _)', (t) => (/^[a-z_][a-z0-9_]*$/.test(t) ? t : null)),
  TRACEDECK_PGLITE_WORKER: flag(true),
  // The web server (`tracedeck serve`); HOST wins over HOSTNAME (Next.js's name for it).
  PORT: port(DEFAULT_PORT, 1),
  HOST: text(undefined),
  HOSTNAME: text(undefined),
  // OTLP/HTTP ingest
  TRACEDECK_MAX_BODY_BYTES: positiveInt(8 * MiB),
  TRACEDECK_MAX_DECOMPRESSED_BYTES: positiveInt(64 * MiB),
  TRACEDECK_MAX_ATTRIBUTES_PER_SPAN: positiveInt(DEFAULT_INGEST_LIMITS.maxAttributes),
  TRACEDECK_MAX_ATTRIBUTE_VALUE_LENGTH: positiveInt(DEFAULT_INGEST_LIMITS.maxValueLength),
  TRACEDECK_MAX_ATTRIBUTE_DEPTH: positiveInt(DEFAULT_INGEST_LIMITS.maxDepth),
  TRACEDECK_MAX_EVENTS_PER_SPAN: positiveInt(DEFAULT_INGEST_LIMITS.maxEvents),
  TRACEDECK_MAX_LINKS_PER_SPAN: positiveInt(DEFAULT_INGEST_LIMITS.maxLinks),
  TRACEDECK_MAX_FUTURE_SKEW_SECONDS: positiveInt(DEFAULT_INGEST_LIMITS.maxFutureSkewMs / 1000),
  TRACEDECK_MAX_INFLIGHT_INGEST: positiveInt(DEFAULT_MAX_INFLIGHT_INGEST),
  TRACEDECK_MAX_QUEUED_INGEST: nonNegativeInt(undefined),
  TRACEDECK_INGEST_QUEUE_TIMEOUT_MS: positiveInt(5000),
  TRACEDECK_TENANT_KEY: text(DEFAULT_TENANT_KEY),
  // Sessions (/sessions): a trace's session is the first of these keys any of its spans carries.
  TRACEDECK_SESSION_KEYS: setting<string[]>([...DEFAULT_SESSION_KEYS], 'comma-separated attribute keys', parseKeyList),
  // Storage: whole days of spans older than this are dropped (db/maintenance.ts); `off` keeps everything.
  TRACEDECK_RETENTION: setting<number | 'off'>(30 * DAY_MS, 'a number of days such as 30d, or off', parseRetention),
  // Ingest: one append statement per tenant of a batch (Citus routes each to one shard); auto = when the citus extension is there.
  TRACEDECK_GROUP_BY_TENANT: setting<boolean | 'auto'>('auto', 'auto, or true or false (1/0, yes/no, on/off)', (t) =>
    /^auto$/i.test(t) ? 'auto' : parseFlag(t),
  ),
  // Charts: below this many traces in range the exact path answers (db/queries/metrics-rollup.ts has the default).
  TRACEDECK_ROLLUP_MIN_TRACES: setting<number | undefined>(undefined, 'a non-negative number', (t) =>
    Number.isFinite(Number(t)) && Number(t) >= 0 ? Number(t) : null,
  ),
  // OTLP listeners of `tracedeck serve` beside the web port: on by default, port 0 turns one off.
  TRACEDECK_GRPC: flag(true),
  TRACEDECK_GRPC_HOST: text(DEFAULT_HOST),
  TRACEDECK_GRPC_PORT: port(DEFAULT_GRPC_PORT, 0),
  TRACEDECK_GRPC_PID_FILE: text(undefined),
  TRACEDECK_OTLP_HTTP_HOST: text(DEFAULT_HOST),
  TRACEDECK_OTLP_HTTP_PORT: port(DEFAULT_OTLP_HTTP_PORT, 0),
  // Span-attribute rules and sampling (server/enrich-config.ts); '' is meaningful for the prefixes.
  // TRACEDECK_CONFIG=off: no Plano config, and `tracedeck serve` does not look for one either.
  TRACEDECK_CONFIG: text(undefined),
  // Gateway-internal spans the waterfall and `tracedeck trace --fold-internal` fold (lib/trace/internal-spans.ts).
  TRACEDECK_INTERNAL_SPANS: setting<InternalSpanRules>(DEFAULT_INTERNAL_RULES, 'service=…;name=… (comma-separated globs), or off', (t) => {
    try {
      return parseInternalRules(t);
    } catch {
      return null;
    }
  }),
  // Prices that add to or override the bundled catalog (server/pricing.ts reads the file).
  TRACEDECK_PRICES: text(undefined),
  TRACEDECK_HEADER_PREFIXES: raw,
  TRACEDECK_STATIC_ATTRIBUTES: raw,
  TRACEDECK_OVERRIDE_EXISTING: raw,
  TRACEDECK_SAMPLING: raw,
  TRACEDECK_ATTRIBUTE_MAP: raw,
  // Auth (server/auth/config.ts)
  TRACEDECK_INGEST_KEYS: raw,
  TRACEDECK_READ_TOKENS: raw,
  TRACEDECK_TENANT_SCOPED_KEYS: raw,
  // Next.js: where `next build` writes (also read by next.config.js, which Next runs itself).
  NEXT_DIST_DIR: text('.next'),
});

type ParsedEnv = z.infer<typeof envSchema>;

export type IngestGateOptions = { maxInFlight: number; maxQueued: number; maxWaitMs: number };

/** The database to open (server/db.ts turns it into db/client's options). */
export type DatabaseSettings = { url: string | null; dataDir: string; schemaName: string; pgliteWorker: boolean };

export type ServerConfig = {
  /** Largest OTLP request body accepted as received (compressed), bytes. */
  maxBodyBytes: number;
  /** Largest body after gzip decompression (gzip bomb cap), bytes. */
  maxDecompressedBytes: number;
  /** What one span may carry (lib/otlp/limits.ts); extras are dropped or truncated and reported as warnings. */
  ingestLimits: IngestLimits;
  /** Ingest backpressure (server/ingest/gate.ts): writes in flight, requests waiting, longest wait. */
  ingestGate: IngestGateOptions;
  /** The attribute that names the tenant. */
  tenantKey: string;
  /** The keys naming a trace's session, first present wins (TRACEDECK_SESSION_KEYS). */
  sessionKeys: string[];
  /** Past this many distinct values, a key's values are not suggested (ids). */
  maxCatalogValues: number;
  /** The keys feeding the LLM columns: built-ins, then TRACEDECK_ATTRIBUTE_MAP's. */
  attributeMapping: AttributeMapping;
  /** Why TRACEDECK_ATTRIBUTE_MAP was ignored, or null. */
  attributeMappingError: string | null;
  /** Below this many traces the charts skip the rollups (undefined: db/queries/metrics-rollup.ts's default). */
  rollupMinTraces: number | undefined;
  /** How long spans are kept (TRACEDECK_RETENTION), ms; null keeps everything. */
  retentionMs: number | null;
  /** TRACEDECK_GROUP_BY_TENANT: ingest writes a batch per tenant (db/ingest.ts StoreOptions.groupByTenant). */
  groupByTenant: boolean | 'auto';
  database: DatabaseSettings;
  /** `tracedeck serve`'s HTTP listener (its --port/--hostname win). */
  web: { port: number; hostname: string };
  /**
   * The OTLP/gRPC listener. `enabled` is what `tracedeck serve` runs (TRACEDECK_GRPC, on by default,
   * and a port other than 0); `trace listen` binds `port` as given (0: the OS picks).
   */
  grpc: { enabled: boolean; host: string; port: number; pidFile: string | null };
  /** The OTLP/HTTP listener beside the web port (POST /v1/traces, the same handler); port 0 turns it off. */
  otlpHttp: { enabled: boolean; host: string; port: number };
  /** The spans folded as gateway-internal (TRACEDECK_INTERNAL_SPANS; default: Plano's internal services). */
  internalSpans: InternalSpanRules;
  /** TRACEDECK_CONFIG is unset: `tracedeck serve` looks for Plano's config the way planoai does (server/plano-config.ts). */
  lookForPlanoConfig: boolean;
  /** Raw texts with their own parsers (server/enrich-config.ts). */
  enrichSources: {
    file: string | null;
    env: { TRACEDECK_HEADER_PREFIXES?: string; TRACEDECK_STATIC_ATTRIBUTES?: string; TRACEDECK_OVERRIDE_EXISTING?: string };
    sampling: string | undefined;
  };
  /** TRACEDECK_PRICES: a YAML or JSON file of model prices (server/pricing.ts), or null. */
  pricesFile: string | null;
  /** Raw texts of the auth keys (server/auth/config.ts). */
  authKeys: { TRACEDECK_INGEST_KEYS?: string; TRACEDECK_READ_TOKENS?: string; TRACEDECK_TENANT_SCOPED_KEYS?: string };
  nextDistDir: string;
};

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
}

/** TRACEDECK_ATTRIBUTE_MAP, or the built-in keys and the reason when it is malformed. */
function mappingFrom(text: string | undefined): { mapping: AttributeMapping; error: string | null } {
  try {
    return { mapping: attributeMapping(parseAttributeMap(text)), error: null };
  } catch (err) {
    return { mapping: attributeMapping(), error: err instanceof Error ? err.message : String(err) };
  }
}

function toConfig(e: ParsedEnv): ServerConfig {
  const mapping = mappingFrom(e.TRACEDECK_ATTRIBUTE_MAP);
  const retentionMs = e.TRACEDECK_RETENTION === 'off' ? null : e.TRACEDECK_RETENTION;
  return {
    maxBodyBytes: e.TRACEDECK_MAX_BODY_BYTES,
    maxDecompressedBytes: e.TRACEDECK_MAX_DECOMPRESSED_BYTES,
    ingestLimits: {
      maxAttributes: e.TRACEDECK_MAX_ATTRIBUTES_PER_SPAN,
      maxValueLength: e.TRACEDECK_MAX_ATTRIBUTE_VALUE_LENGTH,
      maxDepth: e.TRACEDECK_MAX_ATTRIBUTE_DEPTH,
      maxEvents: e.TRACEDECK_MAX_EVENTS_PER_SPAN,
      maxLinks: e.TRACEDECK_MAX_LINKS_PER_SPAN,
      maxFutureSkewMs: e.TRACEDECK_MAX_FUTURE_SKEW_SECONDS * 1000,
      maxAgeMs: retentionMs,
    },
    ingestGate: {
      maxInFlight: e.TRACEDECK_MAX_INFLIGHT_INGEST,
      maxQueued: e.TRACEDECK_MAX_QUEUED_INGEST ?? 4 * e.TRACEDECK_MAX_INFLIGHT_INGEST,
      maxWaitMs: e.TRACEDECK_INGEST_QUEUE_TIMEOUT_MS,
    },
    tenantKey: e.TRACEDECK_TENANT_KEY,
    sessionKeys: e.TRACEDECK_SESSION_KEYS,
    maxCatalogValues: 1000,
    attributeMapping: mapping.mapping,
    attributeMappingError: mapping.error,
    rollupMinTraces: e.TRACEDECK_ROLLUP_MIN_TRACES,
    retentionMs,
    groupByTenant: e.TRACEDECK_GROUP_BY_TENANT,
    database: { url: e.DATABASE_URL ?? null, dataDir: e.TRACEDECK_DATA_DIR, schemaName: e.TRACEDECK_DB_SCHEMA, pgliteWorker: e.TRACEDECK_PGLITE_WORKER },
    web: { port: e.PORT, hostname: e.HOST ?? e.HOSTNAME ?? DEFAULT_HOST },
    grpc: {
      enabled: e.TRACEDECK_GRPC && e.TRACEDECK_GRPC_PORT !== 0,
      host: e.TRACEDECK_GRPC_HOST,
      port: e.TRACEDECK_GRPC_PORT,
      pidFile: e.TRACEDECK_GRPC_PID_FILE ?? null,
    },
    otlpHttp: { enabled: e.TRACEDECK_OTLP_HTTP_PORT !== 0, host: e.TRACEDECK_OTLP_HTTP_HOST, port: e.TRACEDECK_OTLP_HTTP_PORT },
    lookForPlanoConfig: e.TRACEDECK_CONFIG === undefined,
    internalSpans: e.TRACEDECK_INTERNAL_SPANS,
    enrichSources: {
      file: e.TRACEDECK_CONFIG === undefined || /^off$/i.test(e.TRACEDECK_CONFIG) ? null : e.TRACEDECK_CONFIG,
      env: {
        TRACEDECK_HEADER_PREFIXES: e.TRACEDECK_HEADER_PREFIXES,
        TRACEDECK_STATIC_ATTRIBUTES: e.TRACEDECK_STATIC_ATTRIBUTES,
        TRACEDECK_OVERRIDE_EXISTING: e.TRACEDECK_OVERRIDE_EXISTING,
      },
      sampling: e.TRACEDECK_SAMPLING,
    },
    pricesFile: e.TRACEDECK_PRICES ?? null,
    authKeys: {
      TRACEDECK_INGEST_KEYS: e.TRACEDECK_INGEST_KEYS,
      TRACEDECK_READ_TOKENS: e.TRACEDECK_READ_TOKENS,
      TRACEDECK_TENANT_SCOPED_KEYS: e.TRACEDECK_TENANT_SCOPED_KEYS,
    },
    nextDistDir: e.NEXT_DIST_DIR,
  };
}

/** Parses an environment. Throws ConfigError naming every malformed setting. No logging, no caching. */
export function loadConfig(env: Env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  return toConfig(parsed.data);
}

let cached: ServerConfig | undefined;

/**
 * The process's configuration, parsed on first use and kept. A malformed setting
 * throws (and is not cached, so each caller hears of it); a malformed
 * TRACEDECK_ATTRIBUTE_MAP is logged once and the built-in keys are used.
 */
export function serverConfig(): ServerConfig {
  if (cached) return cached;
  const config = loadConfig(process.env);
  if (config.attributeMappingError) console.error(`[tracedeck] ${config.attributeMappingError}; the built-in keys are used`);
  cached = config;
  return config;
}

/** Forgets the parsed configuration, so the next `serverConfig()` reads process.env again (tests that set variables). */
export function resetConfigForTests(): void {
  cached = undefined;
}

/** Ingest backpressure settings of this process. */
export function ingestGateOptions(): IngestGateOptions {
  return serverConfig().ingestGate;
}

/** Span limits of this process. */
export function ingestLimits(): IngestLimits {
  return serverConfig().ingestLimits;
}

/**
 * Next.js's own variables, read literally: Next inlines `process.env.NODE_ENV` and
 * `process.env.NEXT_RUNTIME` at build time, which a parse of the whole environment
 * would defeat.
 */
export function isDevelopment(): boolean {
  return process.env.NODE_ENV === 'development';
}

/** True in the Node.js server runtime (instrumentation.ts runs in every runtime Next starts). */
export function isNodeRuntime(): boolean {
  return process.env.NEXT_RUNTIME === 'nodejs';
}
