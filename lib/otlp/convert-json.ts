/**
 * OTLP/JSON ExportTraceServiceRequest (already JSON.parse'd) → SpanRecord[] (+ rejections).
 *
 * Follows the OTLP/JSON rules: lowerCamelCase keys (snake_case accepted too),
 * trace/span ids as hex strings, enums as integers (enum value names accepted
 * too), 64-bit integers as decimal strings or JSON numbers, bytes as base64,
 * unknown fields ignored, `null` treated as absent.
 *
 * A value of the wrong JSON type makes the whole request invalid (JsonShapeError,
 * with the path of the offending field; the type rules are in ./json-shape.ts).
 * Span-level problems (bad ids, times) reject only that span. This file only reads:
 * the limits are applied by ./assemble.ts, the same step the protobuf converter uses.
 */
import type { OtlpAnyValue } from './span-record';
import { checkIdHex, lowerHex } from './common';
import type { SpanLimiter } from './limits';
import {
  type AttributeSlot,
  type ConvertOptions,
  type ConvertResult,
  ExportAssembly,
  type ReadAttribute,
  type ResourceContext,
  type SpanScope,
  type WireEvent,
  type WireLink,
  type WireSpan,
  limitAttributes,
  limitEvents,
  limitLinks,
} from './assemble';
import {
  type Obj,
  STATUS_CODE,
  SPAN_KIND,
  asArray,
  asDouble,
  asEnum,
  asI64String,
  asObject,
  asString,
  asU64,
  asUint32,
  rethrowWithin,
  wrongType,
} from './json-shape';

export { JsonShapeError } from './json-shape';

// ---------------------------------------------------------------------------
// AnyValue / attributes
// ---------------------------------------------------------------------------

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
      case 'array_value':
        return { arrayValue: { values: arrayValues(x, k, depth, lim) } };
      case 'kvlistValue':
      case 'kvlist_value':
        return { kvlistValue: { values: kvlistValues(x, k, depth, lim) } };
      default:
      // unknown field: ignore
    }
  }
  return {};
}

function arrayValues(x: unknown, k: string, depth: number, lim: SpanLimiter): OtlpAnyValue[] {
  lim.nest(depth);
  const src = anyValueList(x, k);
  const values = new Array<OtlpAnyValue>(src.length);
  for (let i = 0; i < src.length; i++) {
    try {
      values[i] = anyValue(src[i], depth + 1, lim);
    } catch (e) {
      rethrowWithin(e, `${k}.values[${i}]`);
    }
  }
  return values;
}

function kvlistValues(x: unknown, k: string, depth: number, lim: SpanLimiter): AttributeSlot[] {
  lim.nest(depth);
  const src = anyValueList(x, k);
  const values = new Array<AttributeSlot>(src.length);
  for (let i = 0; i < src.length; i++) {
    try {
      const kv: AttributeSlot = { key: '', value: {} };
      readKeyValue(src[i], depth + 1, lim, kv);
      kv.key = lim.text(kv.key);
      values[i] = kv;
    } catch (e) {
      rethrowWithin(e, `${k}.values[${i}]`);
    }
  }
  return values;
}

/** A KeyValue (a null one reads as key '' and an empty value); the key is set before the value is converted. */
function readKeyValue(v: unknown, depth: number, lim: SpanLimiter, out: AttributeSlot): void {
  const o = asObject(v, '');
  out.key = '';
  out.value = {};
  if (o === null) return;
  let raw: unknown;
  for (const k in o) {
    if (k === 'key') out.key = asString(o[k], 'key');
    else if (k === 'value') raw = o[k];
  }
  try {
    out.value = anyValue(raw, depth, lim);
  } catch (e) {
    rethrowWithin(e, 'value');
  }
}

/** Null entries are skipped; a wrong type names `attributes[i]` in its path. */
const readAttribute: ReadAttribute<unknown> = (entry, i, slot, lim) => {
  if (entry == null) return false;
  try {
    readKeyValue(entry, 1, lim, slot);
  } catch (e) {
    rethrowWithin(e, `attributes[${i}]`);
  }
  return true;
};

function attributes(v: unknown, lim: SpanLimiter) {
  return limitAttributes(asArray(v, 'attributes'), readAttribute, lim);
}

// ---------------------------------------------------------------------------
// Events, links, spans
// ---------------------------------------------------------------------------

