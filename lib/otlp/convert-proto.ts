/**
 * protobufjs-decoded ExportTraceServiceRequest → SpanRecord[] (+ rejections).
 *
 * Reads the protobuf shapes into the wire-neutral values of ./assemble.ts, which
 * applies every limit (the same step the JSON converter uses).
 */
import type { OtlpAnyValue } from './span-record';
import type { PbAnyValue, PbEvent, PbExportTraceServiceRequest, PbKeyValue, PbLink, PbSpan } from './proto';
import { bytesToHex, checkIdBytes, doubleOut, i64ToString, u64ToBigInt, u64ToString } from './common';
import {
  type ConvertOptions,
  type ConvertResult,
  ExportAssembly,
  type ReadAttribute,
  type WireEvent,
  type WireLink,
  type WireSpan,
  limitAttributes,
  limitEvents,
  limitLinks,
} from './assemble';
import type { SpanLimiter } from './limits';

function anyValue(v: PbAnyValue | null | undefined, depth: number, lim: SpanLimiter): OtlpAnyValue {
  if (v == null) return {};
  if (v.stringValue != null) return { stringValue: lim.text(v.stringValue) };
  if (v.intValue != null) return { intValue: i64ToString(v.intValue) };
  if (v.doubleValue != null) return { doubleValue: doubleOut(v.doubleValue) };
  if (v.boolValue != null) return { boolValue: v.boolValue };
  if (v.arrayValue != null) {
    lim.nest(depth);
    const src = v.arrayValue.values;
    const n = src == null ? 0 : src.length;
    const values = new Array<OtlpAnyValue>(n);
    for (let i = 0; i < n; i++) values[i] = anyValue(src![i], depth + 1, lim);
    return { arrayValue: { values } };
  }
  if (v.kvlistValue != null) {
    lim.nest(depth);
    const src = v.kvlistValue.values;
    const n = src == null ? 0 : src.length;
    const values = new Array<{ key: string; value: OtlpAnyValue }>(n);
    for (let i = 0; i < n; i++) {
      const kv = src![i];
      values[i] = { key: lim.text(kv.key ?? ''), value: anyValue(kv.value, depth + 1, lim) };
    }
    return { kvlistValue: { values } };
  }
  if (v.bytesValue != null) return { bytesValue: bytesToBase64(lim.bytes(v.bytesValue)) };
  return {};
}

function bytesToBase64(b: Uint8Array): string {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');
}

const readAttribute: ReadAttribute<PbKeyValue> = (kv, _i, slot, lim) => {
  slot.key = kv.key ?? '';
  slot.value = anyValue(kv.value, 1, lim);
  return true;
};

function readEvent(e: PbEvent, _i: number, lim: SpanLimiter): WireEvent {
  const attributes = limitAttributes(e.attributes, readAttribute, lim);
  return {
    timeUnixNano: u64ToString(e.timeUnixNano),
    name: e.name ?? '',
    attributes,
    attributesDropped: lim.mapDropped,
    droppedAttributesCount: e.droppedAttributesCount ?? 0,
  };
}

function readLink(l: PbLink, _i: number, lim: SpanLimiter): WireLink {
  const idReason = checkIdBytes(l.traceId, 16, 'trace_id', false, true) ?? checkIdBytes(l.spanId, 8, 'span_id', false, true);
  // A bad id rejects the span before the attributes are looked at.
  if (idReason !== null) return { idReason, traceId: '', spanId: '', traceState: '', attributes: {}, attributesDropped: 0, droppedAttributesCount: 0 };
  const attributes = limitAttributes(l.attributes, readAttribute, lim);
  return {
    idReason,
    traceId: bytesToHex(l.traceId!),
    spanId: bytesToHex(l.spanId!),
    traceState: l.traceState ?? '',
    attributes,
    attributesDropped: lim.mapDropped,
    droppedAttributesCount: l.droppedAttributesCount ?? 0,
  };
}

function readNested(w: WireSpan, s: PbSpan, lim: SpanLimiter): void {
  w.attributes = limitAttributes(s.attributes, readAttribute, lim);
  w.attributesDropped = lim.mapDropped;
  w.events = limitEvents(s.events, readEvent, lim);
  w.links = limitLinks(s.links, readLink, lim);
}

function readSpan(s: PbSpan): WireSpan {
  const idReason =
    checkIdBytes(s.traceId, 16, 'trace_id', false, false) ??
    checkIdBytes(s.spanId, 8, 'span_id', false, false) ??
    checkIdBytes(s.parentSpanId, 8, 'parent_span_id', true, true);
  const valid = idReason === null;
  const parent = s.parentSpanId;
  return {
    idReason,
    traceId: valid ? bytesToHex(s.traceId!) : '',
    spanId: valid ? bytesToHex(s.spanId!) : '',
    parentSpanId: valid && parent != null && parent.length === 8 ? bytesToHex(parent) : '',
    traceState: s.traceState ?? '',
    name: s.name ?? '',
    kind: s.kind ?? 0,
    flags: s.flags ?? 0,
    startTimeUnixNano: u64ToBigInt(s.startTimeUnixNano),
    endTimeUnixNano: u64ToBigInt(s.endTimeUnixNano),
    statusCode: s.status?.code ?? 0,
    statusMessage: s.status?.message ?? '',
    droppedAttributesCount: s.droppedAttributesCount ?? 0,
    droppedEventsCount: s.droppedEventsCount ?? 0,
    droppedLinksCount: s.droppedLinksCount ?? 0,
    attributes: {},
    attributesDropped: 0,
    events: [],
    links: [],
    nestedReason: null,
  };
}

/**
 * Walks resourceSpans → scopeSpans → spans. `resourceAttributes` objects are
 * shared by all spans of one resource (treat them as read-only).
 */
export function convertProtoRequest(req: PbExportTraceServiceRequest, options: ConvertOptions = {}): ConvertResult {
  const out = new ExportAssembly(options);
  const rss = req.resourceSpans ?? [];
  for (let r = 0; r < rss.length; r++) {
    const rs = rss[r];
    const resource = out.resource(r, rs.resource?.attributes, readAttribute);
    const sss = rs.scopeSpans ?? [];
    for (let j = 0; j < sss.length; j++) {
      const ss = sss[j];
      const scope = out.scope(resource, ss.scope?.name, ss.scope?.version);
      const list = ss.spans ?? [];
      for (let k = 0; k < list.length; k++) {
        out.span(scope, readSpan(list[k]), list[k], readNested);
      }
    }
  }
  return out.finish();
}
