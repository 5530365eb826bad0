/**
 * protobufjs-decoded ExportTraceServiceRequest → SpanRecord[] (+ rejections).
 */
import type { AttributeMap, OtlpAnyValue, RejectedSpan, SpanEvent, SpanLink, SpanRecord } from './span-record';
import type { PbAnyValue, PbEvent, PbExportTraceServiceRequest, PbKeyValue, PbLink, PbSpan } from './proto';
import {
  MAX_ANY_VALUE_DEPTH,
  SpanRejection,
  UNKNOWN_SERVICE,
  bytesToHex,
  checkIdBytes,
  checkTimes,
  depthRejection,
  doubleOut,
  i64ToString,
  setAttr,
  u64ToBigInt,
  u64ToString,
} from './common';

export type ConvertResult = { spans: SpanRecord[]; rejected: RejectedSpan[] };

/** Marker thrown by anyValue when nesting is too deep; caught per attribute to name the key. */
const TOO_DEEP = new Error('too deep');

function anyValue(v: PbAnyValue | null | undefined, depth: number): OtlpAnyValue {
  if (v == null) return {};
  if (v.stringValue != null) return { stringValue: v.stringValue };
  if (v.intValue != null) return { intValue: i64ToString(v.intValue) };
  if (v.doubleValue != null) return { doubleValue: doubleOut(v.doubleValue) };
  if (v.boolValue != null) return { boolValue: v.boolValue };
  if (v.arrayValue != null) {
    if (depth >= MAX_ANY_VALUE_DEPTH) throw TOO_DEEP;
    const src = v.arrayValue.values;
    const n = src == null ? 0 : src.length;
    const values = new Array<OtlpAnyValue>(n);
    for (let i = 0; i < n; i++) values[i] = anyValue(src![i], depth + 1);
    return { arrayValue: { values } };
  }
  if (v.kvlistValue != null) {
    if (depth >= MAX_ANY_VALUE_DEPTH) throw TOO_DEEP;
    const src = v.kvlistValue.values;
    const n = src == null ? 0 : src.length;
    const values = new Array<{ key: string; value: OtlpAnyValue }>(n);
    for (let i = 0; i < n; i++) {
      const kv = src![i];
      values[i] = { key: kv.key ?? '', value: anyValue(kv.value, depth + 1) };
    }
    return { kvlistValue: { values } };
  }
  if (v.bytesValue != null) return { bytesValue: bytesToBase64(v.bytesValue) };
  return {};
}

function bytesToBase64(b: Uint8Array): string {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');
}

/** Throws SpanRejection when an attribute nests too deeply. */
function attributes(list: PbKeyValue[] | null | undefined): AttributeMap {
  const map: AttributeMap = {};
  if (list == null) return map;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    const key = kv.key ?? '';
    let value: OtlpAnyValue;
    try {
      value = anyValue(kv.value, 1);
    } catch (e) {
      if (e === TOO_DEEP) throw depthRejection(key);
      throw e;
    }
    setAttr(map, key, value);
  }
  return map;
}

function events(list: PbEvent[] | null | undefined): SpanEvent[] {
  if (list == null || list.length === 0) return [];
  const out = new Array<SpanEvent>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const ev: SpanEvent = { timeUnixNano: u64ToString(e.timeUnixNano), name: e.name ?? '', attributes: attributes(e.attributes) };
    if (e.droppedAttributesCount) ev.droppedAttributesCount = e.droppedAttributesCount;
    out[i] = ev;
  }
  return out;
}

function links(list: PbLink[] | null | undefined): SpanLink[] {
  if (list == null || list.length === 0) return [];
  const out = new Array<SpanLink>(list.length);
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    const reason =
      checkIdBytes(l.traceId, 16, 'trace_id', false, true) ?? checkIdBytes(l.spanId, 8, 'span_id', false, true);
    if (reason !== null) throw new SpanRejection(`link ${i}: ${reason}`);
    const link: SpanLink = { traceId: bytesToHex(l.traceId!), spanId: bytesToHex(l.spanId!), attributes: attributes(l.attributes) };
    if (l.traceState) link.traceState = l.traceState;
    if (l.droppedAttributesCount) link.droppedAttributesCount = l.droppedAttributesCount;
    out[i] = link;
  }
  return out;
}

