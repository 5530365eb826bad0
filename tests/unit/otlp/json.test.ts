import { beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeExportRequest, type DecodeFailure, type DecodeOutcome, type DecodeSuccess } from '../../../lib/otlp';
import { makeSpans, toJson } from './fixtures';

const LIMITS = { maxBodyBytes: 1 << 20 };
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function decodeJson(doc: unknown): DecodeOutcome {
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return decodeExportRequest(Buffer.from(text), { contentType: 'application/json', ...LIMITS });
}
function ok(out: DecodeOutcome): DecodeSuccess {
  if (!out.ok) throw new Error(`expected success, got ${out.status}: ${out.message}`);
  return out;
}
function failed(out: DecodeOutcome): DecodeFailure {
  if (out.ok) throw new Error(`expected failure, got ${out.spans.length} spans / ${out.rejected.length} rejected`);
  return out;
}

/** A request with the given spans under one resource/scope. */
function request(spans: unknown[], resourceAttributes: unknown[] = [{ key: 'service.name', value: { stringValue: 'svc' } }]) {
  return { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] };
}
function span(extra: Record<string, unknown> = {}) {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: 'op',
    kind: 2,
    startTimeUnixNano: '1700000000123456789',
    endTimeUnixNano: '1700000000223456789',
    ...extra,
  };
}
function attr(value: unknown, key = 'a') {
  return span({ attributes: [{ key, value }] });
}

describe('batch with one bad span (official JSON, edited)', () => {
  let source: ReadableSpan[];
  beforeAll(async () => {
    source = await makeSpans();
  });

  it('rejects only that span, with its flattened index and the reason', () => {
    const doc = JSON.parse(Buffer.from(toJson(source)).toString('utf8'));
    // Flatten to find the 3rd span in request order and cut its trace id to 30 hex chars.
    const flat: { traceId: string; spanId: string }[] = [];
    for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) flat.push(s);
    expect(flat.length).toBe(source.length);
    const bad = flat[2];
    bad.traceId = bad.traceId.slice(0, 30);

    const out = ok(decodeJson(doc));
    expect(out.rejected).toStrictEqual([{ index: 2, reason: 'trace_id must be 16 bytes (got 15)' }]);
    expect(out.spans).toHaveLength(source.length - 1);
    expect(out.spans.map((s) => s.spanId)).toStrictEqual(flat.filter((_, i) => i !== 2).map((s) => s.spanId));
  });
});

describe('64-bit integers', () => {
  it('times as decimal strings are exact', () => {
    const out = ok(decodeJson(request([span()])));
    expect(out.spans[0].startTimeUnixNano).toBe(1_700_000_000_123_456_789n);
    expect(out.spans[0].endTimeUnixNano).toBe(1_700_000_000_223_456_789n);
  });

  it('times as JSON numbers are accepted (exact when representable as a double)', () => {
    const out = ok(decodeJson(request([span({ startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_001_000_000_000 })])));
    expect(out.spans[0].startTimeUnixNano).toBe(1_700_000_000_000_000_000n);
    expect(out.spans[0].endTimeUnixNano).toBe(1_700_000_001_000_000_000n);
  });

  it('a time number beyond 2^53 keeps what JSON.parse made of it', () => {
    const text = JSON.stringify(request([span({ startTimeUnixNano: 'S', endTimeUnixNano: 'E' })]))
      .replace('"S"', '1700000000123456789')
      .replace('"E"', '1700000000223456789');
    const out = ok(decodeJson(text));
    // eslint-disable-next-line no-loss-of-precision -- the same rounding JSON.parse applied to the body
    expect(out.spans[0].startTimeUnixNano).toBe(BigInt(1700000000123456789));
  });

  it('mixed string/number times and event times', () => {
    const out = ok(
      decodeJson(
        request([
          span({
            endTimeUnixNano: 1_700_000_001_000_000_000,
            events: [
              { timeUnixNano: 1_700_000_000_500_000_000, name: 'e' },
              { timeUnixNano: '1700000000600000001', name: 'f' },
            ],
          }),
        ]),
      ),
    );
    expect(out.spans[0].events.map((e) => e.timeUnixNano)).toStrictEqual(['1700000000500000000', '1700000000600000001']);
  });

  it.each([
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['007', '7'],
    ['-0', '0'],
    [42, '42'],
    [-5, '-5'],
    [2 ** 60, '1152921504606846976'],
  ])('intValue %j → %s', (input, want) => {
    const out = ok(decodeJson(request([attr({ intValue: input })])));
    expect(out.spans[0].attributes.a).toStrictEqual({ intValue: want });
  });

  it.each(['9223372036854775808', '1.5', 'abc', '', '0x10', ' 1'])('intValue %j → 400', (input) => {
    const out = failed(decodeJson(request([attr({ intValue: input })])));
    expect(out.status).toBe(400);
    expect(out.message).toContain('resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected an int64');
  });

  it.each(['-1', '18446744073709551616', 1.5, -1, 'x'])('startTimeUnixNano %j → 400', (input) => {
    const out = failed(decodeJson(request([span({ startTimeUnixNano: input })])));
    expect(out.message).toContain('spans[0].startTimeUnixNano: expected a uint64');
  });
});

