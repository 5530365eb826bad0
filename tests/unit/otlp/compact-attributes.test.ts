/**
 * The compact attribute form (lib/otlp/compact-attributes.ts): the encoding of each value
 * type, exact round trips (directly and through JSON text, as stored), events and links with
 * every optional field present or absent, clear errors on malformed input, and a property
 * test over random OTLP values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactCodecError,
  type CompactValue,
  decodeAnyValue,
  decodeAttributes,
  decodeEvents,
  decodeLinks,
  encodeAnyValue,
  encodeAttributes,
  encodeEvents,
  encodeLinks,
} from '../../../lib/otlp/compact-attributes';
import { doubleOut, setAttr } from '../../../lib/otlp/common';
import type { AttributeMap, OtlpAnyValue, SpanEvent, SpanLink } from '../../../lib/otlp/span-record';

/** What storage does to a compact value: JSON text and back. */
const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const str = (stringValue: string): OtlpAnyValue => ({ stringValue });
const int = (intValue: string): OtlpAnyValue => ({ intValue });
const dbl = (doubleValue: number | 'NaN' | 'Infinity' | '-Infinity'): OtlpAnyValue => ({ doubleValue });
const arr = (...values: OtlpAnyValue[]): OtlpAnyValue => ({ arrayValue: { values } });
const kvl = (...pairs: [string, OtlpAnyValue][]): OtlpAnyValue => ({ kvlistValue: { values: pairs.map(([key, value]) => ({ key, value })) } });

const CASES: [string, OtlpAnyValue, CompactValue][] = [
  ['string', str('hello'), 'hello'],
  ['empty string', str(''), ''],
  ['unicode string', str('日本語 🚀 \u0000 "q" \\'), '日本語 🚀 \u0000 "q" \\'],
  ['string of digits stays a string', str('42'), '42'],
  ['true', { boolValue: true }, true],
  ['false', { boolValue: false }, false],
  ['int 0', int('0'), 0],
  ['int 42', int('42'), 42],
  ['int -42', int('-42'), -42],
  ['int 2^53−1', int('9007199254740991'), 9007199254740991],
  ['int −(2^53−1)', int('-9007199254740991'), -9007199254740991],
  ['int 2^53', int('9007199254740992'), { i: '9007199254740992' }],
  ['int 2^53+1', int('9007199254740993'), { i: '9007199254740993' }],
  ['int −2^53', int('-9007199254740992'), { i: '-9007199254740992' }],
  ['int −(2^53+1)', int('-9007199254740993'), { i: '-9007199254740993' }],
  ['int 2^63−1', int('9223372036854775807'), { i: '9223372036854775807' }],
  ['int −2^63', int('-9223372036854775808'), { i: '-9223372036854775808' }],
  ['int with a leading zero, kept as given', int('007'), { i: '007' }],
  ['int -0, kept as given', int('-0'), { i: '-0' }],
  ['double 0.1', dbl(0.1), 0.1],
  ['double -1.5', dbl(-1.5), -1.5],
  ['double 1.5e-7', dbl(1.5e-7), 1.5e-7],
  ['double 5e-324', dbl(5e-324), 5e-324],
  ['double 2.0', dbl(2), { d: 2 }],
  ['double 0', dbl(0), { d: 0 }],
  ['double -0', dbl(-0), { d: '-0' }],
  ['double 1e300', dbl(1e300), { d: 1e300 }],
  ['double 2^53', dbl(2 ** 53), { d: 2 ** 53 }],
  ['double max', dbl(Number.MAX_VALUE), { d: Number.MAX_VALUE }],
  ['double NaN', dbl('NaN'), { d: 'NaN' }],
  ['double Infinity', dbl('Infinity'), { d: 'Infinity' }],
  ['double -Infinity', dbl('-Infinity'), { d: '-Infinity' }],
  ['bytes', { bytesValue: 'AAEC/w==' }, { b: 'AAEC/w==' }],
  ['empty bytes', { bytesValue: '' }, { b: '' }],
  ['empty value', {}, null],
  ['empty array', arr(), { a: [] }],
  [
    'array of every scalar',
    arr(str('a'), int('1'), int('9007199254740993'), dbl(2.5), dbl(3), dbl('NaN'), { boolValue: true }, {}),
    { a: ['a', 1, { i: '9007199254740993' }, 2.5, { d: 3 }, { d: 'NaN' }, true, null] },
  ],
  ['nested arrays', arr(arr(arr(int('7'))), arr()), { a: [{ a: [{ a: [7] }] }, { a: [] }] }],
  ['empty kvlist', kvl(), { kv: [] }],
  [
    'kvlist: order and duplicate keys kept',
    kvl(['z', int('1')], ['a', str('x')], ['z', dbl(-0)], ['', {}], ['🔑', { bytesValue: 'AA==' }]),
    {
      kv: [
        ['z', 1],
        ['a', 'x'],
        ['z', { d: '-0' }],
        ['', null],
        ['🔑', { b: 'AA==' }],
      ],
    },
  ],
  ['kvlist inside an array inside a kvlist', kvl(['k', arr(kvl(['i', int('-3')]))]), { kv: [['k', { a: [{ kv: [['i', -3]] }] }]] }],
];

