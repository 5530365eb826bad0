/**
 * OTLP/JSON ExportTraceServiceRequest (already JSON.parse'd) → SpanRecord[] (+ rejections).
 *
 * Follows the OTLP/JSON rules: lowerCamelCase keys (snake_case accepted too),
 * trace/span ids as hex strings, enums as integers (enum value names accepted
 * too), 64-bit integers as decimal strings or JSON numbers, bytes as base64,
 * unknown fields ignored, `null` treated as absent.
 *
 * A value of the wrong JSON type makes the whole request invalid (JsonShapeError,
 * with the path of the offending field). Span-level problems (bad ids, times)
 * reject only that span.
 */
import type { AttributeMap, OtlpAnyValue, RejectedSpan, SpanEvent, SpanLink, SpanRecord } from './span-record';
import {
  SpanRejection,
  UNKNOWN_SERVICE,
  checkIdHex,
  checkTimes,
  depthRejection,
  latestEndNanos,
  lowerHex,
  setAttr,
} from './common';
import type { ConvertOptions, ConvertResult } from './convert-proto';
import { DEFAULT_INGEST_LIMITS, SpanLimiter, addCount, cleanText, truncateText } from './limits';

type Obj = Record<string, unknown>;

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

function wrongType(path: string, expected: string, got: unknown): JsonShapeError {
  return new JsonShapeError(path, `expected ${expected}, got ${typeName(got)}`);
}

function rethrowWithin(e: unknown, segment: string): never {
  if (e instanceof JsonShapeError) throw e.within(segment);
  throw e;
}

function asObject(v: unknown, path: string): Obj | null {
  if (v == null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(path, 'an object', v);
  return v as Obj;
}

function asArray(v: unknown, path: string): unknown[] | null {
  if (v == null) return null;
  if (!Array.isArray(v)) throw wrongType(path, 'an array', v);
  return v;
}

function asString(v: unknown, path: string): string {
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

function asUint32(v: unknown, path: string): number {
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
function asU64(v: unknown, path: string): bigint {
  if (v == null) return 0n;
  if (typeof v === 'string') {
    if (isDigits(v, 0) && v.length <= 20) {
      const b = BigInt(v);
      if (b <= U64_MAX) return b;
    }
  } else if (typeof v === 'number') {
    // Numbers above 2^53 were already rounded by JSON.parse; that is the sender's choice.
    if (Number.isInteger(v) && v >= 0 && v <= 18446744073709551615) return BigInt(v);
  } else {
    throw wrongType(path, 'a uint64 (decimal string or number)', v);
  }
  throw new JsonShapeError(path, `expected a uint64, got ${JSON.stringify(v)}`);
}

/** int64 (AnyValue intValue): decimal string or JSON number → canonical decimal string. */
function asI64String(v: unknown, path: string): string {
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

function asDouble(v: unknown, path: string): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    const n = v.trim() === '' ? NaN : Number(v);
    if (Number.isFinite(n)) return n;
    throw new JsonShapeError(path, `expected a double, got ${JSON.stringify(v)}`);
  }
  throw wrongType(path, 'a double (number or string)', v);
}

function asEnum(v: unknown, path: string, names: Record<string, number>, enumName: string): number {
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

const SPAN_KIND: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
});
const STATUS_CODE: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
});

// ---------------------------------------------------------------------------
// AnyValue / attributes
// ---------------------------------------------------------------------------

const TOO_DEEP = new Error('too deep');

function anyValueList(v: unknown, path: string): unknown[] {
  const o = asObject(v, path);
  if (o === null) return [];
  const values = o.values;
  return asArray(values, `${path}.values`) ?? [];
}