type Shared = {
  service: string;
  resourceAttributes: AttributeMap;
  scopeName: string | null;
  scopeVersion: string | null;
};

/** Returns the record, or a rejection reason string. */
function convertSpan(s: PbSpan, shared: Shared): SpanRecord | string {
  const reason =
    checkIdBytes(s.traceId, 16, 'trace_id', false, false) ??
    checkIdBytes(s.spanId, 8, 'span_id', false, false) ??
    checkIdBytes(s.parentSpanId, 8, 'parent_span_id', true, true);
  if (reason !== null) return reason;
  const start = u64ToBigInt(s.startTimeUnixNano);
  const end = u64ToBigInt(s.endTimeUnixNano);
  const timeReason = checkTimes(start, end);
  if (timeReason !== null) return timeReason;

  const parent = s.parentSpanId;
  // An all-zero parent id is treated like an absent one (root span).
  const parentHex = parent != null && parent.length === 8 ? bytesToHex(parent) : null;
  const status = s.status;
  try {
    return {
      traceId: bytesToHex(s.traceId!),
      spanId: bytesToHex(s.spanId!),
      parentSpanId: parentHex === null || parentHex === '0000000000000000' ? null : parentHex,
      traceState: s.traceState || null,
      name: s.name ?? '',
      kind: s.kind ?? 0,
      service: shared.service,
      statusCode: status?.code ?? 0,
      statusMessage: status?.message || null,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes: attributes(s.attributes),
      resourceAttributes: shared.resourceAttributes,
      events: events(s.events),
      links: links(s.links),
      scopeName: shared.scopeName,
      scopeVersion: shared.scopeVersion,
      flags: s.flags ?? 0,
      droppedAttributesCount: s.droppedAttributesCount ?? 0,
      droppedEventsCount: s.droppedEventsCount ?? 0,
      droppedLinksCount: s.droppedLinksCount ?? 0,
    };
  } catch (e) {
    if (e instanceof SpanRejection) return e.message;
    throw e;
  }
}

/**
 * Walks resourceSpans → scopeSpans → spans. `resourceAttributes` objects are
 * shared by all spans of one resource (treat them as read-only).
 */
export function convertProtoRequest(req: PbExportTraceServiceRequest): ConvertResult {
  const spans: SpanRecord[] = [];
  const rejected: RejectedSpan[] = [];
  let index = 0;
  const rss = req.resourceSpans;
  if (rss == null) return { spans, rejected };
  for (let r = 0; r < rss.length; r++) {
    const rs = rss[r];
    let resourceAttributes: AttributeMap;
    let resourceReason: string | null = null;
    try {
      resourceAttributes = attributes(rs.resource?.attributes);
    } catch (e) {
      if (!(e instanceof SpanRejection)) throw e;
      resourceAttributes = {};
      resourceReason = `resource ${e.message}`;
    }
    const svc = resourceAttributes['service.name'];
    const service = svc !== undefined && 'stringValue' in svc && svc.stringValue !== '' ? svc.stringValue : UNKNOWN_SERVICE;
    const sss = rs.scopeSpans;
    if (sss == null) continue;
    for (let j = 0; j < sss.length; j++) {
      const ss = sss[j];
      const shared: Shared = {
        service,
        resourceAttributes,
        scopeName: ss.scope?.name || null,
        scopeVersion: ss.scope?.version || null,
      };
      const list = ss.spans;
      if (list == null) continue;
      for (let k = 0; k < list.length; k++, index++) {
        if (resourceReason !== null) {
          rejected.push({ index, reason: resourceReason });
          continue;
        }
        const out = convertSpan(list[k], shared);
        if (typeof out === 'string') rejected.push({ index, reason: out });
        else spans.push(out);
      }
    }
  }
  return { spans, rejected };
}
