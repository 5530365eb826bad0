/**
 * Auth settings from the environment, validated with zod. Nothing is required by
 * default: with no keys configured every endpoint is open (the local-development
 * case), and `tracedeck serve` warns when it binds a non-loopback address that way.
 *
 * - `TRACEDECK_INGEST_KEYS`: keys accepted on POST /v1/traces and OTLP/gRPC Export
 *   (comma- or whitespace-separated). Spans keep the tenant they carry.
 * - `TRACEDECK_READ_TOKENS`: tokens accepted by the UI and the read API; they see every tenant.
 * - `TRACEDECK_TENANT_SCOPED_KEYS`: `key=tenant[,key=tenant…]` (split at the last `=`, so
 *   base64 padding in a key is fine) or a JSON object `{"key": "tenant"}`. A scoped key
 *   both ingests and reads, for its tenant only: its spans get that tenant forced and
 *   its reads see nothing else.
 *
 * Ingest requires a key as soon as an ingest or scoped key is configured; reads require
 * a token as soon as a read token or scoped key is configured. A key may be listed in
 * both unscoped lists (ingest and read), but never both scoped and unscoped.
 *
 * Error messages name the variable and the entry's position, never the secret.
 */
import { z } from 'zod';
import { serverConfig } from '../config';
import { secretDigest } from './compare';

export const MIN_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 4096;

type Env = Record<string, string | undefined>;

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/** One configured secret: what it may do and, when scoped, its tenant. */
export type Credential = { digest: Buffer; ingest: boolean; read: boolean; tenant: string | null };

export type AuthConfig = {
  credentials: Credential[];
  /** A key is needed to send spans. */
  ingestRequired: boolean;
  /** A token is needed to read (UI pages and the read API). */
  readRequired: boolean;
  counts: { ingestKeys: number; readTokens: number; tenantKeys: number; tenants: number };
};

const keySchema = z
  .string()
  .min(MIN_KEY_LENGTH, `is shorter than ${MIN_KEY_LENGTH} characters`)
  .max(MAX_KEY_LENGTH, `is longer than ${MAX_KEY_LENGTH} characters`)
  .regex(/^[\x21-\x2b\x2d-\x7e]+$/, 'may only hold printable ASCII characters other than spaces and commas');

const tenantSchema = z.string().trim().min(1, 'names an empty tenant').max(256, 'names a tenant longer than 256 characters');

const scopedJsonSchema = z.record(z.string(), z.string());

function fail(variable: string, where: string, issue: z.ZodError | string): never {
  const message = typeof issue === 'string' ? issue : (issue.issues[0]?.message ?? 'is invalid');
  throw new AuthConfigError(`${variable}: ${where} ${message}`);
}

/** `a,b c` → ['a', 'b', 'c']. */
export function parseKeyList(text: string | undefined, variable: string): string[] {
  const keys = (text ?? '').split(/[\s,]+/).filter((k) => k !== '');
  keys.forEach((key, i) => {
    const result = keySchema.safeParse(key);
    if (!result.success) fail(variable, `key #${i + 1}`, result.error);
  });
  return [...new Set(keys)];
}

/** `key=tenant,…` or `{"key":"tenant",…}` → [key, tenant][]. */
export function parseScopedKeys(text: string | undefined, variable = 'TRACEDECK_TENANT_SCOPED_KEYS'): [string, string][] {
  const raw = (text ?? '').trim();
  if (raw === '') return [];
  let pairs: [string, string][];
  if (raw.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch {
      fail(variable, 'the value', 'starts with { but is not valid JSON');
    }
    const parsed = scopedJsonSchema.safeParse(doc);
    if (!parsed.success) fail(variable, 'the value', 'must be a JSON object of "key": "tenant" strings');
    pairs = Object.entries(parsed.data);
  } else {
    pairs = raw
      .split(/[,\n]+/)
      .map((e) => e.trim())
      .filter((e) => e !== '')
      .map((entry, i): [string, string] => {
        const eq = entry.lastIndexOf('=');
        if (eq <= 0) fail(variable, `entry #${i + 1}`, 'must be key=tenant');
        return [entry.slice(0, eq).trim(), entry.slice(eq + 1)];
      });
  }
  const seen = new Map<string, string>();
  return pairs.map(([key, tenantText], i) => {
    const k = keySchema.safeParse(key);
    if (!k.success) fail(variable, `key #${i + 1}`, k.error);
    const t = tenantSchema.safeParse(tenantText);
    if (!t.success) fail(variable, `entry #${i + 1}`, t.error);
    const previous = seen.get(key);
    if (previous !== undefined && previous !== t.data) fail(variable, `key #${i + 1}`, 'is mapped to two tenants');
    seen.set(key, t.data);
    return [key, t.data];
  });
}