function readEvent(v: unknown, i: number, lim: SpanLimiter): WireEvent {
  try {
    return eventFields(asObject(v, ''), lim);
  } catch (e) {
    rethrowWithin(e, `events[${i}]`);
  }
}

function eventFields(o: Obj | null, lim: SpanLimiter): WireEvent {
  const ev: WireEvent = { timeUnixNano: '0', name: '', attributes: {}, attributesDropped: 0, droppedAttributesCount: 0 };
  if (o === null) return ev;
  for (const k in o) {
    const x = o[k];
    switch (k) {
      case 'timeUnixNano':
      case 'time_unix_nano':
        ev.timeUnixNano = asU64(x, k).toString();
        break;
      case 'name':
        ev.name = asString(x, k);
        break;
      case 'attributes':
        ev.attributes = attributes(x, lim);
        ev.attributesDropped = lim.mapDropped;
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        ev.droppedAttributesCount = asUint32(x, k);
        break;
    }
  }
  return ev;
}

function readLink(v: unknown, i: number, lim: SpanLimiter): WireLink {
  try {
    return linkFields(asObject(v, ''), lim);
  } catch (e) {
    rethrowWithin(e, `links[${i}]`);
  }
}

function linkFields(o: Obj | null, lim: SpanLimiter): WireLink {
  const link: WireLink = { idReason: null, traceId: '', spanId: '', traceState: '', attributes: {}, attributesDropped: 0, droppedAttributesCount: 0 };
  if (o !== null) {
    for (const k in o) {
      const x = o[k];
      switch (k) {
        case 'traceId':
        case 'trace_id':
          link.traceId = asString(x, k);
          break;
        case 'spanId':
        case 'span_id':
          link.spanId = asString(x, k);
          break;
        case 'traceState':
        case 'trace_state':
          link.traceState = asString(x, k);
          break;
        case 'attributes':
          link.attributes = attributes(x, lim);
          link.attributesDropped = lim.mapDropped;
          break;
        case 'droppedAttributesCount':
        case 'dropped_attributes_count':
          link.droppedAttributesCount = asUint32(x, k);
          break;
      }
    }
  }
  link.idReason = checkIdHex(link.traceId, 16, 'trace_id', false, true) ?? checkIdHex(link.spanId, 8, 'span_id', false, true);
  link.traceId = lowerHex(link.traceId);
  link.spanId = lowerHex(link.spanId);
  return link;
}

/** A span's nested lists as found in the JSON, converted by readNested. */
type RawNested = { attributes: unknown; events: unknown; links: unknown };

/** Nested lists are converted even when the span is rejected anyway: a wrong type in them fails the request. */
function readNested(w: WireSpan, raw: RawNested, lim: SpanLimiter): void {
  w.attributes = attributes(raw.attributes, lim);
  w.attributesDropped = lim.mapDropped;
  w.events = limitEvents(asArray(raw.events, 'events'), readEvent, lim, true);
  w.links = limitLinks(asArray(raw.links, 'links'), readLink, lim, true);
}

function emptySpan(): WireSpan {
  return {
    idReason: null,
    traceId: '',
    spanId: '',
    parentSpanId: '',
    traceState: '',
    name: '',
    kind: 0,
    flags: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    statusCode: 0,
    statusMessage: '',
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    attributes: {},
    attributesDropped: 0,
    events: [],
    links: [],
    nestedReason: null,
  };
}

/** Reads a span's scalar fields into `w` (ids still as sent); returns its nested lists unread. */
function spanFields(o: Obj, w: WireSpan): RawNested {
  const raw: RawNested = { attributes: undefined, events: undefined, links: undefined };
  for (const k in o) {
    const x = o[k];
    switch (k) {
      case 'traceId':
      case 'trace_id':
        w.traceId = asString(x, k);
        break;
      case 'spanId':
      case 'span_id':
        w.spanId = asString(x, k);
        break;
      case 'parentSpanId':
      case 'parent_span_id':
        w.parentSpanId = asString(x, k);
        break;
      case 'traceState':
      case 'trace_state':
        w.traceState = asString(x, k);
        break;
      case 'name':
        w.name = asString(x, k);
        break;
      case 'kind':
        w.kind = asEnum(x, k, SPAN_KIND, 'SpanKind');
        break;
      case 'startTimeUnixNano':
      case 'start_time_unix_nano':
        w.startTimeUnixNano = asU64(x, k);
        break;
      case 'endTimeUnixNano':
      case 'end_time_unix_nano':
        w.endTimeUnixNano = asU64(x, k);
        break;
      case 'flags':
        w.flags = asUint32(x, k);
        break;
      case 'attributes':
      case 'events':
      case 'links':
        raw[k] = x;
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        w.droppedAttributesCount = asUint32(x, k);
        break;
      case 'droppedEventsCount':
      case 'dropped_events_count':
        w.droppedEventsCount = asUint32(x, k);
        break;
      case 'droppedLinksCount':
      case 'dropped_links_count':
        w.droppedLinksCount = asUint32(x, k);
        break;
      case 'status':
        statusFields(asObject(x, k), w);
        break;
    }
  }
  return raw;
}