function anyValue(v: unknown, depth: number, lim: SpanLimiter): OtlpAnyValue {
  if (v == null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType('', 'an AnyValue object', v);
  const o = v as Obj;
  for (const k in o) {
    const x = o[k];
    if (x == null) continue;
    switch (k) {
      case 'stringValue':
      case 'string_value':
        if (typeof x !== 'string') throw wrongType(k, 'a string', x);
        return { stringValue: lim.text(x) };
      case 'intValue':
      case 'int_value':
        return { intValue: asI64String(x, k) };
      case 'doubleValue':
      case 'double_value':
        return { doubleValue: asDouble(x, k) };
      case 'boolValue':
      case 'bool_value':
        if (typeof x !== 'boolean') throw wrongType(k, 'a boolean', x);
        return { boolValue: x };
      case 'bytesValue':
      case 'bytes_value':
        if (typeof x !== 'string') throw wrongType(k, 'a base64 string', x);
        return { bytesValue: Buffer.from(lim.bytes(Buffer.from(x, 'base64'))).toString('base64') };
      case 'arrayValue':
      case 'array_value': {
        if (depth >= lim.limits.maxDepth) throw TOO_DEEP;
        const src = anyValueList(x, k);
        const values = new Array<OtlpAnyValue>(src.length);
        for (let i = 0; i < src.length; i++) {
          try {
            values[i] = anyValue(src[i], depth + 1, lim);
          } catch (e) {
            rethrowWithin(e, `${k}.values[${i}]`);
          }
        }
        return { arrayValue: { values } };
      }
      case 'kvlistValue':
      case 'kvlist_value': {
        if (depth >= lim.limits.maxDepth) throw TOO_DEEP;
        const src = anyValueList(x, k);
        const values = new Array<{ key: string; value: OtlpAnyValue }>(src.length);
        for (let i = 0; i < src.length; i++) {
          try {
            const kv = keyValue(src[i], depth + 1, lim);
            values[i] = { key: lim.text(kv.key), value: kv.value };
          } catch (e) {
            rethrowWithin(e, `${k}.values[${i}]`);
          }
        }
        return { kvlistValue: { values } };
      }
      default:
      // unknown field: ignore
    }
  }
  return {};
}

/** Reused result holder for keyValue (avoids an allocation per attribute). */
const kvOut: { key: string; value: OtlpAnyValue } = { key: '', value: {} };

function keyValue(v: unknown, depth: number, lim: SpanLimiter): { key: string; value: OtlpAnyValue } {
  const o = asObject(v, '');
  let key = '';
  let value: OtlpAnyValue = {};
  if (o !== null) {
    let raw: unknown;
    for (const k in o) {
      if (k === 'key') key = asString(o[k], 'key');
      else if (k === 'value') raw = o[k];
    }
    try {
      value = anyValue(raw, depth, lim);
    } catch (e) {
      // Name the top-level attribute in the reason; nested levels pass the marker up.
      if (e === TOO_DEEP && depth === 1) throw depthRejection(cleanText(key), lim.limits.maxDepth);
      rethrowWithin(e, 'value');
    }
  }
  kvOut.key = key;
  kvOut.value = value;
  return kvOut;
}

/**
 * Builds one attribute map under the limits (`lim.mapDropped` = attributes left out).
 * Throws SpanRejection (too deep) or JsonShapeError.
 */
function attributes(v: unknown, path: string, lim: SpanLimiter): AttributeMap {
  const map: AttributeMap = {};
  lim.mapDropped = 0;
  const list = asArray(v, path);
  if (list === null) return map;
  const max = lim.limits.maxAttributes;
  // Under the limit no key can be dropped, so only longer lists pay for the bookkeeping.
  const capped = list.length > max;
  let size = 0;
  let dropped = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] == null) continue;
    // Converted (so type-checked, and depth-checked) even when it is then dropped;
    // only the truncations of what is kept are reported.
    const truncatedBefore = lim.truncated;
    let kv: { key: string; value: OtlpAnyValue };
    try {
      kv = keyValue(list[i], 1, lim);
    } catch (e) {
      rethrowWithin(e, `${path}[${i}]`);
    }
    if (lim.keyTooLong(kv.key)) {
      lim.truncated = truncatedBefore;
      dropped++;
      continue;
    }
    const key = cleanText(kv.key);
    if (capped && !Object.prototype.hasOwnProperty.call(map, key)) {
      if (size >= max) {
        lim.truncated = truncatedBefore;
        dropped++;
        lim.overCount++;
        continue;
      }
      size++;
    }
    setAttr(map, key, kv.value);
  }
  lim.mapDropped = dropped;
  return map;
}

