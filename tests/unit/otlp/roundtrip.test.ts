import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeExportRequest, type DecodeOutcome, type DecodeSuccess, type SpanRecord } from '../../../lib/otlp';
import { expectedRecord, makeSpans, toJson, toProtobuf } from './fixtures';

const LIMITS = { maxBodyBytes: 1 << 20 };

function ok(out: DecodeOutcome): DecodeSuccess {
  if (!out.ok) throw new Error(`expected success, got ${out.status}: ${out.message}`);
  return out;
}

let source: ReadableSpan[];
beforeAll(async () => {
  source = await makeSpans();
});

function checkAgainstSource(spans: SpanRecord[]) {
  expect(spans).toHaveLength(source.length);
  const bySpanId = new Map(spans.map((s) => [s.spanId, s]));
  for (const src of source) {
    const got = bySpanId.get(src.spanContext().spanId);
    expect(got, `span ${src.name}`).toBeDefined();
    const want = expectedRecord(src);
    // Field by field first, for readable failures.
    for (const key of Object.keys(want) as (keyof SpanRecord)[]) {
      expect(got![key], `${src.name}.${key}`).toStrictEqual(want[key]);
    }
    expect(got).toStrictEqual(want);
  }
}

describe.each([
  ['protobuf', 'application/x-protobuf', toProtobuf],
  ['json', 'application/json', toJson],
] as const)('official %s serializer → decodeExportRequest', (format, contentType, serialize) => {
  it('decodes every field exactly', () => {
    const out = ok(decodeExportRequest(serialize(source), { contentType, ...LIMITS }));
    expect(out.format).toBe(format);
    expect(out.rejected).toEqual([]);
    checkAgainstSource(out.spans);
  });

  it('keeps value types and exact nanosecond times', () => {
    const out = ok(decodeExportRequest(serialize(source), { contentType, ...LIMITS }));
    const call = out.spans.find((s) => s.name === 'chat gpt-4o')!;
    expect(call.startTimeUnixNano).toBe(1_700_000_000_223_456_789n);
    expect(call.endTimeUnixNano).toBe(1_700_000_001_000_000_005n);
    expect(typeof call.startTimeUnixNano).toBe('bigint');
    expect(call.attributes['gen_ai.usage.input_tokens']).toStrictEqual({ intValue: '1234' });
    expect(call.attributes['gen_ai.request.max_tokens']).toStrictEqual({ intValue: '-1' });
    expect(call.attributes['gen_ai.request.temperature']).toStrictEqual({ doubleValue: 0.7 });
    expect(call.attributes['llm.stream']).toStrictEqual({ boolValue: true });
    expect(call.attributes['llm.stop_sequences']).toStrictEqual({
      arrayValue: { values: [{ stringValue: '\n\n' }, { stringValue: 'END' }, { stringValue: 'ünïcødé ✓' }] },
    });
    expect(call.attributes['llm.big']).toStrictEqual({ intValue: String(2 ** 52) });
    expect(call.kind).toBe(3);
    expect(call.statusCode).toBe(2);
    expect(call.statusMessage).toBe('upstream returned 429');
    expect(call.events[0]).toStrictEqual({
      timeUnixNano: '1700000000300000001',
      name: 'gen_ai.content.prompt',
      attributes: { 'gen_ai.prompt': { stringValue: 'hello' }, 'prompt.tokens': { intValue: '5' } },
    });
    expect(call.links[0]).toStrictEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceState: 'congo=t61rcWkgMzE',
      attributes: { 'link.kind': { stringValue: 'retry-of' }, 'link.attempt': { intValue: '2' } },
    });

    const server = out.spans.find((s) => s.kind === 2)!;
    expect(server.parentSpanId).toBe('b7ad6b7169203331');
    expect(server.traceState).toBe('vendor=abc,other=1');
    expect(server.flags).toBe(0x301);
    expect(server.scopeName).toBe('tracedeck-http');
    expect(server.scopeVersion).toBe('1.2.3');
    expect(server.resourceAttributes['host.cpu.count']).toStrictEqual({ intValue: '8' });
    expect(server.resourceAttributes['process.runtime.ratio']).toStrictEqual({ doubleValue: 0.25 });
    expect(server.resourceAttributes['feature.enabled']).toStrictEqual({ boolValue: true });

    const job = out.spans.find((s) => s.name === 'process batch')!;
    expect(job.service).toBe('unknown_service');
    expect(job.parentSpanId).toBeNull();
    expect(job.kind).toBe(5);
    expect(job.scopeVersion).toBeNull();
  });

  it('decodes a gzip body identically', () => {
    const plain = ok(decodeExportRequest(serialize(source), { contentType, ...LIMITS }));
    const gz = ok(decodeExportRequest(gzipSync(serialize(source)), { contentType, contentEncoding: 'gzip', ...LIMITS }));
    expect(gz.spans).toStrictEqual(plain.spans);
  });

  it('accepts content-type parameters and case', () => {
    const ct = `${contentType.toUpperCase()}; charset=utf-8`;
    const out = ok(decodeExportRequest(serialize(source), { contentType: ct, ...LIMITS }));
    expect(out.spans).toHaveLength(source.length);
  });

  it('accepts a plain Uint8Array (not a Buffer) at an offset', () => {
    const bytes = serialize(source);
    const backing = new Uint8Array(bytes.length + 7);
    backing.set(bytes, 7);
    const view = new Uint8Array(backing.buffer, 7, bytes.length);
    const out = ok(decodeExportRequest(view, { contentType, ...LIMITS }));
    checkAgainstSource(out.spans);
  });
});

it('protobuf and JSON decode to the same records', () => {
  const pb = ok(decodeExportRequest(toProtobuf(source), { contentType: 'application/protobuf', ...LIMITS }));
  const js = ok(decodeExportRequest(toJson(source), { contentType: 'application/json', ...LIMITS }));
  expect(pb.spans).toStrictEqual(js.spans);
});