describe('compact values', () => {
  it.each(CASES)('%s: encodes as expected and decodes back exactly', (_, value, compact) => {
    expect(encodeAnyValue(value)).toStrictEqual(compact);
    expect(decodeAnyValue(encodeAnyValue(value))).toStrictEqual(value);
    expect(decodeAnyValue(viaJson(encodeAnyValue(value)))).toStrictEqual(value);
  });

  it('normalises the two non-canonical spellings to the canonical ones', () => {
    expect(decodeAnyValue(encodeAnyValue({ intValue: 42 as unknown as string }))).toStrictEqual(int('42'));
    expect(encodeAnyValue({ intValue: (2 ** 60) as unknown as string })).toStrictEqual({ i: '1152921504606846976' });
    expect(decodeAnyValue(encodeAnyValue(dbl(NaN)))).toStrictEqual(dbl('NaN'));
    expect(decodeAnyValue(encodeAnyValue(dbl(-Infinity)))).toStrictEqual(dbl('-Infinity'));
  });
});

describe('compact attribute maps', () => {
  it('keeps every key, unicode, empty and __proto__ included, as own keys', () => {
    const map: AttributeMap = { 'llm.model': str('gpt-4o'), 'ключ.名前 🔑': int('1'), '': {}, constructor: str('c') };
    setAttr(map, '__proto__', dbl(0.5));
    const compact = encodeAttributes(map);
    expect(compact).toStrictEqual(
      Object.defineProperty({ 'llm.model': 'gpt-4o', 'ключ.名前 🔑': 1, '': null, constructor: 'c' }, '__proto__', { value: 0.5, enumerable: true }),
    );
    expect(JSON.stringify(compact)).toContain('"__proto__":0.5');
    const back = decodeAttributes(viaJson(compact));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back).sort()).toEqual(Object.keys(map).sort());
    // toEqual: toStrictEqual compares the `constructor` properties as the objects' types.
    expect(back).toEqual(map);
  });
});