describe('enums', () => {
  it('accepts integers and value names', () => {
    const out = ok(
      decodeJson(
        request([
          span({ kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } }),
          span({ spanId: '1111111111111111', kind: 3, status: { code: 1 } }),
          span({ spanId: '2222222222222222', kind: 'SPAN_KIND_UNSPECIFIED' }),
        ]),
      ),
    );
    expect(out.spans.map((s) => [s.kind, s.statusCode, s.statusMessage])).toStrictEqual([
      [5, 2, 'boom'],
      [3, 1, null],
      [0, 0, null],
    ]);
  });

  it('unknown enum name → 400', () => {
    const out = failed(decodeJson(request([span({ kind: 'SERVER' })])));
    expect(out.message).toContain('spans[0].kind: unknown SpanKind "SERVER"');
    const st = failed(decodeJson(request([span({ status: { code: 'ERROR' } })])));
    expect(st.message).toContain('spans[0].status.code: unknown StatusCode "ERROR"');
  });
});

describe('field names and ids', () => {
  it('accepts snake_case field names', () => {
    const doc = {
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }] },
          scope_spans: [
            {
              scope: { name: 'lib', version: '1' },
              spans: [
                {
                  trace_id: TRACE,
                  span_id: SPAN,
                  parent_span_id: '0102030405060708',
                  trace_state: 'a=b',
                  name: 'op',
                  start_time_unix_nano: '1',
                  end_time_unix_nano: '2',
                  dropped_attributes_count: 3,
                  dropped_events_count: 4,
                  dropped_links_count: 5,
                  attributes: [
                    { key: 'i', value: { int_value: '1' } },
                    { key: 'd', value: { double_value: 1.5 } },
                    { key: 'b', value: { bool_value: true } },
                    { key: 'y', value: { bytes_value: 'AQI=' } },
                    { key: 'l', value: { array_value: { values: [{ string_value: 'x' }] } } },
                    { key: 'k', value: { kvlist_value: { values: [{ key: 'n', value: { int_value: 2 } }] } } },
                  ],
                  events: [{ time_unix_nano: '2', name: 'e', dropped_attributes_count: 1 }],
                  links: [{ trace_id: TRACE, span_id: SPAN, trace_state: 'c=d', dropped_attributes_count: 2 }],
                },
              ],
            },
          ],
        },
      ],
    };
    const out = ok(decodeJson(doc));
    expect(out.spans[0]).toStrictEqual({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: '0102030405060708',
      traceState: 'a=b',
      name: 'op',
      kind: 0,
      service: 'snake',
      statusCode: 0,
      statusMessage: null,
      startTimeUnixNano: 1n,
      endTimeUnixNano: 2n,
      attributes: {
        i: { intValue: '1' },
        d: { doubleValue: 1.5 },
        b: { boolValue: true },
        y: { bytesValue: 'AQI=' },
        l: { arrayValue: { values: [{ stringValue: 'x' }] } },
        k: { kvlistValue: { values: [{ key: 'n', value: { intValue: '2' } }] } },
      },
      resourceAttributes: { 'service.name': { stringValue: 'snake' } },
      events: [{ timeUnixNano: '2', name: 'e', attributes: {}, droppedAttributesCount: 1 }],
      links: [{ traceId: TRACE, spanId: SPAN, traceState: 'c=d', attributes: {}, droppedAttributesCount: 2 }],
      scopeName: 'lib',
      scopeVersion: '1',
      flags: 0,
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
    });
  });

  it('uppercase hex ids come out lowercase', () => {
    const out = ok(decodeJson(request([span({ traceId: TRACE.toUpperCase(), spanId: SPAN.toUpperCase(), parentSpanId: 'ABCDEF0123456789' })])));
    expect(out.spans[0].traceId).toBe(TRACE);
    expect(out.spans[0].spanId).toBe(SPAN);
    expect(out.spans[0].parentSpanId).toBe('abcdef0123456789');
  });

  it('base64 ids (protobuf-JSON style) are rejected with a hint', () => {
    const b64Trace = Buffer.from(TRACE, 'hex').toString('base64');
    const out = ok(decodeJson(request([span({ traceId: b64Trace })])));
    expect(out.rejected).toStrictEqual([{ index: 0, reason: 'trace_id is not valid hex (OTLP/JSON ids are hex, not base64)' }]);
  });

  it.each([
    [{ traceId: 'zz' + TRACE.slice(2) }, 'trace_id is not valid hex'],
    [{ traceId: TRACE + '0' }, 'trace_id is not valid hex'],
    [{ traceId: '0'.repeat(32) }, 'trace_id must not be all zeros'],
    [{ traceId: undefined }, 'trace_id must be 16 bytes (got 0)'],
    [{ spanId: 'abcd' }, 'span_id must be 8 bytes (got 2)'],
    [{ spanId: '0000000000000000' }, 'span_id must not be all zeros'],
    [{ parentSpanId: 'abcdef' }, 'parent_span_id must be empty or 8 bytes (got 3)'],
    [{ startTimeUnixNano: '0' }, 'start_time_unix_nano must not be 0'],
    [{ startTimeUnixNano: undefined }, 'start_time_unix_nano must not be 0'],
    [{ endTimeUnixNano: '1700000000000000000' }, 'end_time_unix_nano (1700000000000000000) is before start_time_unix_nano (1700000000123456789)'],
    [{ links: [{ traceId: TRACE, spanId: 'ab' }] }, 'link 0: span_id must be 8 bytes (got 1)'],
  ])('span %j rejected: %s', (extra, reason) => {
    const out = ok(decodeJson(request([span(extra), span({ spanId: '1111111111111111' })])));
    expect(out.rejected).toStrictEqual([{ index: 0, reason }]);
    expect(out.spans.map((s) => s.spanId)).toStrictEqual(['1111111111111111']);
  });

  it('empty or all-zero parent id means root; all-zero link ids are allowed', () => {
    const out = ok(
      decodeJson(
        request([
          span({ parentSpanId: '' }),
          span({ spanId: '1111111111111111', parentSpanId: '0000000000000000', links: [{ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }] }),
        ]),
      ),
    );
    expect(out.spans.map((s) => s.parentSpanId)).toStrictEqual([null, null]);
    expect(out.spans[1].links[0]).toStrictEqual({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), attributes: {} });
  });

  it('indexes are flattened across resources and scopes', () => {
    const doc = {
      resourceSpans: [
        { scopeSpans: [{ spans: [span(), span({ spanId: 'bad' })] }, { spans: [span()] }] },
        { resource: {}, scopeSpans: [{ spans: [span({ traceId: 'x' }), span()] }] },
      ],
    };
    const out = ok(decodeJson(doc));
    expect(out.rejected.map((r) => r.index)).toStrictEqual([1, 3]);
    expect(out.spans).toHaveLength(3);
    expect(out.spans.every((s) => s.service === 'unknown_service')).toBe(true);
  });
});

