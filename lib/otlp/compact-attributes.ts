/**
 * A compact JSON form of attribute maps, span events and span links for storage (JSONB),
 * carrying exactly what the canonical OTLP/JSON form of ./span-record.ts carries:
 * decode(encode(x)) deep-equals x, before and after a trip through JSON text.
 *
 * Values (one JSON value each, so the column stays JSONB and containment still works):
 *   string → "text"            bool → true / false            empty AnyValue → null
 *   int    → a JSON number when it is canonical decimal and |v| ≤ 2^53−1, else {"i": "<digits as given>"}
 *   double → a JSON number when finite and not integral (0.1, 1.5); else {"d": 2} or
 *            {"d": "NaN" | "Infinity" | "-Infinity" | "-0"}: once parsed, JSON cannot tell 2 from 2.0,
 *            so a plain integral number is always an int
 *   bytes  → {"b": "<base64, as stored>"}      array → {"a": [values]}
 *   kvlist → {"kv": [[key, value], …]} (order and duplicate keys kept, unlike a map)
 * A map is {key: value, …}. An event is [time, name, attributes?, dropped?], a link
 * [traceId, spanId, attributes?, traceState?, dropped?]: trailing absent fields (empty
 * attributes, null) are left out; a null in the middle stands for an absent field.
 * Times stay decimal strings (epoch nanoseconds exceed 2^53).
 *
 * Canonical input decodes to itself. Two spellings are normalised: an intValue given as a
 * number comes back as its decimal string, and a doubleValue given as a non-finite number
 * comes back as "NaN" / "Infinity" / "-Infinity" (the spellings the converters store).
 *
 * Spans are stored in this form (db/ingest.ts); SQL reads it with td_ctext / td_cnum, and
 * td_compact_map / _events / _links convert the canonical form (db/migrations/0009_compact_attributes.sql).
 */
import type { AttributeMap, OtlpAnyValue, SpanEvent, SpanLink } from './span-record';

export type CompactValue =
  | string
  | number
  | boolean
  | null
  | { i: string }
  | { d: number | 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { b: string }
  | { a: CompactValue[] }
  | { kv: [string, CompactValue][] };

export type CompactAttributes = Record<string, CompactValue>;
export type CompactEvent = [timeUnixNano: string, name: string, attributes?: CompactAttributes, droppedAttributesCount?: number];
export type CompactLink = [traceId: string, spanId: string, attributes?: CompactAttributes, traceState?: string | null, droppedAttributesCount?: number | null];

/** Input that is neither canonical OTLP nor the compact form; the message names where. */
export class CompactCodecError extends Error {
  constructor(where: string, problem: string) {
    super(`compact attributes: ${where}: ${problem}`);
    this.name = 'CompactCodecError';
  }
}

const SPECIAL_DOUBLES = new Set(['NaN', 'Infinity', '-Infinity']);

/** `obj[key] = value`, defining `__proto__` as an own key instead of changing the prototype (as setAttr in ./common). */
export function setOwnAttribute<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A short description of an unexpected JSON value for error messages. */
const shown = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v);

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

export function encodeAnyValue(v: OtlpAnyValue): CompactValue {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return encodeInt(v.intValue as string | number);
  if ('doubleValue' in v) return encodeDouble(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('bytesValue' in v) return { b: v.bytesValue };
  if ('arrayValue' in v) return { a: (v.arrayValue.values ?? []).map(encodeAnyValue) };
  if ('kvlistValue' in v) return { kv: (v.kvlistValue.values ?? []).map(({ key, value }): [string, CompactValue] => [key, encodeAnyValue(value)]) };
  return null;
}

function encodeInt(v: string | number): CompactValue {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v; // -0 is not an int64
    if (Number.isInteger(v)) return { i: BigInt(v).toString() };
    throw new CompactCodecError('intValue', `expected an int64, got ${v}`);
  }
  const n = Number(v);
  // Only the canonical spelling becomes a number: "007", "-0" or "+5" must come back as given.
  return Number.isSafeInteger(n) && String(n) === v ? n : { i: v };
}

function encodeDouble(v: number | string): CompactValue {
  if (typeof v === 'string') {
    if (SPECIAL_DOUBLES.has(v)) return { d: v as 'NaN' | 'Infinity' | '-Infinity' };
    throw new CompactCodecError('doubleValue', `expected a number or "NaN" / "Infinity" / "-Infinity", got ${shown(v)}`);
  }
  if (Number.isFinite(v)) {
    if (!Number.isInteger(v)) return v;
    return Object.is(v, -0) ? { d: '-0' } : { d: v };
  }
  return { d: v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}

export function encodeAttributes(map: AttributeMap): CompactAttributes {
  const out: CompactAttributes = {};
  for (const key of Object.keys(map)) setOwnAttribute(out, key, encodeAnyValue(map[key]));
  return out;
}

/** Drops trailing absent fields (null, undefined, an empty attribute map) after the two leading ones. */
function trimTail<T extends unknown[]>(tuple: T): T {
  let n = tuple.length;
  while (n > 2) {
    const last = tuple[n - 1];
    if (last != null && (typeof last !== 'object' || Object.keys(last).length > 0)) break;
    n--;
  }
  tuple.length = n;
  return tuple;
}

export function encodeEvents(events: readonly SpanEvent[]): CompactEvent[] {
  return events.map((e) => trimTail<CompactEvent>([e.timeUnixNano, e.name, encodeAttributes(e.attributes), e.droppedAttributesCount]));
}

export function encodeLinks(links: readonly SpanLink[]): CompactLink[] {
  return links.map((l) => trimTail<CompactLink>([l.traceId, l.spanId, encodeAttributes(l.attributes), l.traceState ?? null, l.droppedAttributesCount ?? null]));
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

export function decodeAnyValue(v: unknown, where = 'value'): OtlpAnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      if (!Number.isInteger(v)) return { doubleValue: v };
      if (Number.isSafeInteger(v)) return { intValue: String(v) };
      throw new CompactCodecError(where, `plain integral number ${v} is beyond 2^53−1 (such ints are written {"i": "<digits>"})`);
    case 'object':
      if (v === null) return {};
      if (!Array.isArray(v)) return decodeTagged(v as Record<string, unknown>, where);
  }
  throw new CompactCodecError(where, `expected a compact value, got ${shown(v)}`);
}