describe('compact events and links', () => {
  const attrs = { 'gen_ai.prompt': str('hi'), tokens: int('5') };
  const EVENTS: [string, SpanEvent, unknown][] = [
    ['bare', { timeUnixNano: '1700000000123456789', name: 'first_token', attributes: {} }, ['1700000000123456789', 'first_token']],
    ['with attributes', { timeUnixNano: '1', name: 'e', attributes: attrs }, ['1', 'e', { 'gen_ai.prompt': 'hi', tokens: 5 }]],
    [
      'dropped count, no attributes',
      { timeUnixNano: '18446744073709551615', name: '', attributes: {}, droppedAttributesCount: 3 },
      ['18446744073709551615', '', {}, 3],
    ],
    [
      'dropped count 0 is kept',
      { timeUnixNano: '2', name: 'e', attributes: attrs, droppedAttributesCount: 0 },
      ['2', 'e', { 'gen_ai.prompt': 'hi', tokens: 5 }, 0],
    ],
  ];
  it.each(EVENTS)('event %s', (_, event, compact) => {
    expect(encodeEvents([event])).toStrictEqual([compact]);
    expect(decodeEvents(viaJson(encodeEvents([event])))).toStrictEqual([event]);
  });

  const T = 'a'.repeat(32);
  const S = 'b'.repeat(16);
  const LINKS: [string, SpanLink, unknown][] = [
    ['bare', { traceId: T, spanId: S, attributes: {} }, [T, S]],
    ['with attributes', { traceId: T, spanId: S, attributes: attrs }, [T, S, { 'gen_ai.prompt': 'hi', tokens: 5 }]],
    ['trace state only', { traceId: T, spanId: S, traceState: 'k=v', attributes: {} }, [T, S, {}, 'k=v']],
    ['empty trace state is kept', { traceId: T, spanId: S, traceState: '', attributes: {} }, [T, S, {}, '']],
    ['dropped count without trace state', { traceId: T, spanId: S, attributes: {}, droppedAttributesCount: 2 }, [T, S, {}, null, 2]],
    [
      'everything',
      { traceId: T, spanId: S, traceState: 'k=v', attributes: attrs, droppedAttributesCount: 0 },
      [T, S, { 'gen_ai.prompt': 'hi', tokens: 5 }, 'k=v', 0],
    ],
  ];
  it.each(LINKS)('link %s', (_, link, compact) => {
    expect(encodeLinks([link])).toStrictEqual([compact]);
    expect(decodeLinks(viaJson(encodeLinks([link])))).toStrictEqual([link]);
  });
});

describe('malformed input', () => {
  const BAD: [string, () => unknown, RegExp][] = [
    ['an array as a value', () => decodeAnyValue([1]), /value: expected a compact value, got an array/],
    ['an unknown tag', () => decodeAnyValue({ x: 1 }), /one of the keys i, d, b, a, kv, got keys \["x"\]/],
    ['two tags', () => decodeAnyValue({ i: '1', d: 1 }), /got keys \["i","d"\]/],
    ['an int that is not a string', () => decodeAnyValue({ i: 5 }), /value\.i: unexpected number/],
    ['a bad double deep inside', () => decodeAnyValue({ a: [1, { kv: [['k', { d: '1.5' }]] }] }), /value\.a\[1\]\.kv\[0\]\[1\]\.d: unexpected "1\.5"/],
    ['a kvlist entry that is not a pair', () => decodeAnyValue({ kv: [['k']] }), /value\.kv\[0\]: expected a \[key, value\] pair/],
    ['a plain int beyond 2^53', () => decodeAnyValue(2 ** 60), /beyond 2\^53−1/],
    ['attributes that are an array', () => decodeAttributes([]), /attributes: expected an object, got an array/],
    ['a bad value in a map', () => decodeAttributes({ k: { b: 1 } }), /attributes\["k"\]\.b: unexpected number/],
    ['an event without a name', () => decodeEvents([['1']]), /events\[0\]: expected \[time, name/],
    ['an event with a negative count', () => decodeEvents([['1', 'e', {}, -1]]), /events\[0\]\[3\]: expected a dropped-attributes count/],
    ['a link with a numeric trace id', () => decodeLinks([[1, 's']]), /links\[0\]: expected \[traceId, spanId/],
    ['a link with a numeric trace state', () => decodeLinks([['t', 's', {}, 5]]), /links\[0\]\[3\]: expected a trace state/],
    ['a double spelled as text', () => encodeAnyValue({ doubleValue: '1.5' as 'NaN' }), /doubleValue: expected a number or "NaN"/],
    ['a fractional int', () => encodeAnyValue({ intValue: 1.5 as unknown as string }), /intValue: expected an int64, got 1\.5/],
  ];
  it.each(BAD)('%s is a CompactCodecError naming where', (_, run, message) => {
    expect(run).toThrow(CompactCodecError);
    expect(run).toThrow(message);
  });
});

// ---------------------------------------------------------------------------
// Properties over random OTLP values
// ---------------------------------------------------------------------------

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const SAFE_EDGE = 2n ** 53n;
const text = fc.string({ unit: 'binary', maxLength: 10 });
const intArb = fc
  .oneof(
    fc.bigInt({ min: I64_MIN, max: I64_MAX }),
    fc.bigInt({ min: SAFE_EDGE - 3n, max: SAFE_EDGE + 3n }),
    fc.bigInt({ min: -SAFE_EDGE - 3n, max: -SAFE_EDGE + 3n }),
    fc.integer().map(BigInt),
  )
  .map((b): OtlpAnyValue => ({ intValue: b.toString() }));
const doubleArb = fc
  .oneof(
    fc.double(),
    fc.integer().map((n) => n / 4),
  )
  .map((d): OtlpAnyValue => ({ doubleValue: doubleOut(d) }));
const bytesArb = fc.uint8Array({ maxLength: 12 }).map((b): OtlpAnyValue => ({ bytesValue: Buffer.from(b).toString('base64') }));

const { value: valueArb } = fc.letrec<{ value: OtlpAnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    text.map((s): OtlpAnyValue => ({ stringValue: s })),
    intArb,
    doubleArb,
    fc.boolean().map((b): OtlpAnyValue => ({ boolValue: b })),
    bytesArb,
    fc.constant<OtlpAnyValue>({}),
    fc.array(tie('value'), { maxLength: 4 }).map((values): OtlpAnyValue => ({ arrayValue: { values } })),
    fc
      .array(fc.record({ key: fc.oneof(text, fc.constantFrom('k', 'k', '')), value: tie('value') }, { noNullPrototype: true }), { maxLength: 4 })
      .map((values): OtlpAnyValue => ({ kvlistValue: { values } })),
  ),
}));

