/**
 * Auth through the real route handlers (and the gRPC listener), on each database:
 * ingest keys, read tokens and tenant-scoped keys (server/auth). A scoped key's spans
 * land in its tenant whatever they claim, and a scoped reader sees only its tenant
 * on every read endpoint — including when its request (or a shared URL) asks for
 * another tenant.
 */
import { randomBytes } from 'node:crypto';
import { Client, Metadata, type ServiceError, credentials, status } from '@grpc/grpc-js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import { type OtlpJsonRequest, mergeRequests } from '../../lib/demo/plano-traces';
import { EXPORT_METHOD_PATH, type GrpcListener, startGrpcListener } from '../../server/grpc/server';
import { ExportTraceServiceRequest } from '../../lib/otlp/proto';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, demoRequests, flattenRequests } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const INGEST_KEY = 'ingest-key-7f3a9c1d2b4e';
const READ_TOKEN = 'read-token-5e8b2a7c9d1f';
const ACME_KEY = 'acme-scoped-key-3c9e7a1b';
const GLOBEX_KEY = 'globex-scoped-key-8d2f4b6a';
const AUTH_ENV = {
  TRACEDECK_INGEST_KEYS: INGEST_KEY,
  TRACEDECK_READ_TOKENS: READ_TOKEN,
  TRACEDECK_TENANT_SCOPED_KEYS: `${ACME_KEY}=acme-corp,${GLOBEX_KEY}=globex`,
};

type ListBody = { traces: TraceSummary[]; nextCursor: string | null; where: string | null };
type Detail = { traceId: string; spans: StoredSpan[]; summaries: TraceSummary[] };
type MetricsBody = { totals: { requests: number }; groups: { key: string | null }[]; coverage: { unmappedCandidates: string[] } };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const hexId = (bytes: number) => randomBytes(bytes).toString('hex');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One span as OTLP/JSON, claiming `tenant` on the span and on its resource. */
function spanRequest({
  traceId,
  tenant,
  extra = [],
}: {
  traceId: string;
  tenant: string;
  extra?: { key: string; value: { stringValue: string } }[];
}): OtlpJsonRequest {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'auth-test'), str('tenant.id', tenant)] },
        scopeSpans: [
          {
            scope: { name: 'auth-test', version: '1' },
            spans: [
              {
                traceId,
                spanId: hexId(8),
                name: 'POST /v1/chat/completions',
                kind: 2,
                startTimeUnixNano: (now - 5_000_000n).toString(),
                endTimeUnixNano: now.toString(),
                attributes: [str('tenant.id', tenant), ...extra],
              },
            ],
          },
        ],
      },
    ],
  };
}

