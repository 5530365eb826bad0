/**
 * Real OTLP payloads built with the OpenTelemetry JS SDK and the official
 * serializers, plus the SpanRecord each source span should decode to.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace, type AttributeValue, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../../lib/otlp/span-record';
import { SpanMessage } from '../../../lib/otlp/proto';

export const T0: [number, number] = [1_700_000_000, 123_456_789];

function at(secOffset: number, nanos: number): [number, number] {
  return [T0[0] + secOffset, nanos];
}

/**
 * Builds spans from two providers (one resource with service.name and typed
 * attributes, one without service.name), two scopes, a remote parent with
 * trace state, events, links and an error status.
 */
export async function makeSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const gateway = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'llm-gateway',
      'service.version': '2.4.0',
      'deployment.environment': 'test',
      'host.cpu.count': 8,
      'process.runtime.ratio': 0.25,
      'feature.enabled': true,
      'cloud.zones': ['eu-west-1a', 'eu-west-1b'],
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const anonymous = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'telemetry.sdk.language': 'nodejs' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });

  const http = gateway.getTracer('tracedeck-http', '1.2.3');
  const llm = gateway.getTracer('tracedeck-llm');

  // A remote parent (as if propagated by traceparent + tracestate).
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
    traceState: createTraceState('vendor=abc,other=1'),
  });
  const server = http.startSpan(
    'POST /v1/chat/completions',
    {
      kind: SpanKind.SERVER,
      startTime: at(0, 123_456_789),
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'server.duration_ratio': 1.5,
        'http.retried': false,
        'http.headers.accept': ['application/json', 'text/event-stream'],
      },
    },
    remoteParent,
  );

  const otherTrace = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 0,
    traceState: createTraceState('congo=t61rcWkgMzE'),
  };
  const call = llm.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: at(0, 223_456_789),
      links: [
        { context: otherTrace, attributes: { 'link.kind': 'retry-of', 'link.attempt': 2 } },
        { context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } },
      ],
    },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  call.setAttributes({
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1234,
    'gen_ai.usage.output_tokens': 0,
    'gen_ai.request.temperature': 0.7,
    'gen_ai.request.max_tokens': -1,
    'llm.stream': true,
    'llm.stop_sequences': ['\n\n', 'END', 'ünïcødé ✓'],
    'llm.token_ids': [1, 2, 3],
    'llm.scores': [0.5, 1.25],
    'llm.flags': [true, false],
    'llm.big': 2 ** 52,
  });
  call.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': 'hello', 'prompt.tokens': 5 }, at(0, 300_000_001));
  call.addEvent('first_token', at(0, 900_000_000));
  call.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream returned 429' });
  call.end(at(1, 5));

  const cache = llm.startSpan('cache.lookup', { kind: SpanKind.INTERNAL, startTime: at(0, 200_000_000) }, trace.setSpan(ROOT_CONTEXT, server));
  cache.setStatus({ code: SpanStatusCode.OK });
  cache.end(at(0, 200_000_000)); // zero duration is fine

  server.end(at(2, 999_999_999));

  const job = anonymous.getTracer('worker').startSpan('process batch', { kind: SpanKind.CONSUMER, startTime: at(5, 0) });
  job.addEvent('item', { n: 1 }, at(5, 1));
  job.end(at(6, 0));

  const producer = anonymous.getTracer('worker').startSpan('enqueue', { kind: SpanKind.PRODUCER, startTime: at(7, 42) });
  producer.end(at(7, 43));

  await gateway.forceFlush();
  await anonymous.forceFlush();
  return exporter.getFinishedSpans();
}

/** Many similar spans for benchmarks. */
export async function makeManySpans(n: number): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'llm-gateway', 'deployment.environment': 'prod' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench', '1.0.0');
  for (let i = 0; i < n; i++) {
    const s = tracer.startSpan(`chat gpt-4o #${i}`, {
      kind: SpanKind.CLIENT,
      startTime: at(i, 1),
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 100 + i,
        'gen_ai.usage.output_tokens': 42,
        'gen_ai.request.temperature': 0.2,
        'llm.stream': i % 2 === 0,
        'http.route': '/v1/chat/completions',
        'user.id': `user-${i % 97}`,
      },
    });
    s.addEvent('first_token', { latency_ms: 123 }, at(i, 5000));
    s.end(at(i, 900_000_000));
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

// The serializers are typed against @opentelemetry/sdk-trace's ReadableSpan; sdk-trace-base re-exports the same type.
export function toProtobuf(spans: ReadableSpan[]): Uint8Array {
  const out = ProtobufTraceSerializer.serializeRequest(spans);
  if (!out) throw new Error('serializer returned nothing');
  return out;
}

