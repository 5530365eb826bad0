/**
 * Helpers shared by the protobuf and JSON converters: id checks, 64-bit
 * conversions, the per-span validation rules and their reason texts.
 */
import type { AttributeMap, OtlpAnyValue } from './span-record';
import type { LongLike, PbInt64 } from './proto';
import { DEFAULT_INGEST_LIMITS, MAX_STORABLE_NANOS } from './limits';

/** Default AnyValue nesting limit (arrays/kvlists inside each other); see IngestLimits.maxDepth. */
export const MAX_ANY_VALUE_DEPTH = DEFAULT_INGEST_LIMITS.maxDepth;

export const UNKNOWN_SERVICE = 'unknown_service';

/** Thrown while converting attributes; turned into a span rejection reason. */
export class SpanRejection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SpanRejection';
  }
}

export function depthRejection(key: string, maxDepth: number): SpanRejection {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return new SpanRejection(`attribute ${JSON.stringify(shown)} nests deeper than ${maxDepth} levels`);
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
export function checkIdBytes(b: Uint8Array | null | undefined, size: number, field: string, optional: boolean, allowZero: boolean): string | null {
  const len = b == null ? 0 : b.length;
  return idReason(len, size, field, optional, allowZero, len === size && !allowZero && isAllZero(b!));
}

/** The rules both id encodings share, on the id's length in bytes. */
function idReason(len: number, size: number, field: string, optional: boolean, allowZero: boolean, allZero: boolean): string | null {
  if (len === 0) return optional ? null : `${field} must be ${size} bytes (got 0)`;
  if (len !== size) return `${field} must be ${optional ? 'empty or ' : ''}${size} bytes (got ${len})`;
  if (allZero && !allowZero) return `${field} must not be all zeros`;
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
  if (len === 0) return idReason(0, size, field, optional, allowZero, false);
  let zero = true;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 48) continue; // '0'
    zero = false;
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) continue;
    return notHex(s, size, field);
  }
  if (len & 1) return notHex(s, size, field);
  return idReason(len >> 1, size, field, optional, allowZero, zero);
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

/**
 * Time rules. Returns a rejection reason or null. `latestEnd`: the latest acceptable
 * end time (the server's clock plus the allowed skew, capped at what a bigint holds);
 * `earliestStart`: the earliest acceptable start (the server's clock minus the retention).
 */
export function checkTimes(start: bigint, end: bigint, latestEnd: bigint = MAX_STORABLE_NANOS, earliestStart = 0n): string | null {
  if (start === 0n) return 'start_time_unix_nano must not be 0';
  if (end < start) return `end_time_unix_nano (${end}) is before start_time_unix_nano (${start})`;
  if (end > latestEnd) {
    return latestEnd === MAX_STORABLE_NANOS
      ? `end_time_unix_nano (${end}) is beyond the storable range (year 2262)`
      : `end_time_unix_nano (${end}) is in the future (later than ${latestEnd}, the server clock plus the allowed skew)`;
  }
  if (start < earliestStart)
    return `start_time_unix_nano (${start}) is older than the retention allows (earliest ${earliestStart}, the server clock minus TRACEDECK_RETENTION)`;
  return null;
}

/** Earliest acceptable start time for a clock reading and maximum age (null: any), in ns. */
export function earliestStartNanos(nowMs: number, maxAgeMs: number | null): bigint {
  return maxAgeMs === null ? 0n : BigInt(Math.floor(nowMs)) * 1_000_000n - BigInt(Math.floor(maxAgeMs)) * 1_000_000n;
}

/** Latest acceptable end time for a clock reading and skew, in ns. */
export function latestEndNanos(nowMs: number, maxFutureSkewMs: number): bigint {
  const t = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor(maxFutureSkewMs)) * 1_000_000n;
  return t > MAX_STORABLE_NANOS ? MAX_STORABLE_NANOS : t;
}

/** Summary of rejection reasons: "2 spans rejected: span 3: …; span 7: …", capped at `maxLength` chars. */
export function summarizeRejected(rejected: readonly { index: number; reason: string }[], maxLength = 1024): string {
  const n = rejected.length;
  return joinCapped(`${n} span${n === 1 ? '' : 's'} rejected: `, n, (i) => `span ${rejected[i].index}: ${rejected[i].reason}`, maxLength);
}

/**
 * Warnings about stored spans ("span 3: …"), capped like summarizeRejected:
 * "warnings: span 3: …; resource 0: …; … (k more)".
 */
export function summarizeWarnings(warnings: readonly string[], maxLength = 1024): string {
  return joinCapped('warnings: ', warnings.length, (i) => warnings[i], maxLength);
}

/** `head` then the `n` parts joined by "; ", within `maxLength`: what does not fit becomes "… (k more)". */
function joinCapped(head: string, n: number, part: (i: number) => string, maxLength: number): string {
  let out = head;
  for (let i = 0; i < n; i++) {
    const next = `${i === 0 ? '' : '; '}${part(i)}`;
    const rest = n - i;
    const tail = `; … (${rest} more)`;
    // Keep room for the "… (k more)" tail unless this is the last entry.
    const budget = i === n - 1 ? maxLength : maxLength - tail.length;
    if (out.length + next.length > budget) {
      if (i === 0) {
        // Not even one part fits: cut it.
        const room = Math.max(0, maxLength - out.length - tail.length - 1);
        return out + next.slice(0, room) + '…' + (rest > 1 ? `; … (${rest - 1} more)` : '');
      }
      return out + tail;
    }
    out += next;
  }
  return out;
}

/** partial_success.error_message: the rejections, then the warnings, within `maxLength`. */
export function exportMessage(rejected: readonly { index: number; reason: string }[], warnings: readonly string[], maxLength = 1024): string {
  if (warnings.length === 0) return rejected.length === 0 ? '' : summarizeRejected(rejected, maxLength);
  if (rejected.length === 0) return summarizeWarnings(warnings, maxLength);
  // Both: the rejections get most of the room (they are what an exporter logs as errors).
  const head = summarizeRejected(rejected, Math.floor((maxLength * 2) / 3));
  return `${head}. ${summarizeWarnings(warnings, maxLength - head.length - 2)}`;
}