/** Parses and checks the three variables. Throws AuthConfigError. */
export function parseAuthConfig(env: Env): AuthConfig {
  const ingestKeys = parseKeyList(env.TRACEDECK_INGEST_KEYS, 'TRACEDECK_INGEST_KEYS');
  const readTokens = parseKeyList(env.TRACEDECK_READ_TOKENS, 'TRACEDECK_READ_TOKENS');
  const scoped = new Map(parseScopedKeys(env.TRACEDECK_TENANT_SCOPED_KEYS));
  for (const key of [...ingestKeys, ...readTokens]) {
    if (scoped.has(key)) {
      throw new AuthConfigError(
        'TRACEDECK_TENANT_SCOPED_KEYS: a scoped key is also listed in TRACEDECK_INGEST_KEYS or TRACEDECK_READ_TOKENS (a key is either scoped or not)',
      );
    }
  }
  const credentials: Credential[] = [];
  for (const key of new Set([...ingestKeys, ...readTokens])) {
    credentials.push({ digest: secretDigest(key), ingest: ingestKeys.includes(key), read: readTokens.includes(key), tenant: null });
  }
  for (const [key, tenant] of scoped) credentials.push({ digest: secretDigest(key), ingest: true, read: true, tenant });
  return {
    credentials,
    ingestRequired: ingestKeys.length > 0 || scoped.size > 0,
    readRequired: readTokens.length > 0 || scoped.size > 0,
    counts: { ingestKeys: ingestKeys.length, readTokens: readTokens.length, tenantKeys: scoped.size, tenants: new Set(scoped.values()).size },
  };
}

export type AuthState = { ok: true; config: AuthConfig } | { ok: false; error: string };

let cache: { source: string; state: AuthState } | undefined;
let loggedError: string | null = null;

/**
 * The configuration in effect (the process's, from server/config.ts, unless `env`
 * is given), parsed once per distinct value. Never throws: a malformed setting gives
 * `{ ok: false }`, which every check treats as "deny" (fail closed), logged once.
 * `tracedeck serve` checks strictly at start-up instead.
 */
export function authState(env: Env = serverConfig().authKeys): AuthState {
  const source = JSON.stringify([env.TRACEDECK_INGEST_KEYS, env.TRACEDECK_READ_TOKENS, env.TRACEDECK_TENANT_SCOPED_KEYS]);
  if (cache?.source === source) return cache.state;
  let state: AuthState;
  try {
    state = { ok: true, config: parseAuthConfig(env) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (error !== loggedError) console.error(`[tracedeck] ${error}; every request is refused until it is fixed`);
    loggedError = error;
    state = { ok: false, error };
  }
  cache = { source, state };
  return state;
}

/** One line for start-up logs (counts only, never keys). */
export function describeAuth(config: AuthConfig): string {
  const { ingestKeys, readTokens, tenantKeys, tenants } = config.counts;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const scoped = tenantKeys > 0 ? `, ${plural(tenantKeys, 'tenant-scoped key')} for ${plural(tenants, 'tenant')}` : '';
  const ingest = config.ingestRequired ? `ingest requires a key (${plural(ingestKeys, 'ingest key')}${scoped})` : 'ingest is open';
  const read = config.readRequired ? `reads require a token (${plural(readTokens, 'read token')}${scoped})` : 'reads are open';
  return `auth: ${ingest}; ${read}`;
}