const mapArb = fc
  .uniqueArray(fc.tuple(fc.oneof(text, fc.constantFrom('__proto__', 'llm.model')), valueArb), { selector: ([k]) => k, maxLength: 6 })
  .map((entries) => {
    const map: AttributeMap = {};
    for (const [k, v] of entries) setAttr(map, k, v);
    return map;
  });
const hexArb = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const nanosArb = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const countArb = fc.nat({ max: 2 ** 32 - 1 });
const eventArb = fc.record(
  { timeUnixNano: nanosArb, name: text, attributes: mapArb, droppedAttributesCount: countArb },
  { requiredKeys: ['timeUnixNano', 'name', 'attributes'], noNullPrototype: true },
);
const linkArb = fc.record(
  { traceId: hexArb(16), spanId: hexArb(8), traceState: text, attributes: mapArb, droppedAttributesCount: countArb },
  { requiredKeys: ['traceId', 'spanId', 'attributes'], noNullPrototype: true },
);

describe('round trip properties', () => {
  it('decode(encode(value)) deep-equals value, through JSON text too', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        expect(decodeAnyValue(viaJson(encodeAnyValue(v)))).toStrictEqual(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('attribute maps, events and links round-trip exactly', () => {
    fc.assert(
      fc.property(mapArb, fc.array(eventArb, { maxLength: 3 }), fc.array(linkArb, { maxLength: 3 }), (map, events, links) => {
        expect(decodeAttributes(viaJson(encodeAttributes(map)))).toStrictEqual(map);
        expect(decodeEvents(viaJson(encodeEvents(events)))).toStrictEqual(events as SpanEvent[]);
        expect(decodeLinks(viaJson(encodeLinks(links)))).toStrictEqual(links as SpanLink[]);
      }),
      { numRuns: 500 },
    );
  });

  it('a plain JSON number in the output is an int within ±(2^53−1) or a non-integral double', () => {
    const plainNumbers = (c: unknown, out: number[]) => {
      if (typeof c === 'number') out.push(c);
      else if (Array.isArray(c)) c.forEach((x) => plainNumbers(x, out));
      else if (c !== null && typeof c === 'object' && !('d' in c)) Object.values(c).forEach((x) => plainNumbers(x, out));
      return out;
    };
    fc.assert(
      fc.property(valueArb, (v) => {
        for (const n of plainNumbers(encodeAnyValue(v), [])) expect(Number.isSafeInteger(n) || (Number.isFinite(n) && !Number.isInteger(n))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