// ---------------------------------------------------------------------------
// Events, links, spans
// ---------------------------------------------------------------------------

function event(v: unknown, lim: SpanLimiter): SpanEvent {
  const o = asObject(v, '');
  const ev: SpanEvent = { timeUnixNano: '0', name: '', attributes: {} };
  if (o === null) return ev;
  let dropped = 0;
  let droppedHere = 0;
  for (const k in o) {
    const x = o[k];
    switch (k) {
      case 'timeUnixNano':
      case 'time_unix_nano':
        ev.timeUnixNano = asU64(x, k).toString();
        break;
      case 'name':
        ev.name = lim.text(asString(x, k));
        break;
      case 'attributes':
        ev.attributes = attributes(x, k, lim);
        droppedHere = lim.mapDropped;
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        dropped = asUint32(x, k);
        break;
    }
  }
  const total = addCount(dropped, droppedHere);
  if (total !== 0) ev.droppedAttributesCount = total;
  return ev;
}

/** Throws SpanRejection for bad link ids, JsonShapeError for wrong types. */
function link(v: unknown, i: number, lim: SpanLimiter): SpanLink {
  const o = asObject(v, '');
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let attrs: AttributeMap = {};
  let dropped = 0;
  let droppedHere = 0;
  if (o !== null) {
    for (const k in o) {
      const x = o[k];
      switch (k) {
        case 'traceId':
        case 'trace_id':
          traceId = asString(x, k);
          break;
        case 'spanId':
        case 'span_id':
          spanId = asString(x, k);
          break;
        case 'traceState':
        case 'trace_state':
          traceState = asString(x, k);
          break;
        case 'attributes':
          attrs = attributes(x, k, lim);
          droppedHere = lim.mapDropped;
          break;
        case 'droppedAttributesCount':
        case 'dropped_attributes_count':
          dropped = asUint32(x, k);
          break;
      }
    }
  }
  const reason = checkIdHex(traceId, 16, 'trace_id', false, true) ?? checkIdHex(spanId, 8, 'span_id', false, true);
  if (reason !== null) throw new SpanRejection(`link ${i}: ${reason}`);
  const out: SpanLink = { traceId: lowerHex(traceId), spanId: lowerHex(spanId), attributes: attrs };
  if (traceState !== '') out.traceState = lim.text(traceState);
  const total = addCount(dropped, droppedHere);
  if (total !== 0) out.droppedAttributesCount = total;
  return out;
}

/** Runs a conversion for its type checks only: a span-level problem in what is dropped anyway does not count. */
function typeCheckOnly(convert: () => unknown): void {
  try {
    convert();
  } catch (e) {
    if (!(e instanceof SpanRejection)) throw e;
  }
}

type Shared = {
  service: string;
  resourceAttributes: AttributeMap;
  scopeName: string | null;
  scopeVersion: string | null;
};