function decodeTagged(o: Record<string, unknown>, where: string): OtlpAnyValue {
  const keys = Object.keys(o);
  const x = o[keys[0]];
  switch (keys.length === 1 ? keys[0] : null) {
    case 'i':
      if (typeof x === 'string') return { intValue: x };
      break;
    case 'd':
      if (typeof x === 'number') return { doubleValue: x };
      if (x === '-0') return { doubleValue: -0 };
      if (typeof x === 'string' && SPECIAL_DOUBLES.has(x)) return { doubleValue: x as 'NaN' | 'Infinity' | '-Infinity' };
      break;
    case 'b':
      if (typeof x === 'string') return { bytesValue: x };
      break;
    case 'a':
      if (Array.isArray(x)) return { arrayValue: { values: x.map((item, i) => decodeAnyValue(item, `${where}.a[${i}]`)) } };
      break;
    case 'kv':
      if (Array.isArray(x)) return { kvlistValue: { values: x.map((pair, i) => decodePair(pair, `${where}.kv[${i}]`)) } };
      break;
    default:
      throw new CompactCodecError(where, `expected an object with one of the keys i, d, b, a, kv, got keys ${JSON.stringify(keys.slice(0, 5))}`);
  }
  throw new CompactCodecError(`${where}.${keys[0]}`, `unexpected ${shown(x)}`);
}

function decodePair(pair: unknown, where: string): { key: string; value: OtlpAnyValue } {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
    throw new CompactCodecError(where, `expected a [key, value] pair, got ${shown(pair)}`);
  }
  return { key: pair[0], value: decodeAnyValue(pair[1], `${where}[1]`) };
}

export function decodeAttributes(json: unknown, where = 'attributes'): AttributeMap {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CompactCodecError(where, `expected an object, got ${shown(json)}`);
  const src = json as Record<string, unknown>;
  const out: AttributeMap = {};
  for (const key of Object.keys(src)) setOwnAttribute(out, key, decodeAnyValue(src[key], `${where}[${JSON.stringify(key)}]`));
  return out;
}

/** A tuple of at least 2 and at most `max` fields whose first two are strings. */
function tupleOf(t: unknown, max: number, where: string, shape: string): unknown[] {
  if (!Array.isArray(t) || t.length < 2 || t.length > max || typeof t[0] !== 'string' || typeof t[1] !== 'string') {
    throw new CompactCodecError(where, `expected ${shape}, got ${shown(t)}`);
  }
  return t;
}

function optionalCount(x: unknown, where: string): number | undefined {
  if (x == null) return undefined;
  if (typeof x === 'number' && Number.isInteger(x) && x >= 0) return x;
  throw new CompactCodecError(where, `expected a dropped-attributes count, got ${shown(x)}`);
}

const optionalAttributes = (x: unknown, where: string): AttributeMap => (x == null ? {} : decodeAttributes(x, where));

export function decodeEvents(json: unknown, where = 'events'): SpanEvent[] {
  if (!Array.isArray(json)) throw new CompactCodecError(where, `expected an array, got ${shown(json)}`);
  return json.map((item, i) => {
    const at = `${where}[${i}]`;
    const t = tupleOf(item, 4, at, '[time, name, attributes?, dropped?]');
    const event: SpanEvent = { timeUnixNano: t[0] as string, name: t[1] as string, attributes: optionalAttributes(t[2], `${at}[2]`) };
    const dropped = optionalCount(t[3], `${at}[3]`);
    if (dropped !== undefined) event.droppedAttributesCount = dropped;
    return event;
  });
}

export function decodeLinks(json: unknown, where = 'links'): SpanLink[] {
  if (!Array.isArray(json)) throw new CompactCodecError(where, `expected an array, got ${shown(json)}`);
  return json.map((item, i) => {
    const at = `${where}[${i}]`;
    const t = tupleOf(item, 5, at, '[traceId, spanId, attributes?, traceState?, dropped?]');
    const link: SpanLink = { traceId: t[0] as string, spanId: t[1] as string, attributes: optionalAttributes(t[2], `${at}[2]`) };
    if (t[3] != null) {
      if (typeof t[3] !== 'string') throw new CompactCodecError(`${at}[3]`, `expected a trace state, got ${shown(t[3])}`);
      link.traceState = t[3];
    }
    const dropped = optionalCount(t[4], `${at}[4]`);
    if (dropped !== undefined) link.droppedAttributesCount = dropped;
    return link;
  });
}
