/**
 * Span limits (attribute count and size, events, links, enums, flags) and the
 * clean-up of text Postgres cannot store, identical for protobuf and JSON.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_INGEST_LIMITS,
  type DecodeOutcome,
  type DecodeSuccess,
  type IngestLimits,
  cleanText,
  decodeExportRequest,
  encodeExportResponse,
} from '../../../lib/otlp';
import { exportMessage } from '../../../lib/otlp/common';
import { truncateText } from '../../../lib/otlp/limits';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../../lib/otlp/proto';
import { ingestLimits, resetConfigForTests } from '../../../server/config';

type Json = Record<string, unknown>;
const TRACE = '5b8efff798038103d269b633813fc60c';
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

function span(over: Json = {}): Json {
  return { traceId: TRACE, spanId: 'eee19b7ec3c1b174', name: 'op', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000000001', ...over };
}
function request(spans: Json[], resource: Json[] = []): Json {
  return { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans }] }] };
}
function toProto(req: Json): Uint8Array {
  const ids = (s: Json) => ({
    ...s,
    traceId: Buffer.from(s.traceId as string, 'hex'),
    spanId: Buffer.from(s.spanId as string, 'hex'),
    links: ((s.links as Json[] | undefined) ?? []).map((l) => ({
      ...l,
      traceId: Buffer.from(l.traceId as string, 'hex'),
      spanId: Buffer.from(l.spanId as string, 'hex'),
    })),
  });
  type Rs = { resource: Json; scopeSpans: { spans: Json[] }[] };
  const converted = {
    resourceSpans: (req.resourceSpans as Rs[]).map((rs) => ({ ...rs, scopeSpans: rs.scopeSpans.map((ss) => ({ spans: ss.spans.map(ids) })) })),
  };
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(converted)).finish();
}
function ok(out: DecodeOutcome): DecodeSuccess {
  if (!out.ok) throw new Error(`expected success, got ${out.status}: ${out.message}`);
  return out;
}

/** Decodes the request both ways and checks they agree; returns the JSON result. */
function decodeBoth(req: Json, limits: Partial<IngestLimits> = {}): DecodeSuccess {
  const opts = { maxBodyBytes: 64 << 20, limits: { ...DEFAULT_INGEST_LIMITS, ...limits } };
  const json = ok(decodeExportRequest(Buffer.from(JSON.stringify(req)), { contentType: 'application/json', ...opts }));
  const pb = ok(decodeExportRequest(toProto(req), { contentType: 'application/x-protobuf', ...opts }));
  expect(pb.spans).toStrictEqual(json.spans);
  expect(pb.rejected).toStrictEqual(json.rejected);
  expect(pb.warnings).toStrictEqual(json.warnings);
  return json;
}

describe('cleanText', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a\u0000b\u0000', 'a\ufffdb\ufffd'],
    ['\ud800', '\ufffd'],
    ['x\udc00y', 'x\ufffdy'],
    ['\udc00\ud800', '\ufffd\ufffd'],
    ['😀 and \ud83d\ude00', '😀 and 😀'],
    ['\ud83d', '\ufffd'],
    ['\ud83d\ud83d\ude00', '\ufffd😀'],
  ])('%j → %j', (input, output) => {
    expect(cleanText(input)).toBe(output);
    expect(cleanText(input)).toHaveLength(input.length);
  });

  it('keeps the same string object when there is nothing to clean', () => {
    const s = 'x'.repeat(100);
    expect(cleanText(s)).toBe(s);
  });
});

describe('truncateText', () => {
  it('never ends in half a surrogate pair', () => {
    expect(truncateText('ab😀c', 3)).toBe('ab');
    expect(truncateText('ab😀c', 4)).toBe('ab😀');
    expect(truncateText('abc', 2)).toBe('ab');
  });
});

