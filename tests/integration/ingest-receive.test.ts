/**
 * receiveExport (server/ingest/receive.ts), the receive path both OTLP receivers share,
 * driven directly with its dependencies in hand: every outcome kind, what is read when,
 * what is stored, and a failed write answered without the driver's text (503 when a
 * retry can succeed, 500 when it cannot).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EnrichConfig } from '../../lib/enrich/config';
import { PROMOTED_KEYS } from '../../lib/enrich/promoted-columns';
import { MAX_TENANT_ID_LENGTH } from '../../lib/enrich/tenant-limit';
import { DEFAULT_INGEST_LIMITS } from '../../lib/otlp';
import type { AuthResult } from '../../server/auth/principal';
import { ingestGate } from '../../server/ingest/gate';
import { type ExportOutcome, type ExportRequest, type ReceiveDeps, type ReceiveSettings, receiveExport } from '../../server/ingest/receive';
import { getTraceView } from '../../db/queries/get-trace';
import { summarizeNow } from '../../db/summarizer';
import { spanAttributesMap } from '../../lib/where/sql-compiler';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';

const OPEN: AuthResult = { ok: true, principal: { kind: 'open', tenant: null } };
const RULES: EnrichConfig = { spanAttributes: { headerPrefixes: ['x-katanemo-'], static: {}, overrideExisting: false }, randomSampling: null, source: 'test' };

const settings = (gate = { maxInFlight: 4, maxQueued: 4, maxWaitMs: 5000 }): ReceiveSettings => ({
  maxBodyBytes: 1 << 20,
  maxDecompressedBytes: 4 << 20,
  ingestLimits: DEFAULT_INGEST_LIMITS,
  gate,
  enrich: { tenantKey: 'tenant.id', attributeMapping: { ...PROMOTED_KEYS }, sampling: { rules: [], global: null }, rules: RULES },
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An OTLP/JSON request: one span per entry, all of one trace, each with the given string attributes. */
function exportJson(traceId: string, spans: Record<string, string>[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receive-test' } }] },
        scopeSpans: [
          {
            spans: spans.map((attributes, i) => ({
              traceId,
              spanId: hex(8),
              name: `span ${i}`,
              kind: 2,
              startTimeUnixNano: (now + BigInt(i)).toString(),
              endTimeUnixNano: (now + 1_000_000n).toString(),
              attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
            })),
          },
        ],
      },
    ],
  });
}