/** Returns the record or a rejection reason. Throws JsonShapeError for wrong types. */
function span(v: unknown, shared: Shared, lim: SpanLimiter, latestEnd: bigint): SpanRecord | string {
  const o = asObject(v, '');
  if (o === null) return 'span is null';
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let name = '';
  let kind = 0;
  let start = 0n;
  let end = 0n;
  let flags = 0;
  let rawAttributes: unknown;
  let rawEvents: unknown;
  let rawLinks: unknown;
  let droppedAttributesCount = 0;
  let droppedEventsCount = 0;
  let droppedLinksCount = 0;
  let statusCode = 0;
  let statusMessage = '';
  for (const k in o) {
    const x = o[k];
    switch (k) {
      case 'traceId':
      case 'trace_id':
        traceId = asString(x, k);
        break;
      case 'spanId':
      case 'span_id':
        spanId = asString(x, k);
        break;
      case 'parentSpanId':
      case 'parent_span_id':
        parentSpanId = asString(x, k);
        break;
      case 'traceState':
      case 'trace_state':
        traceState = asString(x, k);
        break;
      case 'name':
        name = asString(x, k);
        break;
      case 'kind':
        kind = asEnum(x, k, SPAN_KIND, 'SpanKind');
        break;
      case 'startTimeUnixNano':
      case 'start_time_unix_nano':
        start = asU64(x, k);
        break;
      case 'endTimeUnixNano':
      case 'end_time_unix_nano':
        end = asU64(x, k);
        break;
      case 'flags':
        flags = asUint32(x, k);
        break;
      case 'attributes':
        rawAttributes = x;
        break;
      case 'events':
        rawEvents = x;
        break;
      case 'links':
        rawLinks = x;
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = asUint32(x, k);
        break;
      case 'droppedEventsCount':
      case 'dropped_events_count':
        droppedEventsCount = asUint32(x, k);
        break;
      case 'droppedLinksCount':
      case 'dropped_links_count':
        droppedLinksCount = asUint32(x, k);
        break;
      case 'status': {
        const st = asObject(x, k);
        if (st !== null) {
          for (const sk in st) {
            if (sk === 'code') statusCode = asEnum(st[sk], `status.${sk}`, STATUS_CODE, 'StatusCode');
            else if (sk === 'message') statusMessage = asString(st[sk], `status.${sk}`);
          }
        }
        break;
      }
    }
  }

  // Type-check the nested lists even when the span ends up rejected.
  let attrs: AttributeMap;
  let events: SpanEvent[];
  let links: SpanLink[];
  let nestedReason: string | null = null;
  let droppedHere = 0;
  try {
    attrs = attributes(rawAttributes, 'attributes', lim);
    droppedHere = lim.mapDropped;
    const ev = asArray(rawEvents, 'events');
    // Events and links past the limits are still type-checked (a wrong type fails the
    // request wherever it is), then left out; what the limits would cut in them is not reported.
    let scratch: SpanLimiter | undefined;
    const keptEvents = ev === null ? 0 : Math.min(ev.length, lim.limits.maxEvents);
    events = new Array<SpanEvent>(keptEvents);
    if (ev !== null) {
      lim.droppedEvents = ev.length - keptEvents;
      for (let i = 0; i < ev.length; i++) {
        try {
          if (i < keptEvents) events[i] = event(ev[i], lim);
          else typeCheckOnly(() => event(ev[i], (scratch ??= new SpanLimiter(lim.limits))));
        } catch (e) {
          rethrowWithin(e, `events[${i}]`);
        }
      }
    }
    const ln = asArray(rawLinks, 'links');
    const keptLinks = ln === null ? 0 : Math.min(ln.length, lim.limits.maxLinks);
    links = new Array<SpanLink>(keptLinks);
    if (ln !== null) {
      lim.droppedLinks = ln.length - keptLinks;
      for (let i = 0; i < ln.length; i++) {
        try {
          if (i < keptLinks) links[i] = link(ln[i], i, lim);
          else typeCheckOnly(() => link(ln[i], i, (scratch ??= new SpanLimiter(lim.limits))));
        } catch (e) {
          rethrowWithin(e, `links[${i}]`);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof SpanRejection)) throw e;
    nestedReason = e.message;
    attrs = {};
    events = [];
    links = [];
  }

  const reason =
    checkIdHex(traceId, 16, 'trace_id', false, false) ??
    checkIdHex(spanId, 8, 'span_id', false, false) ??
    checkIdHex(parentSpanId, 8, 'parent_span_id', true, true) ??
    checkTimes(start, end, latestEnd) ??
    nestedReason;
  if (reason !== null) return reason;

  const parent = parentSpanId === '' || parentSpanId === '0000000000000000' ? null : lowerHex(parentSpanId);
  return {
    traceId: lowerHex(traceId),
    spanId: lowerHex(spanId),
    parentSpanId: parent,
    traceState: traceState ? lim.text(traceState) : null,
    name: lim.text(name),
    kind: lim.kind(kind),
    service: shared.service,
    statusCode: lim.status(statusCode),
    statusMessage: statusMessage ? lim.text(statusMessage) : null,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attrs,
    resourceAttributes: shared.resourceAttributes,
    events,
    links,
    scopeName: shared.scopeName,
    scopeVersion: shared.scopeVersion,
    // uint32 on the wire, int32 in the column: keep the bits (export reads them back unsigned).
    flags: flags | 0,
    droppedAttributesCount: addCount(droppedAttributesCount, droppedHere),
    droppedEventsCount: addCount(droppedEventsCount, lim.droppedEvents),
    droppedLinksCount: addCount(droppedLinksCount, lim.droppedLinks),
  };
}

function scopeInfo(v: unknown, max: number): { name: string | null; version: string | null } {
  const o = asObject(v, 'scope');
  if (o === null) return { name: null, version: null };
  let name = '';
  let version = '';
  for (const k in o) {
    if (k === 'name') name = asString(o[k], 'scope.name');
    else if (k === 'version') version = asString(o[k], 'scope.version');
  }
  const clip = (s: string) => (s === '' ? null : cleanText(s.length > max ? truncateText(s, max) : s));
  return { name: clip(name), version: clip(version) };
}

/**
 * Walks a parsed OTLP/JSON request. Throws JsonShapeError (message includes the
 * field path) when a field has the wrong JSON type.
 */
export function convertJsonRequest(doc: unknown, options: ConvertOptions = {}): ConvertResult {
  const spans: SpanRecord[] = [];
  const rejected: RejectedSpan[] = [];
  const warnings: string[] = [];
  const lim = new SpanLimiter(options.limits ?? DEFAULT_INGEST_LIMITS);
  const latestEnd = latestEndNanos(options.nowMs ?? Date.now(), lim.limits.maxFutureSkewMs);
  const root = asObject(doc, '');
  if (root === null) throw wrongType('', 'a JSON object (ExportTraceServiceRequest)', doc);
  const rss = asArray(root.resourceSpans !== undefined ? root.resourceSpans : root.resource_spans, 'resourceSpans');
  if (rss === null) return { spans, rejected, warnings };
  let index = 0;
  for (let r = 0; r < rss.length; r++) {
    try {
      const rs = asObject(rss[r], '');
      if (rs === null) continue;
      // Resource.
      let resourceAttributes: AttributeMap = {};
      let resourceReason: string | null = null;
      const res = asObject(rs.resource, 'resource');
      lim.reset();
      if (res !== null) {
        try {
          resourceAttributes = attributes(res.attributes, 'attributes', lim);
          const warning = lim.warning();
          if (warning !== null) warnings.push(`resource ${r}: ${warning}`);
        } catch (e) {
          if (e instanceof SpanRejection) resourceReason = `resource ${e.message}`;
          else rethrowWithin(e, 'resource');
        }
      }
      const svc = resourceAttributes['service.name'];
      const service = svc !== undefined && 'stringValue' in svc && svc.stringValue !== '' ? svc.stringValue : UNKNOWN_SERVICE;

      const sss = asArray(rs.scopeSpans !== undefined ? rs.scopeSpans : rs.scope_spans, 'scopeSpans');
      if (sss === null) continue;
      for (let j = 0; j < sss.length; j++) {
        try {
          const ss = asObject(sss[j], '');
          if (ss === null) continue;
          const scope = scopeInfo(ss.scope, lim.limits.maxValueLength);
          const shared: Shared = { service, resourceAttributes, scopeName: scope.name, scopeVersion: scope.version };
          const list = asArray(ss.spans, 'spans');
          if (list === null) continue;
          for (let k = 0; k < list.length; k++, index++) {
            let out: SpanRecord | string;
            lim.reset();
            try {
              out = span(list[k], shared, lim, latestEnd);
            } catch (e) {
              rethrowWithin(e, `spans[${k}]`);
            }
            if (resourceReason !== null) out = resourceReason;
            if (typeof out === 'string') rejected.push({ index, reason: out });
            else {
              spans.push(out);
              const warning = lim.warning();
              if (warning !== null) warnings.push(`span ${index}: ${warning}`);
            }
          }
        } catch (e) {
          rethrowWithin(e, `scopeSpans[${j}]`);
        }
      }
    } catch (e) {
      rethrowWithin(e, `resourceSpans[${r}]`);
    }
  }
  return { spans, rejected, warnings };
}