describeEachDatabase('auth: ingest keys, read tokens, tenant-scoped keys', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let demo: DemoTrace[];
  const saved: Record<string, string | undefined> = {};

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const get = (path: string, token?: string | null, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers: { ...(token ? bearer(token) : {}), ...headers } });
  const getJson = async <T>(path: string, token?: string | null, headers: Record<string, string> = {}) => {
    const res = await get(path, token, headers);
    return { status: res.status, body: (await res.json()) as T };
  };
  const spanCount = async () => Number((await database.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM spans`))[0].n);
  const tenantsOf = (traces: TraceSummary[]) => [...new Set(traces.map((t) => t.tenantId))].sort();

  beforeAll(async () => {
    for (const [k, v] of Object.entries(AUTH_ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetConfigForTests();
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(120, 5);
    demo = flattenRequests(requests);
    for (let i = 0; i < requests.length; i += 30) {
      const res = await post(mergeRequests(requests.slice(i, i + 30)), bearer(INGEST_KEY));
      expect(res.status, await res.text()).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
  });

  describe('ingest', () => {
    it('refuses a request without a key: 401, WWW-Authenticate, an OTLP Status body, nothing stored', async () => {
      const before = await spanCount();
      const res = await post(spanRequest({ traceId: hexId(16), tenant: 'acme-corp' }));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tracedeck"');
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await res.json()) as { code: number; message: string };
      expect(body.code).toBe(16); // google.rpc.Code UNAUTHENTICATED
      expect(body.message).toMatch(/ingest key is required/);
      expect(await spanCount()).toBe(before);
    });

    it('refuses a wrong key (401 invalid_token), a read-only token (403) and a protobuf request in protobuf', async () => {
      const before = await spanCount();
      for (const token of [`${INGEST_KEY}x`, INGEST_KEY.slice(0, -1), 'completely-wrong-key-value']) {
        const res = await post(spanRequest({ traceId: hexId(16), tenant: 'acme-corp' }), bearer(token));
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tracedeck", error="invalid_token"');
      }
      const viaHeader = await post(spanRequest({ traceId: hexId(16), tenant: 'acme-corp' }), { 'x-tracedeck-key': 'completely-wrong-key-value' });
      expect(viaHeader.status).toBe(401);
      const readOnly = await post(spanRequest({ traceId: hexId(16), tenant: 'acme-corp' }), bearer(READ_TOKEN));
      expect(readOnly.status).toBe(403);
      expect(((await readOnly.json()) as { code: number }).code).toBe(7); // PERMISSION_DENIED
      const proto = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new Uint8Array([1, 2, 3]),
      });
      expect(proto.status).toBe(401);
      expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
      expect(await spanCount()).toBe(before);
    });

    it('stores with a right key, in the Authorization header or x-tracedeck-key; the spans keep their tenant', async () => {
      const a = hexId(16);
      const b = hexId(16);
      expect((await post(spanRequest({ traceId: a, tenant: 'initech' }), bearer(INGEST_KEY))).status).toBe(200);
      expect((await post(spanRequest({ traceId: b, tenant: 'initech' }), { 'x-tracedeck-key': INGEST_KEY })).status).toBe(200);
      for (const id of [a, b]) {
        const { status: code, body } = await getJson<Detail>(`/api/traces/${id}`, READ_TOKEN);
        expect(code).toBe(200);
        expect(body.spans[0].tenantId).toBe('initech');
      }
    });

    it("forces a scoped key's tenant: spans claiming another tenant (span, resource, header) land in the key's tenant", async () => {
      const id = hexId(16);
      const res = await post(spanRequest({ traceId: id, tenant: 'globex' }), { ...bearer(ACME_KEY), 'x-katanemo-tenant-id': 'globex' });
      expect(res.status).toBe(200);
      const { body } = await getJson<Detail>(`/api/traces/${id}`, READ_TOKEN);
      expect(body.spans).toHaveLength(1);
      expect(body.spans[0].tenantId).toBe('acme-corp');
      expect(body.spans[0].attributes['tenant.id']).toEqual({ stringValue: 'acme-corp' });
      expect(body.spans[0].resourceAttributes['tenant.id']).toEqual({ stringValue: 'acme-corp' });
      expect(body.summaries.map((s) => s.tenantId)).toEqual(['acme-corp']);
      // The key never becomes an attribute, whatever the header rules.
      expect(JSON.stringify(body)).not.toContain(ACME_KEY);
      // globex's own reader does not see it.
      expect((await get(`/api/traces/${id}`, GLOBEX_KEY)).status).toBe(404);
    });
    it("a scoped key naming a known trace id does not pull that trace's tenant-less spans into its tenant", async () => {
      const id = hexId(16);
      const orphan = spanRequest({ traceId: id, tenant: 'unused' });
      // A span without any tenant, sent with the unscoped ingest key.
      orphan.resourceSpans[0].resource!.attributes = [str('service.name', 'auth-test')];
      orphan.resourceSpans[0].scopeSpans[0].spans[0].attributes = [str('user.id', 'usr_orphan')];
      expect((await post(orphan, bearer(INGEST_KEY))).status).toBe(200);
      expect((await post(spanRequest({ traceId: id, tenant: 'acme-corp' }), bearer(ACME_KEY))).status).toBe(200);
      const { body } = await getJson<Detail>(`/api/traces/${id}`, READ_TOKEN);
      expect(body.spans.map((s) => s.tenantId).sort()).toEqual(['', 'acme-corp']);
      const scoped = await getJson<Detail>(`/api/traces/${id}`, ACME_KEY);
      expect(scoped.body.spans).toHaveLength(1);
      expect(JSON.stringify(scoped.body)).not.toContain('usr_orphan');
    });
  });

  describe('reads', () => {
    const paths = () => [
      '/api/traces',
      `/api/traces/${demo[0].traceId}`,
      `/api/traces/${demo[0].traceId}/otlp`,
      '/api/attributes',
      '/api/attributes/tenant.id/values',
      '/api/metrics?since=1d',
    ];

    it('every read endpoint answers 401 without a token (WWW-Authenticate), 401 with a wrong one, 403 with an ingest key', async () => {
      for (const path of paths()) {
        const none = await get(path);
        expect(none.status, path).toBe(401);
        expect(none.headers.get('www-authenticate'), path).toBe('Bearer realm="tracedeck"');
        expect(((await none.json()) as { error: string }).error, path).toMatch(/read token is required/);
        expect((await get(path, 'not-a-valid-read-token')).status, path).toBe(401);
        expect((await get(path, INGEST_KEY)).status, path).toBe(403);
        expect((await get(path, READ_TOKEN)).status, path).toBe(200);
      }
    });

    it('a read token sees every tenant; a scoped key (as Bearer or the sign-in cookie) sees only its own', async () => {
      const all = await getJson<ListBody>('/api/traces?limit=1000&since=1d', READ_TOKEN);
      expect(tenantsOf(all.body.traces).length).toBeGreaterThan(2);
      const acmeExpected = (await getJson<ListBody>('/api/traces?limit=1000&since=1d&where=tenant.id%3Dacme-corp', READ_TOKEN)).body.traces.map(
        (t) => t.traceId,
      );
      expect(acmeExpected.length).toBeGreaterThan(0);
      const scoped = await getJson<ListBody>('/api/traces?limit=1000&since=1d', ACME_KEY);
      expect(scoped.status).toBe(200);
      expect(tenantsOf(scoped.body.traces)).toEqual(['acme-corp']);
      expect(scoped.body.traces.map((t) => t.traceId)).toEqual(acmeExpected);
      const viaCookie = await getJson<ListBody>('/api/traces?limit=1000&since=1d', null, { cookie: `tracedeck_token=${ACME_KEY}` });
      expect(viaCookie.body.traces.map((t) => t.traceId)).toEqual(acmeExpected);
    });

    it('a where naming another tenant (or a shared URL carrying one) returns nothing; other filters stay inside the tenant', async () => {
      for (const where of ['tenant.id=globex', 'tenant.id = globex OR tenant.id = initech', 'NOT tenant.id=acme-corp', 'tenant.id!=acme-corp']) {
        const { status: code, body } = await getJson<ListBody>(`/api/traces?limit=1000&since=1d&where=${encodeURIComponent(where)}`, ACME_KEY);
        expect(code, where).toBe(200);
        expect(body.traces, where).toEqual([]);
      }
      const widened = await getJson<ListBody>(`/api/traces?limit=1000&since=1d&where=${encodeURIComponent('tenant.id=globex OR status=error')}`, ACME_KEY);
      expect(widened.body.traces.length).toBeGreaterThan(0);
      expect(tenantsOf(widened.body.traces)).toEqual(['acme-corp']);
      // Paging cannot step out of the tenant either.
      const page1 = await getJson<ListBody>('/api/traces?limit=5&since=1d', ACME_KEY);
      const page2 = await getJson<ListBody>(`/api/traces?limit=1000&since=1d&cursor=${page1.body.nextCursor}`, ACME_KEY);
      expect(tenantsOf(page2.body.traces)).toEqual(['acme-corp']);
    });

    it("gets 404 for another tenant's trace (full id, short id, OTLP download); the read token gets it", async () => {
      const globexTrace = demo.find((t) => t.spans[0].attrs['tenant.id'] === 'globex');
      const acmeTrace = demo.find((t) => t.spans[0].attrs['tenant.id'] === 'acme-corp');
      if (!globexTrace || !acmeTrace) throw new Error('demo data lacks globex or acme-corp');
      for (const path of [`/api/traces/${globexTrace.traceId}`, `/api/traces/${globexTrace.traceId.slice(0, 8)}`, `/api/traces/${globexTrace.traceId}/otlp`]) {
        expect((await get(path, ACME_KEY)).status, path).toBe(404);
        expect((await get(path, READ_TOKEN)).status, path).toBe(200);
      }
      expect((await get(`/api/traces/${acmeTrace.traceId}?where=tenant.id%3Dglobex`, ACME_KEY)).status).toBe(200);
      expect((await get(`/api/traces/${acmeTrace.traceId}`, GLOBEX_KEY)).status).toBe(404);
    });

    it('sees only its part of a trace id that two tenants share', async () => {
      const id = hexId(16);
      expect((await post(spanRequest({ traceId: id, tenant: 'x' }), bearer(ACME_KEY))).status).toBe(200);
      expect((await post(spanRequest({ traceId: id, tenant: 'x' }), bearer(GLOBEX_KEY))).status).toBe(200);
      const both = await getJson<Detail>(`/api/traces/${id}`, READ_TOKEN);
      expect(both.body.spans.map((s) => s.tenantId).sort()).toEqual(['acme-corp', 'globex']);
      for (const [key, tenant] of [
        [ACME_KEY, 'acme-corp'],
        [GLOBEX_KEY, 'globex'],
      ]) {
        const one = await getJson<Detail>(`/api/traces/${id}?where=${encodeURIComponent('service=auth-test')}`, key);
        expect(one.body.spans.map((s) => s.tenantId)).toEqual([tenant]);
        expect(one.body.summaries.map((s) => s.tenantId)).toEqual([tenant]);
        expect((one.body as Detail & { matchedSpanIds: string[] }).matchedSpanIds).toEqual(one.body.spans.map((s) => s.spanId));
        const otlp = await get(`/api/traces/${id}/otlp`, key);
        expect(await otlp.text()).not.toContain(tenant === 'globex' ? 'acme-corp' : 'globex');
      }
    });

    it('metrics count only the tenant, whatever the where or group_by', async () => {
      const acmeCount = (await getJson<ListBody>('/api/traces?limit=1000&since=1d&where=tenant.id%3Dacme-corp', READ_TOKEN)).body.traces.length;
      const scoped = await getJson<MetricsBody>('/api/metrics?since=1d&group_by=tenant.id&series=false', ACME_KEY);
      expect(scoped.status).toBe(200);
      expect(scoped.body.totals.requests).toBe(acmeCount);
      expect(scoped.body.groups.map((g) => g.key)).toEqual(['acme-corp']);
      const other = await getJson<MetricsBody>(`/api/metrics?since=1d&series=false&where=${encodeURIComponent('tenant.id=globex')}`, ACME_KEY);
      expect(other.body.totals.requests).toBe(0);
      const all = await getJson<MetricsBody>('/api/metrics?since=1d&group_by=tenant.id&series=false', READ_TOKEN);
      expect(all.body.totals.requests).toBeGreaterThan(acmeCount);
    });

    it("attribute values come from the tenant's data; its keys never include another tenant's", async () => {
      expect(
        (await post(spanRequest({ traceId: hexId(16), tenant: 'globex', extra: [str('globex.only.key', 'secret-plan')] }), bearer(GLOBEX_KEY))).status,
      ).toBe(200);
      type Values = { values: { value: string; count: number }[] };
      const tenants = await getJson<Values>('/api/attributes/tenant.id/values?since=1d&limit=200', ACME_KEY);
      expect(tenants.body.values.map((v) => v.value)).toEqual(['acme-corp']);
      const everyone = await getJson<Values>('/api/attributes/tenant.id/values?since=1d&limit=200', READ_TOKEN);
      expect(everyone.body.values.length).toBeGreaterThan(2);
      // No range: a scoped reader is not answered from the global catalog.
      const users = await getJson<Values>('/api/attributes/user.id/values?limit=200', ACME_KEY);
      expect(users.body.values.length).toBeGreaterThan(0);
      for (const v of users.body.values) expect(v.value).toMatch(/^usr_acm/);
      const expectedUsers = new Set(
        demo.filter((t) => t.spans[0].attrs['tenant.id'] === 'acme-corp').flatMap((t) => t.spans.map((s) => String(s.attrs['user.id']))),
      );
      expect(new Set(users.body.values.map((v) => v.value))).toEqual(expectedUsers);
      expect((await getJson<Values>('/api/attributes/globex.only.key/values', ACME_KEY)).body.values).toEqual([]);
      expect((await getJson<Values>('/api/attributes/globex.only.key/values', READ_TOKEN)).body.values.map((v) => v.value)).toEqual(['secret-plan']);

      type Keys = { keys: { key: string; scope: string; seenCount: number }[] };
      const acmeKeys = (await getJson<Keys>('/api/attributes', ACME_KEY)).body.keys.map((k) => k.key);
      expect(acmeKeys).toContain('user.id');
      expect(acmeKeys).toContain('trace_id'); // intrinsics too
      expect(acmeKeys).not.toContain('globex.only.key');
      expect((await getJson<Keys>('/api/attributes', GLOBEX_KEY)).body.keys.map((k) => k.key)).toContain('globex.only.key');
      expect((await getJson<Keys>('/api/attributes', READ_TOKEN)).body.keys.map((k) => k.key)).toContain('globex.only.key');
    });
  });

  describe('sign-in', () => {
    const login = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' });

    it('a valid token gets an HttpOnly SameSite=Lax cookie and a 303 to the local `next`', async () => {
      const res = await login({ token: ACME_KEY, next: '/traces/abc?where=tenant.id%3Dglobex' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/traces/abc?where=tenant.id%3Dglobex');
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^tracedeck_token=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
      const value = decodeURIComponent(/^tracedeck_token=([^;]+)/.exec(cookie)?.[1] ?? '');
      const list = await getJson<ListBody>('/api/traces?limit=1000&since=1d', null, { cookie: `tracedeck_token=${encodeURIComponent(value)}` });
      expect(tenantsOf(list.body.traces)).toEqual(['acme-corp']);
    });

    it('a wrong or ingest-only token goes back to /login with an error and no cookie; the token is never in the URL', async () => {
      for (const [token, error] of [
        ['wrong-token-value-123456', 'invalid'],
        [INGEST_KEY, 'forbidden'],
        ['', 'missing'],
      ]) {
        const res = await login({ token, next: '/tenants' });
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(`/login?next=%2Ftenants&error=${error}`);
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    });

    it('refuses open redirects and cross-site posts', async () => {
      expect((await login({ token: READ_TOKEN, next: 'https://evil.example/' })).headers.get('location')).toBe('/');
      expect((await login({ token: READ_TOKEN, next: '//evil.example/' })).headers.get('location')).toBe('/');
      const cross = await login({ token: READ_TOKEN, next: '/' }, { 'sec-fetch-site': 'cross-site' });
      expect(cross.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('OTLP/gRPC', () => {
    let listener: GrpcListener;
    beforeAll(async () => {
      listener = await startGrpcListener({ host: '127.0.0.1', port: 0, getDb: async () => database.db });
    });
    afterAll(async () => {
      await listener?.close(0);
    });

    const exportCall = (body: Buffer, metadata: Metadata) => {
      const client = new Client(listener.address, credentials.createInsecure());
      return new Promise<Buffer>((resolve, reject) => {
        client.makeUnaryRequest(
          EXPORT_METHOD_PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          metadata,
          (err: ServiceError | null, value?: Buffer) => (err ? reject(err) : resolve(value ?? Buffer.alloc(0))),
        );
      }).finally(() => client.close());
    };
    const protoBody = (traceId: string, tenant: string) => {
      const request = spanRequest({ traceId, tenant });
      // protobufjs's fromObject reads bytes fields as base64.
      const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
      for (const rs of request.resourceSpans)
        for (const ss of rs.scopeSpans) for (const s of ss.spans) Object.assign(s, { traceId: b64(s.traceId), spanId: b64(s.spanId) });
      return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
    };

    it('refuses a call without a key (UNAUTHENTICATED) or with a read token (PERMISSION_DENIED); stores nothing', async () => {
      const before = await spanCount();
      await expect(exportCall(protoBody(hexId(16), 'acme-corp'), new Metadata())).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      const wrong = new Metadata();
      wrong.set('x-tracedeck-key', 'completely-wrong-key-value');
      await expect(exportCall(protoBody(hexId(16), 'acme-corp'), wrong)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      const readOnly = new Metadata();
      readOnly.set('authorization', `Bearer ${READ_TOKEN}`);
      await expect(exportCall(protoBody(hexId(16), 'acme-corp'), readOnly)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      expect(await spanCount()).toBe(before);
    });

    it("stores with a key in metadata, forcing a scoped key's tenant", async () => {
      const id = hexId(16);
      const md = new Metadata();
      md.set('x-tracedeck-key', GLOBEX_KEY);
      await exportCall(protoBody(id, 'acme-corp'), md);
      const { body } = await getJson<Detail>(`/api/traces/${id}`, READ_TOKEN);
      expect(body.spans.map((s) => s.tenantId)).toEqual(['globex']);
      const plain = new Metadata();
      plain.set('authorization', `Bearer ${INGEST_KEY}`);
      const id2 = hexId(16);
      await exportCall(protoBody(id2, 'initech'), plain);
      expect((await getJson<Detail>(`/api/traces/${id2}`, READ_TOKEN)).body.spans.map((s) => s.tenantId)).toEqual(['initech']);
    });
  });
});