export function toJson(spans: ReadableSpan[]): Uint8Array {
  const out = JsonTraceSerializer.serializeRequest(spans);
  if (!out) throw new Error('serializer returned nothing');
  return out;
}

// ---------------------------------------------------------------------------
// Expected decoding of a ReadableSpan
// ---------------------------------------------------------------------------

export function hrToNanos(t: [number, number]): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

function anyOf(v: AttributeValue | undefined): OtlpAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => anyOf(x as AttributeValue)) } };
  return {};
}

export function attrsOf(a: Attributes | undefined): AttributeMap {
  const out: AttributeMap = {};
  for (const [k, v] of Object.entries(a ?? {})) out[k] = anyOf(v);
  return out;
}

export function expectedRecord(s: ReadableSpan): SpanRecord {
  const ctx = s.spanContext();
  const parent = s.parentSpanContext;
  const resourceAttributes = attrsOf(s.resource.attributes);
  const svc = s.resource.attributes['service.name'];
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: parent?.spanId ?? null,
    traceState: ctx.traceState?.serialize() || null,
    name: s.name,
    kind: s.kind + 1, // API SpanKind starts at INTERNAL = 0; OTLP has UNSPECIFIED = 0
    service: typeof svc === 'string' ? svc : 'unknown_service',
    statusCode: s.status.code,
    statusMessage: s.status.message || null,
    startTimeUnixNano: hrToNanos(s.startTime),
    endTimeUnixNano: hrToNanos(s.endTime),
    attributes: attrsOf(s.attributes),
    resourceAttributes,
    events: s.events.map((e) => ({
      timeUnixNano: hrToNanos(e.time).toString(),
      name: e.name,
      attributes: attrsOf(e.attributes),
    })),
    links: s.links.map((l) => {
      const link: SpanRecord['links'][number] = {
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        attributes: attrsOf(l.attributes),
      };
      const ts = l.context.traceState?.serialize();
      if (ts) link.traceState = ts;
      return link;
    }),
    scopeName: s.instrumentationScope.name || null,
    scopeVersion: s.instrumentationScope.version || null,
    // W3C trace flags + OTLP "has is_remote" bit (0x100) + "is_remote" (0x200) for remote parents.
    flags: (ctx.traceFlags & 0xff) | 0x100 | (parent?.isRemote ? 0x200 : 0),
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  };
}

// ---------------------------------------------------------------------------
// Hand-assembled protobuf for inputs the SDK cannot produce (very deep AnyValues)
// ---------------------------------------------------------------------------

function varintLength(n: number): number {
  let len = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n > 0x7f) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Serialized AnyValue: `levels` array_values nested around string_value "x". */
export function nestedArrays(levels: number): Buffer {
  // Sizes from the inside out: AnyValue_k = {5: ArrayValue{1: AnyValue_(k-1)}}.
  const inner = Buffer.from([0x0a, 0x01, 0x78]);
  const anyLen = new Array<number>(levels + 1);
  const arrLen = new Array<number>(levels + 1);
  anyLen[0] = inner.length;
  for (let k = 1; k <= levels; k++) {
    arrLen[k] = 1 + varintLength(anyLen[k - 1]) + anyLen[k - 1];
    anyLen[k] = 1 + varintLength(arrLen[k]) + arrLen[k];
  }
  const out = Buffer.alloc(anyLen[levels]);
  let pos = 0;
  for (let k = levels; k >= 1; k--) {
    out[pos++] = 0x2a; // AnyValue.array_value (5, LEN)
    pos = writeVarint(out, pos, arrLen[k]);
    out[pos++] = 0x0a; // ArrayValue.values (1, LEN)
    pos = writeVarint(out, pos, anyLen[k - 1]);
  }
  inner.copy(out, pos);
  return out;
}

function lenField(field: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(1 + varintLength(payload.length));
  head[0] = (field << 3) | 2;
  writeVarint(head, 1, payload.length);
  return Buffer.concat([head, payload]);
}

/**
 * ExportTraceServiceRequest with one valid span carrying attribute `key` whose
 * value is the given serialized AnyValue.
 */
export function requestWithAttribute(key: string, anyValue: Buffer): Buffer {
  const span = Buffer.from(
    SpanMessage.encode(
      SpanMessage.fromObject({
        traceId: Buffer.alloc(16, 1),
        spanId: Buffer.alloc(8, 2),
        name: 'deep',
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000000000001',
      }),
    ).finish(),
  );
  const kv = Buffer.concat([lenField(1, Buffer.from(key)), lenField(2, anyValue)]);
  const spanWithAttr = Buffer.concat([span, lenField(9, kv)]); // Span.attributes (9)
  return lenField(1, lenField(2, lenField(2, spanWithAttr))); // Request.resource_spans → ResourceSpans.scope_spans → ScopeSpans.spans
}
