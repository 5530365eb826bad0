/**
 * protobufjs-decoded ExportTraceServiceRequest → SpanRecord[] (+ rejections).
 */
import type { AttributeMap, OtlpAnyValue, RejectedSpan, SpanEvent, SpanLink, SpanRecord } from './span-record';
import type { PbAnyValue, PbEvent, PbExportTraceServiceRequest, PbKeyValue, PbLink, PbSpan } from './proto';
import {
  SpanRejection,
  UNKNOWN_SERVICE,
  bytesToHex,
  checkIdBytes,
  checkTimes,
  depthRejection,
  doubleOut,
  i64ToString,
  latestEndNanos,
  setAttr,
  u64ToBigInt,
  u64ToString,
} from './common';
import { DEFAULT_INGEST_LIMITS, type IngestLimits, SpanLimiter, addCount, cleanText, truncateText } from './limits';

export type ConvertResult = {
  spans: SpanRecord[];
  rejected: RejectedSpan[];
  /** What was cut from stored spans or resources ("span 3: …"), for partial_success.error_message. */
  warnings: string[];
};

export type ConvertOptions = {
  limits?: IngestLimits;
  /** The server clock, ms (tests pin it). */
  nowMs?: number;
};

/** Marker thrown by anyValue when nesting is too deep; caught per attribute to name the key. */
const TOO_DEEP = new Error('too deep');

