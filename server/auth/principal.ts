/**
 * Request → principal. The credential is read from, in order:
 * `Authorization: Bearer <key>` (or `Basic`, whose password is the key, for clients
 * that only do basic auth), `x-tracedeck-key: <key>`, and — for reads only — the
 * HttpOnly cookie set by /login. Tokens never travel in URLs.
 *
 * Headers come as a fetch `Headers`, or a plain map (Node's IncomingHttpHeaders,
 * gRPC metadata: lowercase names, string or string[] values; Buffers are ignored).
 */
import { findByDigest } from './compare';
import { type AuthConfig, authState } from './config';
import { TOKEN_COOKIE, cookieValue } from './cookie';

/**
 * Who is asking. `open`: auth is off for this purpose (no keys configured);
 * `ingest`: an ingest key; `read`: a read token (every tenant); `tenant`: a
 * tenant-scoped key (only `tenant`).
 */
export type Principal = { kind: 'open' | 'ingest' | 'read' | 'tenant'; tenant: string | null };
export type Purpose = 'ingest' | 'read';

export type AuthFailure = {
  ok: false;
  /** 401 missing or unknown credential, 403 a credential for the other purpose, 503 malformed configuration. */
  status: 401 | 403 | 503;
  reason: 'missing' | 'invalid' | 'forbidden' | 'misconfigured';
  message: string;
};
export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

export type HeaderLike = Headers | Record<string, string | readonly string[] | Uint8Array | undefined>;

export const KEY_HEADER = 'x-tracedeck-key';
/** Header names that carry credentials (removed before header-to-attribute rules see the headers). */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', KEY_HEADER, 'cookie'];

export const OPEN: Principal = Object.freeze({ kind: 'open', tenant: null }) as Principal;

export function headerValue(headers: HeaderLike, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) {
      const first = value.find((v): v is string => typeof v === 'string');
      if (first !== undefined) return first;
    }
  }
  return null;
}

/** The key of an Authorization header: Bearer's token, or Basic's password. */
export function authorizationToken(value: string | null): string | null {
  if (!value) return null;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(value);
  if (!match) return null;
  const scheme = match[1].toLowerCase();
  if (scheme === 'bearer') return match[2];
  if (scheme === 'basic') {
    const decoded = Buffer.from(match[2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

/** The credential the request presents, or null. Cookies count only when `cookies` is set (reads). */
export function presentedToken(headers: HeaderLike, { cookies }: { cookies: boolean }): string | null {
  const fromAuthorization = authorizationToken(headerValue(headers, 'authorization'));
  if (fromAuthorization) return fromAuthorization;
  const key = headerValue(headers, KEY_HEADER)?.trim();
  if (key) return key;
  if (!cookies) return null;
  return cookieValue(headerValue(headers, 'cookie'), TOKEN_COOKIE) || null;
}

const MESSAGES = {
  ingest: {
    missing: 'an ingest key is required: send `Authorization: Bearer <key>` or `x-tracedeck-key: <key>`',
    invalid: 'the ingest key is not valid',
    forbidden: 'this token may read traces but not send spans',
  },
  read: {
    missing: 'a read token is required: send `Authorization: Bearer <token>`, or sign in at /login',
    invalid: 'the read token is not valid',
    forbidden: 'this key may send spans but not read them',
  },
} as const;

/** Checks a presented credential against a configuration (pure apart from hashing). */
export function authenticateWith(config: AuthConfig, token: string | null, purpose: Purpose): AuthResult {
  const required = purpose === 'ingest' ? config.ingestRequired : config.readRequired;
  if (!required) return { ok: true, principal: OPEN };
  if (token === null) return { ok: false, status: 401, reason: 'missing', message: MESSAGES[purpose].missing };
  const credential = findByDigest(token, config.credentials);
  if (!credential) return { ok: false, status: 401, reason: 'invalid', message: MESSAGES[purpose].invalid };
  if (!(purpose === 'ingest' ? credential.ingest : credential.read))
    return { ok: false, status: 403, reason: 'forbidden', message: MESSAGES[purpose].forbidden };
  if (credential.tenant !== null) return { ok: true, principal: { kind: 'tenant', tenant: credential.tenant } };
  return { ok: true, principal: { kind: purpose === 'ingest' ? 'ingest' : 'read', tenant: null } };
}

/** The principal of a request for `purpose`, under the configuration in the environment. */
export function authenticate(headers: HeaderLike, purpose: Purpose, env?: Record<string, string | undefined>): AuthResult {
  const state = authState(env);
  if (!state.ok) return { ok: false, status: 503, reason: 'misconfigured', message: 'authentication is misconfigured on the server (see its log)' };
  return authenticateWith(state.config, presentedToken(headers, { cookies: purpose === 'read' }), purpose);
}

/** The tenant every query of this principal is confined to, or null (all tenants). */
export function tenantScope(principal: Principal): string | null {
  return principal.kind === 'tenant' ? principal.tenant : null;
}
