/**
 * Spans sent by the official OpenTelemetry exporters (OTLP/HTTP protobuf and JSON,
 * plain and gzip) through the real ingest route, read back through the query API.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import type { StoredSpan } from '../../lib/trace/wire';
import { describeEachDatabase } from '../support/databases';
import { serveRoutesOn } from '../support/route-server';

type Exported = { spans: ReadableSpan[]; traceId: string };

/** Records a small Plano-like trace with the SDK and exports it with `exporter`; returns what the SDK produced. */
async function recordTrace(exporter: SpanExporter, tenant: string): Promise<Exported> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plano(inbound)', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('tracedeck-test', '1.2.3');
  const root = tracer.startSpan('POST /v1/chat/completions', {
    kind: SpanKind.SERVER,
    attributes: {
      'tenant.id': tenant,
      'user.id': 'usr_12',
      'http.status_code': 502,
      'llm.usage.total_cost_usd': 0.0125,
      'llm.streaming': true,
      'llm.stop': ['\n', 'END'],
      // eslint-disable-next-line no-loss-of-precision -- deliberately past 2^53: the value JavaScript keeps is what the exporter sends
      'big.int': 9007199254740993, // > 2^53: arrives as int64 in protobuf
    },
  });
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    { kind: SpanKind.CLIENT, attributes: { 'llm.model': 'gpt-4o-mini', 'llm.usage.total_tokens': 321 } },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('first_token', { 'llm.time_to_first_token': 212.5 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 502' });
  child.end();
  root.end();
  await provider.forceFlush();
  const spans = [...memory.getFinishedSpans()]; // before shutdown, which empties the in-memory exporter
  await provider.shutdown();
  return { spans, traceId: root.spanContext().traceId };
}

const hrTimeToNs = ([s, ns]: [number, number]) => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();

function expectStoredMatches(stored: StoredSpan[], sent: ReadableSpan[]) {
  expect(stored).toHaveLength(sent.length);
  for (const s of sent) {
    const got = stored.find((x) => x.spanId === s.spanContext().spanId);
    expect(got, `span ${s.name}`).toBeDefined();
    if (!got) continue;
    expect(got.traceId).toBe(s.spanContext().traceId);
    expect(got.parentSpanId).toBe(s.parentSpanContext?.spanId ?? null);
    expect(got.name).toBe(s.name);
    expect(got.kind).toBe(s.kind + 1); // API SpanKind is 0-based INTERNAL; OTLP adds UNSPECIFIED=0
    expect(got.service).toBe('plano(inbound)');
    expect(got.startTimeUnixNano).toBe(hrTimeToNs(s.startTime));
    expect(got.endTimeUnixNano).toBe(hrTimeToNs(s.endTime));
    expect(got.status.code).toBe(s.status.code);
    expect(got.scope).toEqual({ name: 'tracedeck-test', version: '1.2.3' });
    expect(got.resourceAttributes['deployment.environment']).toEqual({ stringValue: 'test' });
  }
}

describeEachDatabase('official OTLP exporters → /v1/traces → /api/traces/{id}', (kind) => {
  const server = serveRoutesOn(kind);

  const exporters: [string, (url: string) => SpanExporter][] = [
    ['protobuf', (url) => new OtlpProtoExporter({ url: `${url}/v1/traces` })],
    ['protobuf+gzip', (url) => new OtlpProtoExporter({ url: `${url}/v1/traces`, compression: 'gzip' as never })],
    ['json', (url) => new OtlpHttpJsonExporter({ url: `${url}/v1/traces` })],
    ['json+gzip', (url) => new OtlpHttpJsonExporter({ url: `${url}/v1/traces`, compression: 'gzip' as never })],
  ];

  for (const [label, makeExporter] of exporters) {
    it(`stores spans sent as ${label} with ids, times, kinds and attribute types intact`, async () => {
      const { spans, traceId } = await recordTrace(makeExporter(server.url), `tenant-${label}`);
      const res = await fetch(`${server.url}/api/traces/${traceId}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { spans: StoredSpan[]; summaries: { spanCount: number; errorCount: number; tenantId: string }[] };
      expectStoredMatches(body.spans, spans);
      const root = body.spans.find((s) => s.parentSpanId === null);
      expect(root?.attributes['tenant.id']).toEqual({ stringValue: `tenant-${label}` });
      expect(root?.attributes['http.status_code']).toEqual({ intValue: '502' });
      expect(root?.attributes['llm.usage.total_cost_usd']).toEqual({ doubleValue: 0.0125 });
      expect(root?.attributes['llm.streaming']).toEqual({ boolValue: true });
      expect(root?.attributes['llm.stop']).toEqual({ arrayValue: { values: [{ stringValue: '\n' }, { stringValue: 'END' }] } });
      const child = body.spans.find((s) => s.parentSpanId !== null);
      expect(child?.events[0]?.name).toBe('first_token');
      expect(child?.status).toEqual({ code: 2, message: 'upstream 502' });
      expect(body.summaries).toEqual([expect.objectContaining({ tenantId: `tenant-${label}`, spanCount: 2, errorCount: 1 })]);
    });
  }

  it('a re-sent batch (exporter retry) stores each span once and keeps the summary counts', async () => {
    const { spans, traceId } = await recordTrace(new InMemorySpanExporter(), 'retry-tenant');
    const exporter = new OtlpProtoExporter({ url: `${server.url}/v1/traces` });
    for (let i = 0; i < 3; i++) {
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
      expect(result.code, result.error?.message).toBe(0);
    }
    await exporter.shutdown();
    const body = (await (await fetch(`${server.url}/api/traces/${traceId}`)).json()) as { spans: StoredSpan[]; summaries: { spanCount: number }[] };
    expect(body.spans).toHaveLength(2);
    expect(body.summaries[0].spanCount).toBe(2);
  });

  it('finds the exported trace by its tenant and a numeric comparison on a typed attribute', async () => {
    const { traceId } = await recordTrace(new OtlpProtoExporter({ url: `${server.url}/v1/traces` }), 'find-me');
    const q = new URLSearchParams([
      ['where', 'tenant.id=find-me'],
      ['where', 'http.status_code>=500'],
    ]);
    const list = (await (await fetch(`${server.url}/api/traces?${q}`)).json()) as { traces: { traceId: string }[] };
    expect(list.traces.map((t) => t.traceId)).toEqual([traceId]);
    const none = new URLSearchParams([['where', 'tenant.id=find-me AND http.status_code<500']]);
    const empty = (await (await fetch(`${server.url}/api/traces?${none}`)).json()) as { traces: unknown[] };
    expect(empty.traces).toEqual([]);
  });
});