describeEachDatabase('receiveExport', (kind) => {
  let database: TestDatabase;
  let logged: string[];
  let bodyReads: number[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function deps(overrides: Partial<ReceiveDeps> = {}): ReceiveDeps {
    logged = [];
    return {
      settings: () => settings(),
      authenticate: () => OPEN,
      getDb: async () => database.db,
      logError: (message) => logged.push(message),
      ...overrides,
    };
  }

  function request(body: string | Uint8Array, fields: Partial<ExportRequest> = {}): ExportRequest {
    bodyReads = [];
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return {
      headers: {},
      contentType: 'application/json',
      readBody: async (limit) => {
        bodyReads.push(limit);
        return bytes.byteLength > limit ? null : bytes;
      },
      transport: 'OTLP/test',
      ...fields,
    };
  }

  // Tenant adoption is the summarizer's: run it, as a server would within a second.
  const storedSpans = async (traceId: string) => {
    await summarizeNow(database.db);
    return database.db.rows<{ tenant_id: string; user_id: string | null; attributes: Record<string, unknown> }>(
      // The map as sent (promoted keys stored once are restored: lib/trace/elided-attributes.ts).
      sql`SELECT tenant_id, user_id, ${spanAttributesMap('s')} AS attributes FROM spans s WHERE trace_id = ${traceId} ORDER BY tenant_id, name`,
    );
  };

  const refusal = (outcome: ExportOutcome) => {
    if (outcome.ok) throw new Error('expected a refusal');
    return outcome;
  };

  it('stores the spans with the header rules applied (credential headers never become attributes) and answers partial_success', async () => {
    const traceId = hex(16);
    const long = 't'.repeat(MAX_TENANT_ID_LENGTH + 1);
    const headers = { authorization: 'Bearer secret', 'x-tracedeck-key': 'secret', 'x-katanemo-user-id': 'u7', 'x-katanemo-authorization': 'kept' };
    const outcome = await receiveExport(request(exportJson(traceId, [{ 'tenant.id': 'acme' }, { 'tenant.id': long }]), { headers }), deps());
    expect(outcome).toMatchObject({ ok: true, kind: 'accepted', status: 200, format: 'json' });
    const body = JSON.parse(String((outcome as { body: string }).body)) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/tenant\.id is 257 characters long/);
    const rows = await storedSpans(traceId);
    expect(rows.map((r) => [r.tenant_id, r.user_id])).toEqual([['acme', 'u7']]);
    expect(Object.keys(rows[0].attributes).sort()).toEqual(['authorization', 'tenant.id', 'user.id']);
    expect(JSON.stringify(rows[0].attributes)).not.toMatch(/secret/);
    expect(bodyReads).toEqual([1 << 20]);
  });

  it('a tenant-scoped key forces its tenant and does not adopt tenant-less spans; an open request naming the tenant does', async () => {
    const scoped: AuthResult = { ok: true, principal: { kind: 'tenant', tenant: 'acme' } };
    const [forced, adopted] = [hex(16), hex(16)];
    for (const traceId of [forced, adopted]) expect((await receiveExport(request(exportJson(traceId, [{}])), deps())).ok).toBe(true);

    expect((await receiveExport(request(exportJson(forced, [{ 'tenant.id': 'globex' }])), deps({ authenticate: () => scoped }))).ok).toBe(true);
    expect((await storedSpans(forced)).map((r) => r.tenant_id)).toEqual(['', 'acme']);

    expect((await receiveExport(request(exportJson(adopted, [{ 'tenant.id': 'acme' }])), deps())).ok).toBe(true);
    expect((await storedSpans(adopted)).map((r) => r.tenant_id)).toEqual(['acme', 'acme']);
    // Resources are stored per tenant: the adopted span's resource moved along with it.
    const view = await getTraceView(database.db, { traceId: adopted });
    if (view.status !== 'found') throw new Error(view.status);
    expect(view.spans.map((s) => s.resourceAttributes)).toEqual([
      { 'service.name': { stringValue: 'receive-test' } },
      { 'service.name': { stringValue: 'receive-test' } },
    ]);
  });

  it('an auth refusal keeps its status and failure, before the body is read', async () => {
    for (const [status, reason, kind] of [
      [401, 'missing', 'unauthenticated'],
      [403, 'forbidden', 'forbidden'],
      [503, 'misconfigured', 'auth-misconfigured'],
    ] as const) {
      const failure = { ok: false, status, reason, message: `no (${reason})` } as const;
      const outcome = refusal(await receiveExport(request('{}', { contentType: 'application/x-protobuf' }), deps({ authenticate: () => failure })));
      expect(outcome).toMatchObject({ kind, status, message: `no (${reason})`, format: 'protobuf', authFailure: failure });
      expect(bodyReads).toEqual([]);
    }
  });

  it('a full gate throttles before the body is read: 429, retry after 1 s', async () => {
    const gate = { maxInFlight: 1, maxQueued: 0, maxWaitMs: 1234 };
    const hold = await ingestGate(gate).acquire();
    try {
      const outcome = refusal(await receiveExport(request(exportJson(hex(16), [{}])), deps({ settings: () => settings(gate) })));
      expect(outcome).toMatchObject({ kind: 'throttled', status: 429, message: 'ingest is at capacity, retry later', retryAfterSeconds: 1 });
      expect(bodyReads).toEqual([]);
    } finally {
      hold?.();
    }
  });

  it('size and decoding refusals: 413 past the limit (the decompressed cap for an already decompressed body), 400, 415', async () => {
    const big = exportJson(hex(16), [{ pad: 'x'.repeat(2 << 20) }]);
    expect(refusal(await receiveExport(request(big), deps()))).toMatchObject({
      kind: 'too-large',
      status: 413,
      message: `request body exceeds the ${1 << 20}-byte limit (TRACEDECK_MAX_BODY_BYTES)`,
    });
    expect((await receiveExport(request(big, { decompressed: true }), deps())).ok).toBe(true);
    expect(bodyReads).toEqual([4 << 20]);

    const bad = refusal(await receiveExport(request(new Uint8Array([0x0a, 0xff, 0xff]), { contentType: 'application/x-protobuf' }), deps()));
    expect(bad).toMatchObject({ kind: 'invalid', status: 400, format: 'protobuf' });
    expect(refusal(await receiveExport(request('hi', { contentType: 'text/plain' }), deps()))).toMatchObject({
      kind: 'unsupported-media-type',
      status: 415,
      format: 'json',
    });
  });

  /** Deps whose database fails every statement with `err`. */
  const failingWrites = (err: Error) =>
    deps({ getDb: async () => ({ ...database.db, rows: async () => Promise.reject(err), transaction: async () => Promise.reject(err) }) });
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('a write the database refuses for now (read-only, deadlock) answers 503 + retry; a write failing for good answers 500; neither leaks the driver’s text', async () => {
    for (const err of [withCode('cannot execute INSERT in a read-only transaction', '25006'), withCode('deadlock detected', '40P01')]) {
      const outcome = refusal(await receiveExport(request(exportJson(hex(16), [{}])), failingWrites(err)));
      expect(outcome).toMatchObject({ kind: 'storage-unavailable', status: 503, retryAfterSeconds: 5, format: 'json' });
      const id = /^storage unavailable, retry later \(request ([0-9a-f]{6})\)$/.exec(outcome.message)?.[1];
      expect(id, outcome.message).toBeDefined();
      expect(logged).toEqual([`[tracedeck] OTLP/test ingest write failed (req ${id}): ${err.message}`]);
    }
    for (const err of [withCode('relation "spans" does not exist', '42P01'), new TypeError("Cannot read properties of undefined (reading 'trace_id')")]) {
      const outcome = refusal(await receiveExport(request(exportJson(hex(16), [{}])), failingWrites(err)));
      expect(outcome).toMatchObject({ kind: 'storage-failed', status: 500, format: 'json' });
      expect(outcome.retryAfterSeconds).toBeUndefined();
      const id = /^internal error storing the spans \(request ([0-9a-f]{6})\)$/.exec(outcome.message)?.[1];
      expect(id, outcome.message).toBeDefined();
      expect(logged).toEqual([`[tracedeck] OTLP/test ingest write failed (req ${id}): ${err.message}`]);
    }
  });

  it('a database that cannot be opened answers 503 (the next request opens it again), and only the server log holds the driver’s text', async () => {
    const failing = deps({
      getDb: async () => {
        throw new Error('password authentication failed for user "tracedeck" at 10.0.0.7');
      },
    });
    const outcome = refusal(await receiveExport(request(exportJson(hex(16), [{}])), failing));
    expect(outcome).toMatchObject({ kind: 'storage-unavailable', status: 503, retryAfterSeconds: 5, format: 'json' });
    const id = /^storage unavailable, retry later \(request ([0-9a-f]{6})\)$/.exec(outcome.message)?.[1];
    expect(id, outcome.message).toBeDefined();
    expect(logged).toEqual([`[tracedeck] OTLP/test ingest write failed (req ${id}): password authentication failed for user "tracedeck" at 10.0.0.7`]);
  });
});