describe('attribute count limit', () => {
  it('keeps the first N keys, updates kept keys from later duplicates, drops and counts new ones', () => {
    const out = decodeBoth(
      request([span({ attributes: [str('a', '1'), str('b', '2'), str('c', '3'), str('a', 'again'), str('d', '4')], droppedAttributesCount: 7 })]),
      { maxAttributes: 2 },
    );
    expect(out.spans[0].attributes).toStrictEqual({ a: { stringValue: 'again' }, b: { stringValue: '2' } });
    expect(out.spans[0].droppedAttributesCount).toBe(9);
    expect(out.warnings).toStrictEqual(['span 0: 2 attributes over the 2-per-map limit dropped']);
  });

  it('applies to resource, event and link attributes too, each counted where OTLP counts it', () => {
    const out = decodeBoth(
      request(
        [
          span({
            events: [{ timeUnixNano: '1700000000000000000', name: 'e', attributes: [str('x', '1'), str('y', '2')], droppedAttributesCount: 1 }],
            links: [{ traceId: TRACE, spanId: '0102030405060708', attributes: [str('x', '1'), str('y', '2'), str('z', '3')] }],
          }),
        ],
        [str('service.name', 'svc'), str('r1', '1'), str('r2', '2')],
      ),
      { maxAttributes: 1 },
    );
    const s = out.spans[0];
    expect(s.resourceAttributes).toStrictEqual({ 'service.name': { stringValue: 'svc' } });
    expect(s.service).toBe('svc');
    expect(s.events[0]).toMatchObject({ attributes: { x: { stringValue: '1' } }, droppedAttributesCount: 2 });
    expect(s.links[0]).toMatchObject({ attributes: { x: { stringValue: '1' } }, droppedAttributesCount: 2 });
    expect(s.droppedAttributesCount).toBe(0);
    expect(out.warnings).toStrictEqual(['resource 0: 2 attributes over the 1-per-map limit dropped', 'span 0: 3 attributes over the 1-per-map limit dropped']);
  });

  it('a key over 512 characters is dropped and counted', () => {
    const out = decodeBoth(request([span({ attributes: [str('k'.repeat(513), 'v'), str('k'.repeat(512), 'w')] })]));
    expect(Object.keys(out.spans[0].attributes)).toStrictEqual(['k'.repeat(512)]);
    expect(out.spans[0].droppedAttributesCount).toBe(1);
  });
});

describe('value length limit', () => {
  it('truncates strings (also inside arrays and kvlists), bytes, names and messages; counts each', () => {
    const long = 'x'.repeat(20);
    const out = decodeBoth(
      request([
        span({
          name: long,
          status: { code: 2, message: long },
          attributes: [
            str('s', long),
            { key: 'b', value: { bytesValue: Buffer.alloc(20, 7).toString('base64') } },
            { key: 'arr', value: { arrayValue: { values: [{ stringValue: long }, { intValue: '12345678901234567890'.slice(0, 18) }] } } },
            { key: 'kv', value: { kvlistValue: { values: [{ key: long, value: { stringValue: 'short' } }] } } },
            str('fits', 'x'.repeat(10)),
          ],
          events: [{ timeUnixNano: '1', name: long }],
        }),
      ]),
      { maxValueLength: 10 },
    );
    const s = out.spans[0];
    const ten = 'x'.repeat(10);
    expect(s.name).toBe(ten);
    expect(s.statusMessage).toBe(ten);
    expect(s.events[0].name).toBe(ten);
    expect(s.attributes).toStrictEqual({
      s: { stringValue: ten },
      b: { bytesValue: Buffer.alloc(10, 7).toString('base64') },
      arr: { arrayValue: { values: [{ stringValue: ten }, { intValue: '123456789012345678' }] } },
      kv: { kvlistValue: { values: [{ key: ten, value: { stringValue: 'short' } }] } },
      fits: { stringValue: ten },
    });
    expect(out.warnings).toStrictEqual(['span 0: 7 values truncated to 10 characters/bytes']);
  });
});

describe('events and links per span', () => {
  it('keeps the first N and adds the rest to the dropped counts', () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ timeUnixNano: String(i + 1), name: `e${i}` }));
    const links = Array.from({ length: 4 }, (_, i) => ({ traceId: TRACE, spanId: `010203040506070${i + 1}` }));
    const out = decodeBoth(request([span({ events, links, droppedEventsCount: 1, droppedLinksCount: 2 })]), { maxEvents: 2, maxLinks: 3 });
    const s = out.spans[0];
    expect(s.events.map((e) => e.name)).toStrictEqual(['e0', 'e1']);
    expect(s.links).toHaveLength(3);
    expect(s.droppedEventsCount).toBe(4);
    expect(s.droppedLinksCount).toBe(3);
    expect(out.warnings).toStrictEqual(['span 0: 3 events over the 2-per-span limit dropped, 1 links over the 3-per-span limit dropped']);
  });

  it('what is dropped cannot reject the span (a bad link id past the limit), nor add to the warnings', () => {
    const deep = { kvlistValue: { values: [{ key: 'k', value: { arrayValue: { values: [{ stringValue: 'x'.repeat(50) }] } } }] } };
    const out = decodeBoth(
      request([
        span({
          links: [
            { traceId: TRACE, spanId: '0102030405060708' },
            { traceId: 'abcd', spanId: '0102030405060709' },
          ],
          events: [
            { timeUnixNano: '1', name: 'kept' },
            { timeUnixNano: '2', name: 'x'.repeat(50), attributes: [{ key: 'd', value: deep }] },
          ],
        }),
      ]),
      { maxLinks: 1, maxEvents: 1, maxDepth: 2, maxValueLength: 10 },
    );
    expect(out.rejected).toStrictEqual([]);
    expect(out.spans[0]).toMatchObject({ droppedLinksCount: 1, droppedEventsCount: 1 });
    expect(out.warnings).toStrictEqual(['span 0: 1 events over the 1-per-span limit dropped, 1 links over the 1-per-span limit dropped']);
  });
});

