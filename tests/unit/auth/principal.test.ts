/** Reading credentials from requests (headers, gRPC metadata, cookie) and the helpers around them. */
import { describe, expect, it } from 'vitest';
import { parseAuthConfig } from '../../../server/auth/config';
import { TOKEN_COOKIE, cookieValue, loginPath, safeNextPath, tokenCookie } from '../../../server/auth/cookie';
import { exposureWarning, isLoopbackHost } from '../../../server/auth/exposure';
import { wwwAuthenticate } from '../../../server/auth/http';
import { authenticate, authorizationToken, presentedToken } from '../../../server/auth/principal';

const SCOPED = 'acme-key-000000000001';
const READ = 'read-token-00000000001';
const env = { TRACEDECK_READ_TOKENS: READ, TRACEDECK_TENANT_SCOPED_KEYS: `${SCOPED}=acme-corp` };

describe('presentedToken', () => {
  it('reads Bearer, Basic (password), x-tracedeck-key, then the cookie (reads only)', () => {
    expect(presentedToken(new Headers({ authorization: `Bearer ${READ}` }), { cookies: false })).toBe(READ);
    expect(presentedToken(new Headers({ authorization: `bearer   ${READ} ` }), { cookies: false })).toBe(READ);
    const basic = Buffer.from(`otel:${READ}`).toString('base64');
    expect(presentedToken(new Headers({ authorization: `Basic ${basic}` }), { cookies: false })).toBe(READ);
    expect(presentedToken(new Headers({ 'x-tracedeck-key': READ }), { cookies: false })).toBe(READ);
    expect(presentedToken(new Headers({ cookie: `a=b; ${TOKEN_COOKIE}=${READ}` }), { cookies: true })).toBe(READ);
    expect(presentedToken(new Headers({ cookie: `${TOKEN_COOKIE}=${READ}` }), { cookies: false })).toBeNull();
    expect(presentedToken(new Headers({ authorization: `Bearer ${READ}`, 'x-tracedeck-key': 'other' }), { cookies: false })).toBe(READ);
    expect(presentedToken(new Headers(), { cookies: true })).toBeNull();
  });

  it('reads gRPC metadata maps (lowercase names, string values; Buffers ignored)', () => {
    expect(presentedToken({ authorization: `Bearer ${SCOPED}`, 'x-bin': new Uint8Array([1]) }, { cookies: false })).toBe(SCOPED);
    expect(presentedToken({ 'x-tracedeck-key': [SCOPED] }, { cookies: false })).toBe(SCOPED);
    expect(presentedToken({ 'x-tracedeck-key': new Uint8Array([1, 2]) }, { cookies: false })).toBeNull();
  });

  it('ignores other Authorization schemes and malformed values', () => {
    expect(authorizationToken('Digest abc')).toBeNull();
    expect(authorizationToken('Bearer')).toBeNull();
    expect(authorizationToken(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
  });
});

describe('authenticate', () => {
  it('maps the request to a principal', () => {
    expect(authenticate(new Headers({ cookie: `${TOKEN_COOKIE}=${SCOPED}` }), 'read', env)).toEqual({
      ok: true,
      principal: { kind: 'tenant', tenant: 'acme-corp' },
    });
    expect(authenticate(new Headers({ authorization: `Bearer ${READ}` }), 'read', env)).toEqual({ ok: true, principal: { kind: 'read', tenant: null } });
    expect(authenticate(new Headers(), 'ingest', env)).toMatchObject({ ok: false, status: 401, reason: 'missing' });
    expect(authenticate(new Headers({ cookie: `${TOKEN_COOKIE}=${SCOPED}` }), 'ingest', env)).toMatchObject({ ok: false, status: 401, reason: 'missing' });
  });

  it('fails closed on a malformed configuration', () => {
    expect(authenticate(new Headers({ authorization: `Bearer ${READ}` }), 'read', { TRACEDECK_READ_TOKENS: 'short' })).toMatchObject({
      ok: false,
      status: 503,
      reason: 'misconfigured',
    });
  });
});

describe('cookie and redirect helpers', () => {
  it('parses cookies and builds an HttpOnly SameSite=Lax cookie', () => {
    expect(cookieValue('a=1; tracedeck_token=x%3Dy; b=2', 'tracedeck_token')).toBe('x=y');
    expect(cookieValue('a=1', 'tracedeck_token')).toBeNull();
    const c = tokenCookie('tok=1', { secure: true });
    expect(c).toMatch(/^tracedeck_token=tok%3D1; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect(tokenCookie('t', { secure: false })).not.toContain('Secure');
  });

  it('only redirects to local paths after sign-in', () => {
    expect(safeNextPath('/traces/abc?where=tenant.id%3Dx#s')).toBe('/traces/abc?where=tenant.id%3Dx#s');
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '', null, undefined, '/login?next=/']) {
      expect(safeNextPath(bad)).toBe('/');
    }
    expect(loginPath('/tenants?since=1h', 'invalid')).toBe('/login?next=%2Ftenants%3Fsince%3D1h&error=invalid');
  });

  it('WWW-Authenticate follows RFC 6750', () => {
    expect(wwwAuthenticate({ reason: 'missing' })).toBe('Bearer realm="tracedeck"');
    expect(wwwAuthenticate({ reason: 'invalid' })).toBe('Bearer realm="tracedeck", error="invalid_token"');
    expect(wwwAuthenticate({ reason: 'forbidden' })).toBe('Bearer realm="tracedeck", error="insufficient_scope"');
  });
});

describe('exposure warning', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('warns only for a non-loopback listener with auth off', () => {
    const open = parseAuthConfig({});
    expect(exposureWarning(open, '127.0.0.1', 'x')).toBeNull();
    expect(exposureWarning(open, '0.0.0.0', 'the web server')).toMatch(/WARNING: the web server listens on a non-loopback address with auth off/);
    expect(exposureWarning(parseAuthConfig(env), '0.0.0.0', 'x')).toBeNull();
    expect(exposureWarning(parseAuthConfig({ TRACEDECK_INGEST_KEYS: 'ingest-key-0000000001' }), '0.0.0.0', 'gRPC', { reads: false })).toBeNull();
    expect(exposureWarning(parseAuthConfig({ TRACEDECK_INGEST_KEYS: 'ingest-key-0000000001' }), '0.0.0.0', 'web')).toMatch(/read every tenant/);
  });
});
