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
import { checkIdHex, lowerHex } from './common';
import type { SpanLimiter } from './limits';
import {
  type ConvertOptions,
  type ConvertResult,
  ExportAssembly,
  type ReadItem,
  type ResourceContext,
  type SpanScope,
  type WireEvent,
  type WireLink,
  type WireSpan,
  limitEvents,
  limitLinks,
} from './assemble';
import { attributes, readAttribute } from './json-any-value';
import { type Obj, STATUS_CODE, SPAN_KIND, asArray, asEnum, asObject, asString, asU64, asUint32, rethrowWithin, wrongType } from './json-shape';

export { JsonShapeError } from './json-shape';

// ---------------------------------------------------------------------------
// Events, links, spans
// ---------------------------------------------------------------------------

/** Reads entry `i` of the list named `list` with `fields`; a type error names `list[i]` in its path. */
function readEntry<W>(fields: (o: Obj | null, lim: SpanLimiter) => W, list: string, v: unknown, i: number, lim: SpanLimiter): W {
  try {
    return fields(asObject(v, ''), lim);
  } catch (e) {
    rethrowWithin(e, `${list}[${i}]`);
  }
}

const readEvent: ReadItem<unknown, WireEvent> = (v, i, lim) => readEntry(eventFields, 'events', v, i, lim);
const readLink: ReadItem<unknown, WireLink> = (v, i, lim) => readEntry(linkFields, 'links', v, i, lim);

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
