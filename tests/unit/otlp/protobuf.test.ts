/**
 * Protobuf inputs the JS SDK cannot produce (invalid ids, 64-bit ints, bytes,
 * odd doubles), encoded with the generated ExportTraceServiceRequest.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS, decodeExportRequest, type DecodeOutcome, type DecodeSuccess } from '../../../lib/otlp';
import { ExportTraceServiceRequest } from '../../../lib/otlp/proto';
import { nestedArrays, requestWithAttribute } from './fixtures';

const PB = { contentType: 'application/x-protobuf', maxBodyBytes: 1 << 20 };
const TRACE = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
const SPAN = Buffer.from('eee19b7ec3c1b174', 'hex');

function ok(out: DecodeOutcome): DecodeSuccess {
  if (!out.ok) throw new Error(`expected success, got ${out.status}: ${out.message}`);
  return out;
}
function encode(obj: Record<string, unknown>): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(obj)).finish();
}
function span(extra: Record<string, unknown> = {}) {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: 'op',
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000000223456789',
    ...extra,
  };
}
function request(spans: unknown[], resourceAttributes: unknown[] = []) {
  return { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ spans }] }] };
}
function decodeOne(extra: Record<string, unknown>) {
  return ok(decodeExportRequest(encode(request([span(extra)])), PB));
}

describe('span validation', () => {
  it.each([
    [{ traceId: TRACE.subarray(0, 15) }, 'trace_id must be 16 bytes (got 15)'],
    [{ traceId: Buffer.alloc(17, 1) }, 'trace_id must be 16 bytes (got 17)'],
    [{ traceId: Buffer.alloc(0) }, 'trace_id must be 16 bytes (got 0)'],
    [{ traceId: undefined }, 'trace_id must be 16 bytes (got 0)'],
    [{ traceId: Buffer.alloc(16) }, 'trace_id must not be all zeros'],
    [{ spanId: SPAN.subarray(0, 4) }, 'span_id must be 8 bytes (got 4)'],
    [{ spanId: Buffer.alloc(8) }, 'span_id must not be all zeros'],
    [{ parentSpanId: Buffer.alloc(4, 1) }, 'parent_span_id must be empty or 8 bytes (got 4)'],
    [{ startTimeUnixNano: '0' }, 'start_time_unix_nano must not be 0'],
    [{ startTimeUnixNano: undefined, endTimeUnixNano: undefined }, 'start_time_unix_nano must not be 0'],
    [{ endTimeUnixNano: '1700000000123456788' }, 'end_time_unix_nano (1700000000123456788) is before start_time_unix_nano (1700000000123456789)'],
    [{ endTimeUnixNano: undefined }, 'end_time_unix_nano (0) is before start_time_unix_nano (1700000000123456789)'],
    [{ links: [{ traceId: Buffer.alloc(3, 1), spanId: SPAN }] }, 'link 0: trace_id must be 16 bytes (got 3)'],
    [{ links: [{ traceId: TRACE, spanId: SPAN }, { traceId: TRACE }] }, 'link 1: span_id must be 8 bytes (got 0)'],
  ])('%j → %s', (extra, reason) => {
    const other = span({ spanId: Buffer.alloc(8, 0x11) });
    const out = ok(decodeExportRequest(encode(request([other, span(extra), other])), PB));
    expect(out.rejected).toStrictEqual([{ index: 1, reason }]);
    expect(out.spans).toHaveLength(2);
  });

  it('indexes count spans across resources and scopes', () => {
    const good = span();
    const bad = span({ spanId: Buffer.alloc(8) });
    const out = ok(
      decodeExportRequest(
        encode({
          resourceSpans: [{ scopeSpans: [{ spans: [good, bad] }, { spans: [] }, { spans: [good] }] }, { scopeSpans: [{ spans: [bad, bad, good] }] }],
        }),
        PB,
      ),
    );
    expect(out.rejected.map((r) => r.index)).toStrictEqual([1, 3, 4]);
    expect(out.spans).toHaveLength(3);
  });

  it('start == end, all-zero parent (root) and all-zero link ids are fine', () => {
    const out = decodeOne({
      endTimeUnixNano: '1700000000123456789',
      parentSpanId: Buffer.alloc(8),
      links: [{ traceId: Buffer.alloc(16), spanId: Buffer.alloc(8), flags: 1 }],
    });
    expect(out.rejected).toEqual([]);
    expect(out.spans[0].parentSpanId).toBeNull();
    expect(out.spans[0].links).toStrictEqual([{ traceId: '0'.repeat(32), spanId: '0'.repeat(16), attributes: {} }]);
  });

  it('times near 2^63 and 2^64 stay exact; past a bigint (or the clock) they are rejected', () => {
    // A clock skew allowance reaching past 2262 leaves only the storage limit.
    const opts = { ...PB, limits: { ...DEFAULT_INGEST_LIMITS, maxFutureSkewMs: 1e16 } };
    const max = ok(decodeExportRequest(encode(request([span({ startTimeUnixNano: '9223372036854775806', endTimeUnixNano: '9223372036854775807' })])), opts));
    expect(max.spans[0].startTimeUnixNano).toBe(9223372036854775806n);
    expect(max.spans[0].endTimeUnixNano).toBe(9223372036854775807n);
    const beyond = ok(
      decodeExportRequest(encode(request([span({ startTimeUnixNano: '18446744073709551614', endTimeUnixNano: '18446744073709551615' })])), opts),
    );
    expect(beyond.rejected).toStrictEqual([{ index: 0, reason: 'end_time_unix_nano (18446744073709551615) is beyond the storable range (year 2262)' }]);
    const future = decodeOne({ startTimeUnixNano: '9223372036854775806', endTimeUnixNano: '9223372036854775807' });
    expect(future.rejected[0].reason).toMatch(
      /^end_time_unix_nano \(9223372036854775807\) is in the future \(later than \d+, the server clock plus the allowed skew\)$/,
    );
  });

  it('the allowed clock skew is measured from the server clock', () => {
    const nowMs = 1_700_000_000_000;
    const limits = { ...DEFAULT_INGEST_LIMITS, maxFutureSkewMs: 60_000 };
    const at = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
    const out = ok(
      decodeExportRequest(
        encode(
          request([
            span({ startTimeUnixNano: at(nowMs), endTimeUnixNano: at(nowMs + 60_000) }),
            span({ startTimeUnixNano: at(nowMs), endTimeUnixNano: at(nowMs + 60_001) }),
          ]),
        ),
        { ...PB, limits, nowMs },
      ),
    );
    expect(out.spans).toHaveLength(1);
    expect(out.rejected.map((r) => r.index)).toEqual([1]);
  });
});

describe('AnyValue conversion', () => {
  it.each([
    [{ intValue: '9223372036854775807' }, { intValue: '9223372036854775807' }],
    [{ intValue: '-9223372036854775808' }, { intValue: '-9223372036854775808' }],
    [{ intValue: '9007199254740993' }, { intValue: '9007199254740993' }],
    [{ intValue: '-9007199254740993' }, { intValue: '-9007199254740993' }],
    [{ intValue: '-1' }, { intValue: '-1' }],
    [{ intValue: '0' }, { intValue: '0' }],
    [{ intValue: '4294967296' }, { intValue: '4294967296' }],
    [{ doubleValue: NaN }, { doubleValue: 'NaN' }],
    [{ doubleValue: Infinity }, { doubleValue: 'Infinity' }],
    [{ doubleValue: -Infinity }, { doubleValue: '-Infinity' }],
    [{ doubleValue: -0.5 }, { doubleValue: -0.5 }],
    [{ doubleValue: 0 }, { doubleValue: 0 }],
    [{ bytesValue: Buffer.from([0, 1, 2, 250, 255]) }, { bytesValue: 'AAEC+v8=' }],
    [{ bytesValue: Buffer.alloc(0) }, { bytesValue: '' }],
    [{ stringValue: '' }, { stringValue: '' }],
    [{ boolValue: false }, { boolValue: false }],
    [{}, {}],
    [
      {
        kvlistValue: {
          values: [{ key: 'n', value: { intValue: 1 } }, { key: 'e' }, { key: 'l', value: { arrayValue: { values: [{ stringValue: 'x' }, {}] } } }],
        },
      },
      {
        kvlistValue: {
          values: [
            { key: 'n', value: { intValue: '1' } },
            { key: 'e', value: {} },
            { key: 'l', value: { arrayValue: { values: [{ stringValue: 'x' }, {}] } } },
          ],
        },
      },
    ],
    [{ arrayValue: {} }, { arrayValue: { values: [] } }],
  ])('%j → %j', (value, want) => {
    const out = decodeOne({ attributes: [{ key: 'a', value }] });
    expect(out.spans[0].attributes.a).toStrictEqual(want);
  });

  it('a KeyValue without a value is an empty AnyValue; later duplicates win', () => {
    const out = decodeOne({
      attributes: [
        { key: 'nothing' },
        { key: 'dup', value: { stringValue: '1' } },
        { key: 'dup', value: { boolValue: true } },
        { key: '__proto__', value: { stringValue: 'p' } },
      ],
    });
    const attrs = out.spans[0].attributes;
    expect(attrs.nothing).toStrictEqual({});
    expect(attrs.dup).toStrictEqual({ boolValue: true });
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toStrictEqual(['nothing', 'dup', '__proto__']);
  });

  it('32 nesting levels are kept; 33 reject the span', () => {
    const kept = ok(decodeExportRequest(requestWithAttribute('deep', nestedArrays(31)), PB));
    expect(kept.rejected).toEqual([]);
    let v = kept.spans[0].attributes.deep;
    let depth = 1;
    while ('arrayValue' in v) {
      v = v.arrayValue.values[0];
      depth++;
    }
    expect(depth).toBe(32);
    expect(v).toStrictEqual({ stringValue: 'x' });

    const rejected = ok(decodeExportRequest(requestWithAttribute('deep', nestedArrays(32)), PB));
    expect(rejected.spans).toEqual([]);
    expect(rejected.rejected).toStrictEqual([{ index: 0, reason: 'attribute "deep" nests deeper than 32 levels' }]);
  });

  it('too-deep resource attribute rejects every span of that resource only', () => {
    let deep: Record<string, unknown> = { stringValue: 'x' };
    for (let i = 0; i < 40; i++) deep = { kvlistValue: { values: [{ key: 'k', value: deep }] } };
    const out = ok(
      decodeExportRequest(
        encode({
          resourceSpans: [
            { resource: { attributes: [{ key: 'r', value: deep }] }, scopeSpans: [{ spans: [span(), span()] }] },
            { scopeSpans: [{ spans: [span()] }] },
          ],
        }),
        PB,
      ),
    );
    expect(out.rejected).toStrictEqual([
      { index: 0, reason: 'resource attribute "r" nests deeper than 32 levels' },
      { index: 1, reason: 'resource attribute "r" nests deeper than 32 levels' },
    ]);
    expect(out.spans).toHaveLength(1);
  });
});

describe('service and scope', () => {
  it.each([
    [[{ key: 'service.name', value: { stringValue: 'api' } }], 'api'],
    [[], 'unknown_service'],
    [[{ key: 'service.name', value: { intValue: 5 } }], 'unknown_service'],
    [[{ key: 'service.name', value: { stringValue: '' } }], 'unknown_service'],
    [
      [
        { key: 'service.name', value: { stringValue: 'a' } },
        { key: 'service.name', value: { stringValue: 'b' } },
      ],
      'b',
    ],
  ])('resource %j → service %s', (attrs, service) => {
    const out = ok(decodeExportRequest(encode(request([span()], attrs)), PB));
    expect(out.spans[0].service).toBe(service);
  });

  it('scope name/version, dropped counts, flags, status', () => {
    const out = ok(
      decodeExportRequest(
        encode({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  scope: { name: 'openai-instrumentation', version: '0.9.1' },
                  spans: [
                    span({
                      flags: 0x301,
                      droppedAttributesCount: 1,
                      droppedEventsCount: 2,
                      droppedLinksCount: 3,
                      status: { code: 2, message: 'bad' },
                      kind: 4,
                      traceState: 'k=v',
                    }),
                  ],
                },
                { spans: [span()] },
              ],
            },
          ],
        }),
        PB,
      ),
    );
    expect(out.spans[0]).toMatchObject({
      scopeName: 'openai-instrumentation',
      scopeVersion: '0.9.1',
      flags: 0x301,
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      statusCode: 2,
      statusMessage: 'bad',
      kind: 4,
      traceState: 'k=v',
    });
    expect(out.spans[1]).toMatchObject({ scopeName: null, scopeVersion: null, flags: 0, kind: 0, statusCode: 0, statusMessage: null, traceState: null });
  });

  it('resource attribute objects are shared by the spans of one resource', () => {
    const out = ok(decodeExportRequest(encode(request([span(), span()], [{ key: 'service.name', value: { stringValue: 'api' } }])), PB));
    expect(out.spans[0].resourceAttributes).toBe(out.spans[1].resourceAttributes);
  });
});
