/**
 * The OTLP/JSON type rules: what JSON value each field may hold, the 64-bit and
 * 32-bit integer ranges, enum names. A value of the wrong type fails the whole
 * request with a JsonShapeError naming the field's path; the converter in
 * ./convert-json.ts reads every field through these.
 */
export type Obj = Record<string, unknown>;

/** A JSON value of the wrong type. `path` is filled in while the error propagates outwards. */
export class JsonShapeError extends Error {
  path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super(path === '' ? detail : `${path}: ${detail}`);
    this.name = 'JsonShapeError';
    this.path = path;
    this.detail = detail;
  }
  /** Prepends an outer path segment (`spans[3]`, `attributes[0]`, …). */
  within(segment: string): JsonShapeError {
    if (this.path === '') this.path = segment;
    else if (this.path.charCodeAt(0) === 91 /* [ */) this.path = segment + this.path;
    else this.path = `${segment}.${this.path}`;
    this.message = `${this.path}: ${this.detail}`;
    return this;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function wrongType(path: string, expected: string, got: unknown): JsonShapeError {
  return new JsonShapeError(path, `expected ${expected}, got ${typeName(got)}`);
}

export function rethrowWithin(e: unknown, segment: string): never {
  if (e instanceof JsonShapeError) throw e.within(segment);
  throw e;
}

export function asObject(v: unknown, path: string): Obj | null {
  if (v == null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(path, 'an object', v);
  return v as Obj;
}

export function asArray(v: unknown, path: string): unknown[] | null {
  if (v == null) return null;
  if (!Array.isArray(v)) throw wrongType(path, 'an array', v);
  return v;
}

export function asString(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (v == null) return '';
  throw wrongType(path, 'a string', v);
}

function isDigits(s: string, from: number): boolean {
  if (s.length <= from) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function asUint32(v: unknown, path: string): number {
  if (v == null) return 0;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  } else if (typeof v === 'string') {
    if (isDigits(v, 0) && v.length <= 10) {
      const n = Number(v);
      if (n <= 0xffffffff) return n;
    }
  } else {
    throw wrongType(path, 'a uint32 number', v);
  }
  throw new JsonShapeError(path, `expected a uint32, got ${JSON.stringify(v)}`);
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** fixed64/uint64: decimal string or JSON number. */
export function asU64(v: unknown, path: string): bigint {
  if (v == null) return 0n;
  if (typeof v === 'string') {
    if (isDigits(v, 0) && v.length <= 20) {
      const b = BigInt(v);
      if (b <= U64_MAX) return b;
    }
  } else if (typeof v === 'number') {
    // Numbers above 2^53 were already rounded by JSON.parse; that is the sender's choice.
    // 2 ** 64 is exact as a double; the literal 18446744073709551615 would round up to it.
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 64) return BigInt(v);
  } else {
    throw wrongType(path, 'a uint64 (decimal string or number)', v);
  }
  throw new JsonShapeError(path, `expected a uint64, got ${JSON.stringify(v)}`);
}

/** int64 (AnyValue intValue): decimal string or JSON number → canonical decimal string. */
export function asI64String(v: unknown, path: string): string {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return String(v);
    if (Number.isInteger(v)) {
      const b = BigInt(v);
      if (b >= I64_MIN && b <= I64_MAX) return b.toString();
    }
  } else if (typeof v === 'string') {
    const neg = v.charCodeAt(0) === 45; /* - */
    if (isDigits(v, neg ? 1 : 0) && v.length <= 20) {
      const first = v.charCodeAt(neg ? 1 : 0);
      // Already canonical: short, no leading zero, no "-0".
      if (v.length <= 16 && (first !== 48 || v.length === 1)) return v;
      const b = BigInt(v);
      if (b >= I64_MIN && b <= I64_MAX) return b.toString();
    }
  } else {
    throw wrongType(path, 'an int64 (decimal string or number)', v);
  }
  throw new JsonShapeError(path, `expected an int64, got ${JSON.stringify(v)}`);
}

export function asDouble(v: unknown, path: string): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    const n = v.trim() === '' ? NaN : Number(v);
    if (Number.isFinite(n)) return n;
    throw new JsonShapeError(path, `expected a double, got ${JSON.stringify(v)}`);
  }
  throw wrongType(path, 'a double (number or string)', v);
}

export function asEnum(v: unknown, path: string, names: Record<string, number>, enumName: string): number {
  if (v == null) return 0;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
    throw new JsonShapeError(path, `expected a ${enumName} integer, got ${v}`);
  }
  if (typeof v === 'string') {
    const n = names[v];
    if (n !== undefined) return n;
    throw new JsonShapeError(path, `unknown ${enumName} ${JSON.stringify(v)}`);
  }
  throw wrongType(path, `a ${enumName} (integer or name)`, v);
}

export const SPAN_KIND: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
});
export const STATUS_CODE: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
});
