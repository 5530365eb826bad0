/**
 * The OTLP/gRPC listener (server/grpc/server.ts) in-process, on each database:
 * the official @opentelemetry/exporter-trace-otlp-grpc (plain and gzip, with
 * metadata that the span-attribute rules turn into attributes), read back through
 * the HTTP query API; partial_success and error statuses with a raw grpc-js client.
 */
import { randomBytes } from 'node:crypto';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDb } from '../../server/db';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import { type GrpcListener, ListenerBindError, startGrpcListener } from '../../server/grpc/server';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../lib/otlp/proto';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { rawExport } from '../support/grpc-client';
import { startRouteServer } from '../support/route-server';

type Detail = { spans: StoredSpan[]; summaries: TraceSummary[] };

async function recordAndExport(exporter: SpanExporter, rootAttributes: Record<string, string> = {}): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano(inbound)' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('tracedeck-grpc-test', '0.0.1');
  const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, attributes: { 'http.status_code': 200, ...rootAttributes } });
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    { kind: SpanKind.CLIENT, attributes: { 'llm.model': 'gpt-4o-mini' } },
    trace.setSpan(context.active(), root),
  );
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

const hex = (bytes: number) => randomBytes(bytes);

function requestBytes(spans: { traceId: Buffer; spanId: Buffer; name: string }[]): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw-client' } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              name: s.name,
              kind: 2,
              startTimeUnixNano: now.toString(),
              endTimeUnixNano: (now + 5_000_000n).toString(),
            })),
          },
        ],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

describeEachDatabase('OTLP/gRPC listener → ingest → /api/traces', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let listener: GrpcListener;
  let address: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    listener = await startGrpcListener({ host: '127.0.0.1', port: 0, getDb: async () => database.db });
    address = `127.0.0.1:${listener.port}`;
  });
  afterAll(async () => {
    await listener?.close();
    await server?.close();
    await database?.dispose();
  });

  const detail = async (traceId: string) => (await (await fetch(`${server.url}/api/traces/${traceId}`)).json()) as Detail;
  const find = async (where: string) =>
    ((await (await fetch(`${server.url}/api/traces?${new URLSearchParams({ where })}`)).json()) as { traces: TraceSummary[] }).traces.map((t) => t.traceId);

  for (const compression of ['none', 'gzip'] as const) {
    it(`the official gRPC exporter (compression ${compression}) stores spans; its metadata headers become attributes`, async () => {
      const metadata = new Metadata();
      const tenant = `grpc-${compression}-${kind}`;
      metadata.set('x-katanemo-tenant-id', tenant);
      metadata.set('x-katanemo-user-id', 'usr_grpc');
      const exporter = new OtlpGrpcExporter({ url: `http://${address}`, metadata, compression: compression as never });
      const traceId = await recordAndExport(exporter);
      const body = await detail(traceId);
      expect(body.spans).toHaveLength(2);
      expect(body.spans.map((s) => s.service)).toEqual(['plano(inbound)', 'plano(inbound)']);
      for (const span of body.spans) {
        expect(span.tenantId).toBe(tenant);
        expect(span.attributes['user.id']).toEqual({ stringValue: 'usr_grpc' });
      }
      const root = body.spans.find((s) => s.parentSpanId === null);
      expect(root?.attributes['http.status_code']).toEqual({ intValue: '200' });
      expect(root?.scope).toEqual({ name: 'tracedeck-grpc-test', version: '0.0.1' });
      expect(body.summaries).toEqual([expect.objectContaining({ tenantId: tenant, userId: 'usr_grpc', spanCount: 2 })]);
      expect(await find(`tenant.id=${tenant}`)).toEqual([traceId]);
    });
  }

  it('gzip-compressed raw requests are accepted; an empty response means everything was stored', async () => {
    const traceId = hex(16);
    const reply = await rawExport(address, requestBytes([{ traceId, spanId: hex(8), name: 'gz' }]), { gzip: true });
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(reply))).toStrictEqual({});
    expect((await detail(traceId.toString('hex'))).spans.map((s) => s.name)).toEqual(['gz']);
  });

  it('bad spans are rejected with partial_success and the rest are stored', async () => {
    const traceId = hex(16);
    const bytes = requestBytes([
      { traceId, spanId: hex(8), name: 'good' },
      { traceId, spanId: hex(3), name: 'bad span id' },
    ]);
    const reply = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(await rawExport(address, bytes)), { longs: Number });
    expect(reply.partialSuccess).toMatchObject({ rejectedSpans: 1 });
    expect(String((reply.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(/^1 span rejected: span 1: /);
    expect((await detail(traceId.toString('hex'))).spans.map((s) => s.name)).toEqual(['good']);
  });

  it('an undecodable request is INVALID_ARGUMENT', async () => {
    const err = (await rawExport(address, Buffer.from([0xff, 0xff, 0xff, 0xff])).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/invalid protobuf ExportTraceServiceRequest/);
  });
});

it('a database that cannot take the write answers UNAVAILABLE (retryable), and a busy port fails with planoai’s message', async () => {
  const logged: string[] = [];
  const broken = await startGrpcListener({
    host: '127.0.0.1',
    port: 0,
    getDb: async () => {
      throw new Error('connection refused');
    },
    logError: (message) => logged.push(message),
  });
  try {
    const err = (await rawExport(`127.0.0.1:${broken.port}`, requestBytes([{ traceId: hex(16), spanId: hex(8), name: 'x' }])).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(status.UNAVAILABLE);
    // The driver's text stays in the server log, under the request id the client is given.
    const id = /^storage unavailable, retry later \(request ([0-9a-f]{6})\)$/.exec(err.details)?.[1];
    expect(id, err.details).toBeDefined();
    expect(logged).toEqual([`[tracedeck] OTLP/gRPC ingest write failed (req ${id}): connection refused`]);

    const busy = await startGrpcListener({ host: '127.0.0.1', port: broken.port }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ListenerBindError);
    expect((busy as ListenerBindError).inUse).toBe(true);
    expect((busy as Error).message).toBe(
      `Failed to start OTLP listener on 127.0.0.1:${broken.port}: address is already in use.\nStop the process using that port or run \`tracedeck trace listen --port <PORT>\`.`,
    );
  } finally {
    await broken.close();
  }
});