function anyValue(v: PbAnyValue | null | undefined, depth: number, lim: SpanLimiter): OtlpAnyValue {
  if (v == null) return {};
  if (v.stringValue != null) return { stringValue: lim.text(v.stringValue) };
  if (v.intValue != null) return { intValue: i64ToString(v.intValue) };
  if (v.doubleValue != null) return { doubleValue: doubleOut(v.doubleValue) };
  if (v.boolValue != null) return { boolValue: v.boolValue };
  if (v.arrayValue != null) {
    if (depth >= lim.limits.maxDepth) throw TOO_DEEP;
    const src = v.arrayValue.values;
    const n = src == null ? 0 : src.length;
    const values = new Array<OtlpAnyValue>(n);
    for (let i = 0; i < n; i++) values[i] = anyValue(src![i], depth + 1, lim);
    return { arrayValue: { values } };
  }
  if (v.kvlistValue != null) {
    if (depth >= lim.limits.maxDepth) throw TOO_DEEP;
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

/**
 * Builds one attribute map under the limits (`lim.mapDropped` = attributes left out).
 * Throws SpanRejection when an attribute nests too deeply.
 */
function attributes(list: PbKeyValue[] | null | undefined, lim: SpanLimiter): AttributeMap {
  const map: AttributeMap = {};
  lim.mapDropped = 0;
  if (list == null) return map;
  const max = lim.limits.maxAttributes;
  // Under the limit no key can be dropped, so only longer lists pay for the bookkeeping.
  const capped = list.length > max;
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    const rawKey = kv.key ?? '';
    // Converted (so depth-checked, as the JSON path does) even when it is then
    // dropped; only the truncations of what is kept are reported.
    const truncatedBefore = lim.truncated;
    let value: OtlpAnyValue;
    try {
      value = anyValue(kv.value, 1, lim);
    } catch (e) {
      if (e === TOO_DEEP) throw depthRejection(cleanText(rawKey), lim.limits.maxDepth);
      throw e;
    }
    if (lim.keyTooLong(rawKey)) {
      lim.truncated = truncatedBefore;
      lim.mapDropped++;
      continue;
    }
    const key = cleanText(rawKey);
    if (capped && !Object.prototype.hasOwnProperty.call(map, key)) {
      if (size >= max) {
        lim.truncated = truncatedBefore;
        lim.mapDropped++;
        lim.overCount++;
        continue;
      }
      size++;
    }
    setAttr(map, key, value);
  }
  return map;
}

function events(list: PbEvent[] | null | undefined, lim: SpanLimiter): SpanEvent[] {
  if (list == null || list.length === 0) return [];
  const n = Math.min(list.length, lim.limits.maxEvents);
  lim.droppedEvents = list.length - n;
  const out = new Array<SpanEvent>(n);
  for (let i = 0; i < n; i++) {
    const e = list[i];
    const ev: SpanEvent = { timeUnixNano: u64ToString(e.timeUnixNano), name: lim.text(e.name ?? ''), attributes: attributes(e.attributes, lim) };
    const dropped = addCount(e.droppedAttributesCount ?? 0, lim.mapDropped);
    if (dropped) ev.droppedAttributesCount = dropped;
    out[i] = ev;
  }
  return out;
}

function links(list: PbLink[] | null | undefined, lim: SpanLimiter): SpanLink[] {
  if (list == null || list.length === 0) return [];
  const n = Math.min(list.length, lim.limits.maxLinks);
  lim.droppedLinks = list.length - n;
  const out = new Array<SpanLink>(n);
  for (let i = 0; i < n; i++) {
    const l = list[i];
    const reason =
      checkIdBytes(l.traceId, 16, 'trace_id', false, true) ?? checkIdBytes(l.spanId, 8, 'span_id', false, true);
    if (reason !== null) throw new SpanRejection(`link ${i}: ${reason}`);
    const link: SpanLink = { traceId: bytesToHex(l.traceId!), spanId: bytesToHex(l.spanId!), attributes: attributes(l.attributes, lim) };
    if (l.traceState) link.traceState = lim.text(l.traceState);
    const dropped = addCount(l.droppedAttributesCount ?? 0, lim.mapDropped);
    if (dropped) link.droppedAttributesCount = dropped;
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
function convertSpan(s: PbSpan, shared: Shared, lim: SpanLimiter, latestEnd: bigint): SpanRecord | string {
  const reason =
    checkIdBytes(s.traceId, 16, 'trace_id', false, false) ??
    checkIdBytes(s.spanId, 8, 'span_id', false, false) ??
    checkIdBytes(s.parentSpanId, 8, 'parent_span_id', true, true);
  if (reason !== null) return reason;
  const start = u64ToBigInt(s.startTimeUnixNano);
  const end = u64ToBigInt(s.endTimeUnixNano);
  const timeReason = checkTimes(start, end, latestEnd);
  if (timeReason !== null) return timeReason;

  const parent = s.parentSpanId;
  // An all-zero parent id is treated like an absent one (root span).
  const parentHex = parent != null && parent.length === 8 ? bytesToHex(parent) : null;
  const status = s.status;
  try {
    const attrs = attributes(s.attributes, lim);
    const droppedAttributes = lim.mapDropped;
    const spanEvents = events(s.events, lim);
    const spanLinks = links(s.links, lim);
    return {
      traceId: bytesToHex(s.traceId!),
      spanId: bytesToHex(s.spanId!),
      parentSpanId: parentHex === null || parentHex === '0000000000000000' ? null : parentHex,
      traceState: s.traceState ? lim.text(s.traceState) : null,
      name: lim.text(s.name ?? ''),
      kind: lim.kind(s.kind ?? 0),
      service: shared.service,
      statusCode: lim.status(status?.code ?? 0),
      statusMessage: status?.message ? lim.text(status.message) : null,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes: attrs,
      resourceAttributes: shared.resourceAttributes,
      events: spanEvents,
      links: spanLinks,
      scopeName: shared.scopeName,
      scopeVersion: shared.scopeVersion,
      // uint32 on the wire, int32 in the column: keep the bits (export reads them back unsigned).
      flags: (s.flags ?? 0) | 0,
      droppedAttributesCount: addCount(s.droppedAttributesCount ?? 0, droppedAttributes),
      droppedEventsCount: addCount(s.droppedEventsCount ?? 0, lim.droppedEvents),
      droppedLinksCount: addCount(s.droppedLinksCount ?? 0, lim.droppedLinks),
    };
  } catch (e) {
    if (e instanceof SpanRejection) return e.message;
    throw e;
  }
}

/** Scope names and versions: cleaned and cut like values, without a warning (shared by many spans). */
function scopeText(s: string | null | undefined, lim: SpanLimiter): string | null {
  if (!s) return null;
  return cleanText(s.length > lim.limits.maxValueLength ? truncateText(s, lim.limits.maxValueLength) : s);
}

/**
 * Walks resourceSpans → scopeSpans → spans. `resourceAttributes` objects are
 * shared by all spans of one resource (treat them as read-only).
 */
export function convertProtoRequest(req: PbExportTraceServiceRequest, options: ConvertOptions = {}): ConvertResult {
  const spans: SpanRecord[] = [];
  const rejected: RejectedSpan[] = [];
  const warnings: string[] = [];
  const lim = new SpanLimiter(options.limits ?? DEFAULT_INGEST_LIMITS);
  const latestEnd = latestEndNanos(options.nowMs ?? Date.now(), lim.limits.maxFutureSkewMs);
  let index = 0;
  const rss = req.resourceSpans;
  if (rss == null) return { spans, rejected, warnings };
  for (let r = 0; r < rss.length; r++) {
    const rs = rss[r];
    let resourceAttributes: AttributeMap;
    let resourceReason: string | null = null;
    lim.reset();
    try {
      resourceAttributes = attributes(rs.resource?.attributes, lim);
      const warning = lim.warning();
      if (warning !== null) warnings.push(`resource ${r}: ${warning}`);
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
        scopeName: scopeText(ss.scope?.name, lim),
        scopeVersion: scopeText(ss.scope?.version, lim),
      };
      const list = ss.spans;
      if (list == null) continue;
      for (let k = 0; k < list.length; k++, index++) {
        if (resourceReason !== null) {
          rejected.push({ index, reason: resourceReason });
          continue;
        }
        lim.reset();
        const out = convertSpan(list[k], shared, lim, latestEnd);
        if (typeof out === 'string') rejected.push({ index, reason: out });
        else {
          spans.push(out);
          const warning = lim.warning();
          if (warning !== null) warnings.push(`span ${index}: ${warning}`);
        }
      }
    }
  }
  return { spans, rejected, warnings };
}
