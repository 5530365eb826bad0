/** Parsing of TRACEDECK_INGEST_KEYS / TRACEDECK_READ_TOKENS / TRACEDECK_TENANT_SCOPED_KEYS. */
import { describe, expect, it } from 'vitest';
import { AuthConfigError, describeAuth, parseAuthConfig, parseKeyList, parseScopedKeys } from '../../../server/auth/config';
import { authenticateWith } from '../../../server/auth/principal';

const K1 = 'ingest-key-0000000001';
const K2 = 'ingest-key-0000000002';
const R1 = 'read-token-00000000001';
const ACME = 'acme-key-000000000001';
const GLOBEX = 'globex-key-0000000001';

describe('parseKeyList', () => {
  it('splits on commas and whitespace, drops empties and duplicates', () => {
    expect(parseKeyList(` ${K1},${K2}\n ${K1} ,, `, 'X')).toEqual([K1, K2]);
    expect(parseKeyList('', 'X')).toEqual([]);
    expect(parseKeyList(undefined, 'X')).toEqual([]);
  });

  it('rejects short keys, naming the variable and position but never the key', () => {
    expect(() => parseKeyList(`${K1},short`, 'TRACEDECK_INGEST_KEYS')).toThrow(AuthConfigError);
    try {
      parseKeyList(`${K1},short`, 'TRACEDECK_INGEST_KEYS');
    } catch (err) {
      expect((err as Error).message).toBe('TRACEDECK_INGEST_KEYS: key #2 is shorter than 16 characters');
      expect((err as Error).message).not.toContain('short,');
    }
  });

  it('rejects non-printable characters', () => {
    expect(() => parseKeyList('abcdefghijklmnop\u00e9', 'X')).toThrow(/printable ASCII/);
  });
});

describe('parseScopedKeys', () => {
  it('reads key=tenant lists, splitting at the last = so base64 padding survives', () => {
    expect(parseScopedKeys(`${ACME}=acme-corp, ${GLOBEX}=globex`)).toEqual([
      [ACME, 'acme-corp'],
      [GLOBEX, 'globex'],
    ]);
    expect(parseScopedKeys('c2VjcmV0LXNlY3JldC1rZXk==acme-corp')).toEqual([['c2VjcmV0LXNlY3JldC1rZXk=', 'acme-corp']]);
  });

  it('reads a JSON object (tenants may then hold any character)', () => {
    expect(parseScopedKeys(JSON.stringify({ [ACME]: 'acme=corp, inc' }))).toEqual([[ACME, 'acme=corp, inc']]);
  });

  it('rejects malformed entries', () => {
    expect(() => parseScopedKeys(`${ACME}`)).toThrow(/entry #1 must be key=tenant/);
    expect(() => parseScopedKeys(`${ACME}=`)).toThrow(/empty tenant/);
    expect(() => parseScopedKeys('{"a": 1')).toThrow(/not valid JSON/);
    expect(() => parseScopedKeys('{"abcdefghijklmnopq": 1}')).toThrow(/JSON object/);
    expect(() => parseScopedKeys(`${ACME}=acme,${ACME}=globex`)).toThrow(/two tenants/);
  });
});

describe('parseAuthConfig', () => {
  it('is open by default', () => {
    const config = parseAuthConfig({});
    expect(config.ingestRequired).toBe(false);
    expect(config.readRequired).toBe(false);
    expect(authenticateWith(config, null, 'ingest')).toEqual({ ok: true, principal: { kind: 'open', tenant: null } });
    expect(authenticateWith(config, null, 'read')).toEqual({ ok: true, principal: { kind: 'open', tenant: null } });
    expect(describeAuth(config)).toBe('auth: ingest is open; reads are open');
  });

  it('ingest keys protect ingest only; read tokens protect reads only', () => {
    expect(parseAuthConfig({ TRACEDECK_INGEST_KEYS: K1 })).toMatchObject({ ingestRequired: true, readRequired: false });
    expect(parseAuthConfig({ TRACEDECK_READ_TOKENS: R1 })).toMatchObject({ ingestRequired: false, readRequired: true });
  });

  it('a scoped key turns both on and is valid for both, for its tenant', () => {
    const config = parseAuthConfig({ TRACEDECK_TENANT_SCOPED_KEYS: `${ACME}=acme-corp` });
    expect(config).toMatchObject({ ingestRequired: true, readRequired: true });
    expect(authenticateWith(config, ACME, 'ingest')).toEqual({ ok: true, principal: { kind: 'tenant', tenant: 'acme-corp' } });
    expect(authenticateWith(config, ACME, 'read')).toEqual({ ok: true, principal: { kind: 'tenant', tenant: 'acme-corp' } });
    expect(describeAuth(config)).toContain('1 tenant-scoped key for 1 tenant');
  });

  it('keeps each key to its purpose: 401 for unknown or missing, 403 for the other purpose', () => {
    const config = parseAuthConfig({ TRACEDECK_INGEST_KEYS: K1, TRACEDECK_READ_TOKENS: R1, TRACEDECK_TENANT_SCOPED_KEYS: `${ACME}=acme-corp` });
    expect(authenticateWith(config, K1, 'ingest')).toEqual({ ok: true, principal: { kind: 'ingest', tenant: null } });
    expect(authenticateWith(config, R1, 'read')).toEqual({ ok: true, principal: { kind: 'read', tenant: null } });
    expect(authenticateWith(config, K1, 'read')).toMatchObject({ ok: false, status: 403, reason: 'forbidden' });
    expect(authenticateWith(config, R1, 'ingest')).toMatchObject({ ok: false, status: 403, reason: 'forbidden' });
    expect(authenticateWith(config, null, 'read')).toMatchObject({ ok: false, status: 401, reason: 'missing' });
    expect(authenticateWith(config, `${K1}x`, 'ingest')).toMatchObject({ ok: false, status: 401, reason: 'invalid' });
    expect(authenticateWith(config, K1.slice(0, -1), 'ingest')).toMatchObject({ ok: false, status: 401, reason: 'invalid' });
    expect(authenticateWith(config, '', 'ingest')).toMatchObject({ ok: false, status: 401, reason: 'invalid' });
  });

  it('a key listed for ingest and read does both, unscoped', () => {
    const config = parseAuthConfig({ TRACEDECK_INGEST_KEYS: K1, TRACEDECK_READ_TOKENS: K1 });
    expect(config.credentials).toHaveLength(1);
    expect(authenticateWith(config, K1, 'read')).toEqual({ ok: true, principal: { kind: 'read', tenant: null } });
  });

  it('refuses a key that is both scoped and unscoped', () => {
    expect(() => parseAuthConfig({ TRACEDECK_READ_TOKENS: ACME, TRACEDECK_TENANT_SCOPED_KEYS: `${ACME}=acme-corp` })).toThrow(/either scoped or not/);
  });

  it('keeps only digests of the keys', () => {
    const config = parseAuthConfig({ TRACEDECK_INGEST_KEYS: K1, TRACEDECK_TENANT_SCOPED_KEYS: `${ACME}=acme-corp` });
    const dump = JSON.stringify(config, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
    expect(dump).not.toContain(K1);
    expect(dump).not.toContain(ACME);
    for (const c of config.credentials) expect(c.digest).toHaveLength(32);
  });
});
