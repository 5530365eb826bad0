/**
 * Span-attribute rules at ingest, through the real OTLP/HTTP route: headers of the
 * export request (as OTEL_EXPORTER_OTLP_HEADERS would send them), static attributes
 * from the environment and captured http.request.header.* attributes end up on the
 * stored spans and in the promoted columns, so `where=tenant.id=…` finds the trace.
 */
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';

type Detail = { spans: StoredSpan[]; summaries: TraceSummary[] };

/** Records a two-span trace and exports it over OTLP/HTTP protobuf with `headers` on the request. */
async function exportTrace(url: string, headers: Record<string, string>, rootAttributes: Record<string, string | string[]> = {}): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano(inbound)' }),
    spanProcessors: [new SimpleSpanProcessor(new OtlpProtoExporter({ url: `${url}/v1/traces`, headers }))],
  });
  const tracer = provider.getTracer('tracedeck-enrich-test');
  const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, attributes: rootAttributes });
  tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root)).end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describeEachDatabase('span-attribute rules at ingest (OTLP/HTTP route)', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    for (const key of ['TRACEDECK_CONFIG', 'TRACEDECK_HEADER_PREFIXES', 'TRACEDECK_STATIC_ATTRIBUTES', 'TRACEDECK_OVERRIDE_EXISTING']) delete process.env[key];
    resetConfigForTests();
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
  });
  afterEach(() => {
    for (const key of ['TRACEDECK_HEADER_PREFIXES', 'TRACEDECK_STATIC_ATTRIBUTES', 'TRACEDECK_OVERRIDE_EXISTING']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    resetConfigForTests();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const detail = async (traceId: string) => (await (await fetch(`${server.url}/api/traces/${traceId}`)).json()) as Detail;
  const find = async (...where: string[]) => {
    const q = new URLSearchParams(where.map((w) => ['where', w]));
    const res = await fetch(`${server.url}/api/traces?${q}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { traces: TraceSummary[] }).traces.map((t) => t.traceId);
  };

  it('an x-katanemo-tenant-id header on the export request tags every span; where=tenant.id=… finds the trace', async () => {
    const tenant = `hdr-tenant-${kind}`;
    const traceId = await exportTrace(server.url, { 'x-katanemo-tenant-id': tenant, 'x-katanemo-user-id': 'usr_42', 'x-katanemo-request-id': 'req-1' });
    expect(await find(`tenant.id=${tenant}`)).toEqual([traceId]);
    expect(await find(`tenant.id=${tenant}`, 'user.id=usr_42', 'request.id=req-1')).toEqual([traceId]);
    const body = await detail(traceId);
    expect(body.spans).toHaveLength(2);
    for (const span of body.spans) {
      expect(span.tenantId).toBe(tenant); // the promoted column, computed from the enriched attributes
      expect(span.attributes['tenant.id']).toEqual({ stringValue: tenant });
      expect(span.attributes['user.id']).toEqual({ stringValue: 'usr_42' });
    }
    expect(body.summaries).toEqual([expect.objectContaining({ tenantId: tenant, userId: 'usr_42' })]);
  });

  it('static attributes from the environment go on every span; a header overrides a static value; the span’s own attribute wins', async () => {
    process.env.TRACEDECK_STATIC_ATTRIBUTES = 'environment=staging,tenant.id=static-tenant';
    resetConfigForTests();
    const fromStatic = await exportTrace(server.url, {});
    const fromHeader = await exportTrace(server.url, { 'x-katanemo-tenant-id': `header-beats-static-${kind}` });
    const ownWins = await exportTrace(server.url, { 'x-katanemo-tenant-id': 'from-header' }, { 'tenant.id': `own-${kind}` });

    expect((await detail(fromStatic)).spans.map((s) => [s.tenantId, s.attributes.environment])).toEqual([
      ['static-tenant', { stringValue: 'staging' }],
      ['static-tenant', { stringValue: 'staging' }],
    ]);
    expect(await find(`tenant.id=header-beats-static-${kind}`, 'environment=staging')).toEqual([fromHeader]);
    const own = await detail(ownWins);
    const root = own.spans.find((s) => s.parentSpanId === null);
    expect(root?.attributes['tenant.id']).toEqual({ stringValue: `own-${kind}` });
    expect(root?.tenantId).toBe(`own-${kind}`);
    // The child carries no tenant.id of its own, so the request's header tags it.
    expect(own.spans.find((s) => s.parentSpanId !== null)?.tenantId).toBe('from-header');
  });

  it('captured http.request.header.* attributes are mapped too (original kept); other prefixes can be configured', async () => {
    process.env.TRACEDECK_HEADER_PREFIXES = 'x-katanemo-,x-acme-';
    resetConfigForTests();
    const traceId = await exportTrace(server.url, { 'x-acme-team': `infra-${kind}` }, { 'http.request.header.x-katanemo-user-id': ['usr_captured'] });
    const body = await detail(traceId);
    const root = body.spans.find((s) => s.parentSpanId === null);
    expect(root?.attributes['user.id']).toEqual({ stringValue: 'usr_captured' });
    expect(root?.attributes['http.request.header.x-katanemo-user-id']).toEqual({ arrayValue: { values: [{ stringValue: 'usr_captured' }] } });
    expect(body.summaries[0].userId).toBe('usr_captured');
    expect(await find(`team=infra-${kind}`)).toEqual([traceId]);
  });
});