describe('AnyValue forms', () => {
  it.each([
    [{ doubleValue: 'NaN' }, { doubleValue: 'NaN' }],
    [{ doubleValue: 'Infinity' }, { doubleValue: 'Infinity' }],
    [{ doubleValue: '-Infinity' }, { doubleValue: '-Infinity' }],
    [{ doubleValue: '2.5' }, { doubleValue: 2.5 }],
    [{ doubleValue: 3 }, { doubleValue: 3 }],
    [{ bytesValue: '-_8=' }, { bytesValue: '+/8=' }],
    [{}, {}],
    [null, {}],
    [{ stringValue: '' }, { stringValue: '' }],
    [{ boolValue: false }, { boolValue: false }],
    [{ unknownValue: 1, stringValue: 's' }, { stringValue: 's' }],
    [{ arrayValue: {} }, { arrayValue: { values: [] } }],
    [{ kvlistValue: { values: [{ key: 'x' }] } }, { kvlistValue: { values: [{ key: 'x', value: {} }] } }],
  ])('%j → %j', (value, want) => {
    const out = ok(decodeJson(request([attr(value)])));
    expect(out.spans[0].attributes.a).toStrictEqual(want);
  });

  it.each([
    [{ stringValue: 5 }, 'attributes[0].value.stringValue: expected a string, got number'],
    [{ boolValue: 'true' }, 'attributes[0].value.boolValue: expected a boolean, got string'],
    [{ doubleValue: 'fast' }, 'attributes[0].value.doubleValue: expected a double, got "fast"'],
    [{ bytesValue: [1, 2] }, 'attributes[0].value.bytesValue: expected a base64 string, got array'],
    [{ arrayValue: [] }, 'attributes[0].value.arrayValue: expected an object, got array'],
    [{ arrayValue: { values: {} } }, 'attributes[0].value.arrayValue.values: expected an array, got object'],
    [
      { arrayValue: { values: [{ intValue: true }] } },
      'attributes[0].value.arrayValue.values[0].intValue: expected an int64 (decimal string or number), got boolean',
    ],
    [{ kvlistValue: { values: [{ key: 1 }] } }, 'attributes[0].value.kvlistValue.values[0].key: expected a string, got number'],
    ['str', 'attributes[0].value: expected an AnyValue object, got string'],
  ])('%j → 400 %s', (value, message) => {
    const out = failed(decodeJson(request([attr(value)])));
    expect(out.status).toBe(400);
    expect(out.message).toBe(`invalid OTLP/JSON ExportTraceServiceRequest: resourceSpans[0].scopeSpans[0].spans[0].${message}`);
  });

  it('later duplicate keys win; __proto__ is an ordinary key', () => {
    const out = ok(
      decodeJson(
        request([
          span({
            attributes: [
              { key: 'k', value: { stringValue: 'first' } },
              { key: '__proto__', value: { stringValue: 'p' } },
              { key: 'k', value: { intValue: 2 } },
            ],
          }),
        ]),
      ),
    );
    const attrs = out.spans[0].attributes;
    expect(attrs.k).toStrictEqual({ intValue: '2' });
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toStrictEqual(['k', '__proto__']);
    expect(JSON.parse(JSON.stringify(attrs))).toHaveProperty(['__proto__']);
  });

  function nested(levels: number): unknown {
    let v: unknown = { stringValue: 'leaf' };
    for (let i = 1; i < levels; i++) v = { arrayValue: { values: [v] } };
    return v;
  }

  it('32 levels of nesting are kept, 33 reject the span', () => {
    const out = ok(decodeJson(request([attr(nested(32), 'ok'), span({ spanId: '1111111111111111', attributes: [{ key: 'deep', value: nested(33) }] })])));
    expect(out.spans).toHaveLength(1);
    expect(out.rejected).toStrictEqual([{ index: 1, reason: 'attribute "deep" nests deeper than 32 levels' }]);
  });

  it('too-deep kvlist inside resource attributes rejects all spans of that resource', () => {
    let v: unknown = { stringValue: 'leaf' };
    for (let i = 1; i < 40; i++) v = { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
    const out = ok(decodeJson(request([span(), span({ spanId: '1111111111111111' })], [{ key: 'r', value: v }])));
    expect(out.spans).toHaveLength(0);
    expect(out.rejected).toStrictEqual([
      { index: 0, reason: 'resource attribute "r" nests deeper than 32 levels' },
      { index: 1, reason: 'resource attribute "r" nests deeper than 32 levels' },
    ]);
  });
});

describe('wrong types elsewhere → 400 with the field path', () => {
  it.each([
    [{ resourceSpans: {} }, 'resourceSpans: expected an array, got object'],
    [{ resourceSpans: [{ scopeSpans: 'x' }] }, 'resourceSpans[0].scopeSpans: expected an array, got string'],
    [{ resourceSpans: [{ resource: [] }] }, 'resourceSpans[0].resource: expected an object, got array'],
    [
      { resourceSpans: [{ resource: { attributes: [{ key: 'a', value: { intValue: {} } }] } }] },
      'resourceSpans[0].resource.attributes[0].value.intValue: expected an int64 (decimal string or number), got object',
    ],
    [{ resourceSpans: [{ scopeSpans: [{ scope: { name: 1 } }] }] }, 'resourceSpans[0].scopeSpans[0].scope.name: expected a string, got number'],
    [request([5]), 'resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got number'],
    [request([span({ name: 5 })]), 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got number'],
    [request([span({ traceId: 123 })]), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a string, got number'],
    [request([span({ attributes: {} })]), 'resourceSpans[0].scopeSpans[0].spans[0].attributes: expected an array, got object'],
    [request([span({ flags: -1 })]), 'resourceSpans[0].scopeSpans[0].spans[0].flags: expected a uint32, got -1'],
    [request([span({ droppedEventsCount: '1e3' })]), 'resourceSpans[0].scopeSpans[0].spans[0].droppedEventsCount: expected a uint32, got "1e3"'],
    [request([span({ status: 'ok' })]), 'resourceSpans[0].scopeSpans[0].spans[0].status: expected an object, got string'],
    [request([span({ events: [{ name: 1 }] })]), 'resourceSpans[0].scopeSpans[0].spans[0].events[0].name: expected a string, got number'],
    [
      request([span({ links: [{ traceId: TRACE, spanId: SPAN, attributes: [{ key: 'a', value: { boolValue: 1 } }] }] })]),
      'resourceSpans[0].scopeSpans[0].spans[0].links[0].attributes[0].value.boolValue: expected a boolean, got number',
    ],
  ])('%j', (doc, message) => {
    const out = failed(decodeJson(doc));
    expect(out.status).toBe(400);
    expect(out.message).toBe(`invalid OTLP/JSON ExportTraceServiceRequest: ${message}`);
  });

  it('null fields count as absent and unknown fields are ignored', () => {
    const out = ok(
      decodeJson(
        request([
          span({ traceState: null, parentSpanId: null, attributes: null, events: null, links: null, status: null, flags: null, futureField: { x: 1 } }),
        ]),
      ),
    );
    expect(out.spans[0]).toMatchObject({ traceState: null, parentSpanId: null, attributes: {}, events: [], links: [], statusCode: 0, flags: 0 });
  });

  it('numeric strings are accepted for uint32 fields', () => {
    const out = ok(decodeJson(request([span({ flags: '769', droppedAttributesCount: '2' })])));
    expect(out.spans[0].flags).toBe(769);
    expect(out.spans[0].droppedAttributesCount).toBe(2);
  });
});
