/**
 * Bad OTLP input gets a clear 4xx (or a partial_success naming rejected spans),
 * and nothing stored before or beside it is lost.
 */
import { gzipSync } from 'node:zlib';
import generatedRoot from 'otlp-generated/build/src/generated/root.js';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import { mergeRequests } from '../../lib/demo/plano-traces';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { demoRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

type ProtoType = { decode(b: Uint8Array): unknown; toObject(m: unknown, o?: object): Record<string, unknown> };
const proto = (generatedRoot as unknown as { opentelemetry: { proto: { collector: { trace: { v1: Record<string, ProtoType> } } } } }).opentelemetry.proto
  .collector.trace.v1;
const RpcStatus = { decode: (b: Uint8Array) => b }; // status bodies are checked through their text below

describeEachDatabase('ingest error handling', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const stored = demoRequests(3, 99);
  const storedIds = stored.map((r) => r.resourceSpans[0].scopeSpans[0].spans[0].traceId);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    await postDemo(server.url, stored);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });
  afterEach(() => {
    delete process.env.TRACEDECK_MAX_BODY_BYTES;
    resetConfigForTests();
  });

  const post = (body: BodyInit, headers: Record<string, string>) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers, body });

  async function expectStoredStillThere() {
    for (const id of storedIds) expect((await fetch(`${server.url}/api/traces/${id}`)).status).toBe(200);
  }

  it('415 for a content type OTLP/HTTP does not define, naming the supported ones', async () => {
    const res = await post('hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(await res.text()).toMatch(/application\/x-protobuf/);
  });

  it('400 with the reason for an undecodable protobuf body, and earlier spans are still there', async () => {
    const res = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/protobuf/);
    expect(Buffer.from(RpcStatus.decode(new Uint8Array(await res.arrayBuffer()))).toString('latin1')).toMatch(/invalid|index out of range|decode/i);
    await expectStoredStillThere();
  });

  it('400 with the reason for malformed JSON', async () => {
    const res = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/JSON/i);
    await expectStoredStillThere();
  });

  it('400 for a gzip header on a body that is not gzip', async () => {
    const res = await post(JSON.stringify(mergeRequests(demoRequests(1, 5))), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
  });

  it('413 for a body over the configured limit, nothing of it stored', async () => {
    process.env.TRACEDECK_MAX_BODY_BYTES = '2000';
    resetConfigForTests();
    const big = demoRequests(4, 1234);
    const res = await post(JSON.stringify(mergeRequests(big)), { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/2000-byte limit/);
    const id = big[0].resourceSpans[0].scopeSpans[0].spans[0].traceId;
    expect((await fetch(`${server.url}/api/traces/${id}`)).status).toBe(404);
  });

  it('413 for a gzip bomb (decompressed size capped)', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20));
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('partial_success names the rejected span while the valid spans of the batch are stored (JSON)', async () => {
    const batch = mergeRequests(demoRequests(2, 77));
    const bad = batch.resourceSpans[1].scopeSpans[0].spans[0];
    bad.traceId = bad.traceId.slice(0, 30); // 15 bytes
    const res = await post(JSON.stringify(batch), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(1);
    expect(body.partialSuccess.errorMessage).toMatch(/span 1\b.*trace_?[iI]d/);
    // the bad span was the 2nd span of the first trace: its 3 siblings and the whole second trace are stored
    const first = batch.resourceSpans[0].scopeSpans[0].spans[0].traceId;
    const second = batch.resourceSpans[4].scopeSpans[0].spans[0].traceId;
    expect(((await (await fetch(`${server.url}/api/traces/${first}`)).json()) as { spans: unknown[] }).spans).toHaveLength(3);
    expect(((await (await fetch(`${server.url}/api/traces/${second}`)).json()) as { spans: unknown[] }).spans).toHaveLength(4);
  });

  it('partial_success in protobuf for a protobuf request with an all-zero span id', async () => {
    const batch = mergeRequests(demoRequests(1, 78));
    batch.resourceSpans[2].scopeSpans[0].spans[0].spanId = '0000000000000000';
    const json = proto.ExportTraceServiceRequest as unknown as { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } };
    // protobuf wants bytes for ids: convert the OTLP/JSON hex ids
    const toBytes = (hex: string) => Buffer.from(hex, 'hex');
    const message = json.fromObject({
      resourceSpans: batch.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          ...ss,
          spans: ss.spans.map((s) => ({
            ...s,
            traceId: toBytes(s.traceId),
            spanId: toBytes(s.spanId),
            parentSpanId: s.parentSpanId ? toBytes(s.parentSpanId) : undefined,
          })),
        })),
      })),
    });
    const res = await post(Buffer.from(json.encode(message).finish()), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = proto.ExportTraceServiceResponse.toObject(proto.ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), {
      longs: String,
    }) as {
      partialSuccess?: { rejectedSpans: string; errorMessage: string };
    };
    expect(answer.partialSuccess?.rejectedSpans).toBe('1');
    expect(answer.partialSuccess?.errorMessage).toMatch(/span_?[iI]d/);
    const trace = (await (await fetch(`${server.url}/api/traces/${batch.resourceSpans[0].scopeSpans[0].spans[0].traceId}`)).json()) as { spans: unknown[] };
    expect(trace.spans).toHaveLength(3);
  });

  it('500 without Retry-After when the write fails for good (a bug, not an outage), naming a request id instead of the driver’s error (logged with the id)', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
    useDb({
      ...database.db,
      rows: async () => {
        throw Object.assign(new Error('relation "spans" does not exist at character 13'), { code: '42P01' });
      },
    });
    try {
      const res = await post(JSON.stringify(mergeRequests(demoRequests(1, 79))), { 'content-type': 'application/json' });
      // OTLP exporters do not retry a 500: a retry would fail the same way.
      expect(res.status).toBe(500);
      expect(res.headers.get('retry-after')).toBeNull();
      const body = (await res.json()) as { code: number; message: string };
      expect(body.code).toBe(13); // google.rpc.Code INTERNAL
      const id = /^internal error storing the spans \(request ([0-9a-f]{6})\)$/.exec(body.message)?.[1];
      expect(id, body.message).toBeDefined();
      expect(logged).toContain(`[tracedeck] OTLP/HTTP ingest write failed (req ${id}): relation "spans" does not exist at character 13`);
    } finally {
      useDb(database.db);
      spy.mockRestore();
    }
    await expectStoredStillThere();
  });
});