function statusFields(st: Obj | null, w: WireSpan): void {
  if (st === null) return;
  for (const sk in st) {
    if (sk === 'code') w.statusCode = asEnum(st[sk], `status.${sk}`, STATUS_CODE, 'StatusCode');
    else if (sk === 'message') w.statusMessage = asString(st[sk], `status.${sk}`);
  }
}

/** Ids are checked as hex, then kept in lowercase. */
function checkSpanIds(w: WireSpan): void {
  w.idReason =
    checkIdHex(w.traceId, 16, 'trace_id', false, false) ??
    checkIdHex(w.spanId, 8, 'span_id', false, false) ??
    checkIdHex(w.parentSpanId, 8, 'parent_span_id', true, true);
  w.traceId = lowerHex(w.traceId);
  w.spanId = lowerHex(w.spanId);
  w.parentSpanId = lowerHex(w.parentSpanId);
}

function addSpan(v: unknown, scope: SpanScope, out: ExportAssembly): void {
  const o = asObject(v, '');
  if (o === null) return out.unreadableSpan(scope, 'span is null');
  const w = emptySpan();
  const raw = spanFields(o, w);
  checkSpanIds(w);
  out.span(scope, w, raw, readNested);
}

// ---------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------

function scopeNames(v: unknown): { name: string; version: string } {
  const o = asObject(v, 'scope');
  let name = '';
  let version = '';
  if (o !== null) {
    for (const k in o) {
      if (k === 'name') name = asString(o[k], 'scope.name');
      else if (k === 'version') version = asString(o[k], 'scope.version');
    }
  }
  return { name, version };
}

function addScopeSpans(ss: Obj, resource: ResourceContext, out: ExportAssembly): void {
  const names = scopeNames(ss.scope);
  const scope = out.scope(resource, names.name, names.version);
  const list = asArray(ss.spans, 'spans');
  if (list === null) return;
  for (let k = 0; k < list.length; k++) {
    try {
      addSpan(list[k], scope, out);
    } catch (e) {
      rethrowWithin(e, `spans[${k}]`);
    }
  }
}

function addResourceSpans(rs: Obj, r: number, out: ExportAssembly): void {
  const res = asObject(rs.resource, 'resource');
  let resource: ResourceContext;
  try {
    resource = out.resource(r, res === null ? null : asArray(res.attributes, 'attributes'), readAttribute);
  } catch (e) {
    rethrowWithin(e, 'resource');
  }
  const sss = asArray(rs.scopeSpans !== undefined ? rs.scopeSpans : rs.scope_spans, 'scopeSpans');
  if (sss === null) return;
  for (let j = 0; j < sss.length; j++) {
    try {
      const ss = asObject(sss[j], '');
      if (ss !== null) addScopeSpans(ss, resource, out);
    } catch (e) {
      rethrowWithin(e, `scopeSpans[${j}]`);
    }
  }
}

/**
 * Walks a parsed OTLP/JSON request. Throws JsonShapeError (message includes the
 * field path) when a field has the wrong JSON type.
 */
export function convertJsonRequest(doc: unknown, options: ConvertOptions = {}): ConvertResult {
  const out = new ExportAssembly(options);
  const root = asObject(doc, '');
  if (root === null) throw wrongType('', 'a JSON object (ExportTraceServiceRequest)', doc);
  const rss = asArray(root.resourceSpans !== undefined ? root.resourceSpans : root.resource_spans, 'resourceSpans');
  for (let r = 0; rss !== null && r < rss.length; r++) {
    try {
      const rs = asObject(rss[r], '');
      if (rs !== null) addResourceSpans(rs, r, out);
    } catch (e) {
      rethrowWithin(e, `resourceSpans[${r}]`);
    }
  }
  return out.finish();
}