describe('values no column can hold', () => {
  it('unknown kind and status become unspecified/unset with a warning; flags keep their 32 bits', () => {
    const out = decodeBoth(request([span({ kind: 40_000, status: { code: -3 }, flags: 0xffffffff })]));
    expect(out.spans[0]).toMatchObject({ kind: 0, statusCode: 0, flags: -1 });
    expect(out.warnings).toStrictEqual(['span 0: unknown kind 40000 stored as SPAN_KIND_UNSPECIFIED, unknown status code -3 stored as STATUS_CODE_UNSET']);
  });

  it('NUL and unpaired surrogates in JSON strings become U+FFFD everywhere', () => {
    const json = ok(
      decodeExportRequest(
        Buffer.from(
          JSON.stringify(
            request(
              [
                span({
                  name: 'a\u0000',
                  traceState: '\ud800',
                  attributes: [str('k\u0000', 'v\udc00')],
                  status: { code: 1, message: '\u0000' },
                  events: [{ timeUnixNano: '1', name: '\u0000', attributes: [str('\u0000', '\u0000')] }],
                }),
              ],
              [str('service.name', 's\u0000')],
            ),
          ),
        ),
        { contentType: 'application/json', maxBodyBytes: 1 << 20 },
      ),
    );
    const s = json.spans[0];
    expect(JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    expect(s.name).toBe('a\ufffd');
    expect(s.service).toBe('s\ufffd');
    expect(s.attributes).toStrictEqual({ 'k\ufffd': { stringValue: 'v\ufffd' } });
    expect(json.warnings).toStrictEqual([]);
  });
});

describe('partial_success with warnings', () => {
  it('rejected_spans 0 and the warnings as error_message, readable by the OpenTelemetry exporter', () => {
    const bytes = encodeExportResponse('protobuf', [], ['span 0: 2 values truncated to 10 characters/bytes']);
    const res = ProtobufTraceSerializer.deserializeResponse(bytes);
    expect(Number(res.partialSuccess?.rejectedSpans ?? 0)).toBe(0);
    expect(res.partialSuccess?.errorMessage).toBe('warnings: span 0: 2 values truncated to 10 characters/bytes');
    expect(JSON.parse(encodeExportResponse('json', [], ['w']))).toStrictEqual({ partialSuccess: { rejectedSpans: '0', errorMessage: 'warnings: w' } });
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(encodeExportResponse('protobuf', [], [])))).toStrictEqual({});
  });

  it('rejections first, then warnings, within 1024 characters', () => {
    const rejected = Array.from({ length: 200 }, (_, i) => ({ index: i, reason: 'trace_id must not be all zeros' }));
    const warnings = Array.from({ length: 200 }, (_, i) => `span ${i + 200}: 1 values truncated to 65536 characters/bytes`);
    const msg = exportMessage(rejected, warnings, 1024);
    expect(msg.length).toBeLessThanOrEqual(1024);
    expect(msg).toMatch(/^200 spans rejected: span 0: .*\(\d+ more\)\. warnings: span 200: .*\(\d+ more\)$/);
    expect(exportMessage([{ index: 1, reason: 'r' }], ['w'])).toBe('1 span rejected: span 1: r. warnings: w');
  });
});

describe('limits from the environment', () => {
  const names = [
    'TRACEDECK_MAX_ATTRIBUTES_PER_SPAN',
    'TRACEDECK_MAX_ATTRIBUTE_VALUE_LENGTH',
    'TRACEDECK_MAX_ATTRIBUTE_DEPTH',
    'TRACEDECK_MAX_EVENTS_PER_SPAN',
    'TRACEDECK_MAX_LINKS_PER_SPAN',
    'TRACEDECK_MAX_FUTURE_SKEW_SECONDS',
  ];
  afterEach(() => {
    for (const n of names) delete process.env[n];
    resetConfigForTests();
  });

  it('defaults, overrides, and a loud error for a bad value', () => {
    // The retention (TRACEDECK_RETENTION, 30 days by default) bounds a span's age.
    expect(ingestLimits()).toStrictEqual({ ...DEFAULT_INGEST_LIMITS, maxAgeMs: 30 * 86_400_000 });
    names.forEach((n, i) => (process.env[n] = String(10 + i)));
    resetConfigForTests();
    expect(ingestLimits()).toStrictEqual({
      maxAttributes: 10,
      maxValueLength: 11,
      maxDepth: 12,
      maxEvents: 13,
      maxLinks: 14,
      maxFutureSkewMs: 15_000,
      maxAgeMs: 30 * 86_400_000,
    });
    process.env.TRACEDECK_MAX_ATTRIBUTES_PER_SPAN = 'lots';
    resetConfigForTests();
    expect(() => ingestLimits()).toThrow(/TRACEDECK_MAX_ATTRIBUTES_PER_SPAN must be a positive integer/);
  });
});
