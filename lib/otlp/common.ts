/**
 * Helpers shared by the protobuf and JSON converters: id checks, 64-bit
 * conversions, the per-span validation rules and their reason texts.
 */
import type { AttributeMap, OtlpAnyValue } from './span-record';
import type { LongLike, PbInt64 } from './proto';

/** AnyValue nesting deeper than this (arrays/kvlists inside each other) rejects the span. */
export const MAX_ANY_VALUE_DEPTH = 32;

export const UNKNOWN_SERVICE = 'unknown_service';

/** Thrown while converting attributes; turned into a span rejection reason. */
export class SpanRejection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SpanRejection';
  }
}

export function depthRejection(key: string): SpanRejection {
  return new SpanRejection(`attribute ${JSON.stringify(key)} nests deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
}

/**
 * Sets `map[key] = value`. Later duplicates win. `__proto__` is defined as an own
 * property instead of being assigned (which would change the prototype).
 */
export function setAttr(map: AttributeMap, key: string, value: OtlpAnyValue): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
}

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Checks a binary id. Returns a rejection reason, or null when valid.
 * `optional`: an empty id is fine (parent_span_id).
 * `allowZero`: an all-zero id is fine (link ids: links to invalid contexts are legal).
 */
export function checkIdBytes(
  b: Uint8Array | null | undefined,
  size: number,
  field: string,
  optional: boolean,
  allowZero: boolean,
): string | null {
  const len = b == null ? 0 : b.length;
  if (len === 0) return optional ? null : `${field} must be ${size} bytes (got 0)`;
  if (len !== size) return `${field} must be ${optional ? 'empty or ' : ''}${size} bytes (got ${len})`;
  if (!allowZero && isAllZero(b!)) return `${field} must not be all zeros`;
  return null;
}

export function bytesToHex(b: Uint8Array): string {
  return Buffer.isBuffer(b) ? b.toString('hex') : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/**
 * Checks a hex id from OTLP/JSON. Returns a rejection reason, or null when valid.
 * Same semantics as {@link checkIdBytes}.
 */
export function checkIdHex(s: string, size: number, field: string, optional: boolean, allowZero: boolean): string | null {
  const len = s.length;
  if (len === 0) return optional ? null : `${field} must be ${size} bytes (got 0)`;
  let zero = true;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 48) continue; // '0'
    zero = false;
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) continue;
    return notHex(s, size, field);
  }
  if (len & 1) return notHex(s, size, field);
  if (len !== size * 2) return `${field} must be ${optional ? 'empty or ' : ''}${size} bytes (got ${len >> 1})`;
  if (zero && !allowZero) return `${field} must not be all zeros`;
  return null;
}

function notHex(s: string, size: number, field: string): string {
  // A common mistake: protobuf-JSON style base64 ids instead of OTLP/JSON hex.
  const b64Len = Math.ceil(size / 3) * 4;
  const hint = s.length === b64Len ? ' (OTLP/JSON ids are hex, not base64)' : '';
  return `${field} is not valid hex${hint}`;
}

/** Lowercase form of an already validated hex id (no allocation when already lowercase). */
export function lowerHex(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 70) return s.toLowerCase();
  }
  return s;
}

// ---------------------------------------------------------------------------
// 64-bit integers
// ---------------------------------------------------------------------------

const TWO_32 = 4294967296;

/** Unsigned 64-bit protobufjs value → bigint. */
export function u64ToBigInt(v: PbInt64 | null | undefined): bigint {
  if (v == null) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  if (hi < 0x200000) return BigInt(hi * TWO_32 + lo); // < 2^53: exact as a number
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Unsigned 64-bit protobufjs value → decimal string. */
export function u64ToString(v: PbInt64 | null | undefined): string {
  if (v == null) return '0';
  if (typeof v === 'number') return String(v);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Signed 64-bit protobufjs value (AnyValue int_value) → decimal string. */
export function i64ToString(v: LongLike | number): string {
  if (typeof v === 'number') return String(v);
  const hi = v.high | 0;
  const lo = v.low >>> 0;
  // |value| < 2^53 when -2^21 <= hi < 2^21: exact as a number.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** A double as stored in OtlpAnyValue: numbers, or the proto3-JSON spellings of non-finite values. */
export function doubleOut(d: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isFinite(d)) return d;
  if (d !== d) return 'NaN';
  return d > 0 ? 'Infinity' : '-Infinity';
}

// ---------------------------------------------------------------------------
// Span validation
// ---------------------------------------------------------------------------

/** Time rules. Returns a rejection reason or null. */
export function checkTimes(start: bigint, end: bigint): string | null {
  if (start === 0n) return 'start_time_unix_nano must not be 0';
  if (end < start) return `end_time_unix_nano (${end}) is before start_time_unix_nano (${start})`;
  return null;
}

/** Summary of rejection reasons: "2 spans rejected: span 3: …; span 7: …", capped at `maxLength` chars. */
export function summarizeRejected(rejected: readonly { index: number; reason: string }[], maxLength = 1024): string {
  const n = rejected.length;
  let out = `${n} span${n === 1 ? '' : 's'} rejected: `;
  for (let i = 0; i < n; i++) {
    const part = `${i === 0 ? '' : '; '}span ${rejected[i].index}: ${rejected[i].reason}`;
    const rest = n - i;
    const tail = `; … (${rest} more)`;
    // Keep room for the "… (k more)" tail unless this is the last entry.
    const budget = i === n - 1 ? maxLength : maxLength - tail.length;
    if (out.length + part.length > budget) {
      if (i === 0) {
        // Not even one reason fits: cut it.
        const room = Math.max(0, maxLength - out.length - tail.length - 1);
        return out + part.slice(0, room) + '…' + (rest > 1 ? `; … (${rest - 1} more)` : '');
      }
      return out + tail;
    }
    out += part;
  }
  return out;
}
