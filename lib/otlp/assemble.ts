/**
 * The one step where the ingest limits are enforced, for both wire formats.
 *
 * ./convert-proto.ts and ./convert-json.ts only read their encoding: each turns an
 * attribute, event, link or span into the same wire-neutral values (AttributeSlot,
 * WireEvent, WireLink, WireSpan) and hands them here. How many attributes a map keeps,
 * which keys are too long, how many events and links a span keeps and what counts as
 * dropped, which problem rejects a span and which one wins, how far in the future a
 * span may end, what becomes a warning: all of it is decided in this file, and strings,
 * bytes, nesting and enums go through the one SpanLimiter of ./limits.ts.
 */
import { SpanRejection, UNKNOWN_SERVICE, checkTimes, depthRejection, earliestStartNanos, latestEndNanos, setAttr } from './common';
import { DEFAULT_INGEST_LIMITS, type IngestLimits, SpanLimiter, TOO_DEEP, addCount, cleanText } from './limits';
import type { AttributeMap, OtlpAnyValue, RejectedSpan, SpanEvent, SpanLink, SpanRecord } from './span-record';

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

// ---------------------------------------------------------------------------
// Attribute maps
// ---------------------------------------------------------------------------

/** One attribute as a converter reads it: the key as sent, the value converted (strings through SpanLimiter.text). */
export type AttributeSlot = { key: string; value: OtlpAnyValue };

/**
 * Reads entry `i` of a wire attribute list into `slot`; false for an entry to skip (a JSON null).
 * Sets `slot.key` before converting the value, so that a value nested too deeply is named by its key.
 */
export type ReadAttribute<E> = (entry: E, i: number, slot: AttributeSlot, lim: SpanLimiter) => boolean;

/**
 * One attribute map (span, resource, event or link) under the count and key-length limits.
 * `lim.mapDropped` is left at the number of attributes left out, for the owner's droppedAttributesCount.
 * Throws SpanRejection when a value nests too deeply.
 */
export function limitAttributes<E>(list: readonly E[] | null | undefined, read: ReadAttribute<E>, lim: SpanLimiter): AttributeMap {
  const map: AttributeMap = {};
  lim.mapDropped = 0;
  if (list == null) return map;
  const max = lim.limits.maxAttributes;
  // Under the limit no key can be dropped, so only longer lists pay for the bookkeeping.
  const capped = list.length > max;
  const slot: AttributeSlot = { key: '', value: {} };
  let size = 0;
  let dropped = 0;
  for (let i = 0; i < list.length; i++) {
    // Converted (so type- and depth-checked) even when it is then dropped; only the
    // truncations of what is kept are reported.
    const truncatedBefore = lim.truncated;
    try {
      if (!read(list[i], i, slot, lim)) continue;
    } catch (e) {
      if (e === TOO_DEEP) throw depthRejection(cleanText(slot.key), lim.limits.maxDepth);
      throw e;
    }
    if (lim.keyTooLong(slot.key)) {
      lim.truncated = truncatedBefore;
      dropped++;
      continue;
    }
    const key = cleanText(slot.key);
    if (capped && !Object.prototype.hasOwnProperty.call(map, key)) {
      if (size >= max) {
        lim.truncated = truncatedBefore;
        dropped++;
        lim.overCount++;
        continue;
      }
      size++;
    }
    setAttr(map, key, slot.value);
  }
  lim.mapDropped = dropped;
  return map;
}

// ---------------------------------------------------------------------------
// Events and links
// ---------------------------------------------------------------------------

/** An event as a converter reads it: attributes already through limitAttributes, the name as sent. */
export type WireEvent = {
  timeUnixNano: string;
  name: string;
  attributes: AttributeMap;
  /** What limitAttributes left out of `attributes`. */
  attributesDropped: number;
  /** As sent. */
  droppedAttributesCount: number;
};

/** A link as a converter reads it: ids in lowercase hex once checked, attributes through limitAttributes. */
export type WireLink = {
  /** The first problem with its trace_id or span_id, or null. */
  idReason: string | null;
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: AttributeMap;
  attributesDropped: number;
  droppedAttributesCount: number;
};

/** Reads entry `i` of a wire list. */
export type ReadItem<E, W> = (entry: E, i: number, lim: SpanLimiter) => W;

/**
 * A span's events under maxEvents: the first ones are kept, the rest counted in lim.droppedEvents.
 * `checkDropped`: read the dropped ones too, for the type errors that fail a JSON request wherever they are.
 */
export function limitEvents<E>(list: readonly E[] | null | undefined, read: ReadItem<E, WireEvent>, lim: SpanLimiter, checkDropped = false): SpanEvent[] {
  if (list == null || list.length === 0) return [];
  const events = keepFirst(list, lim.limits.maxEvents, read, eventRecord, lim, checkDropped);
  lim.droppedEvents = list.length - events.length;
  return events;
}

/** A span's links under maxLinks, as limitEvents; a bad id in a kept link rejects the span. */
export function limitLinks<E>(list: readonly E[] | null | undefined, read: ReadItem<E, WireLink>, lim: SpanLimiter, checkDropped = false): SpanLink[] {
  if (list == null || list.length === 0) return [];
  const links = keepFirst(list, lim.limits.maxLinks, read, linkRecord, lim, checkDropped);
  lim.droppedLinks = list.length - links.length;
  return links;
}

function keepFirst<E, W, T>(
  list: readonly E[],
  max: number,
  read: ReadItem<E, W>,
  finish: (wire: W, i: number, lim: SpanLimiter) => T,
  lim: SpanLimiter,
  checkDropped: boolean,
): T[] {
  const n = Math.min(list.length, max);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = finish(read(list[i], i, lim), i, lim);
  if (checkDropped && list.length > n) {
    // Read for their type errors only: what the limits would cut in them, or a reason to
    // reject, does not count (hence a limiter of their own).
    const scratch = new SpanLimiter(lim.limits);
    for (let i = n; i < list.length; i++) {
      try {
        read(list[i], i, scratch);
      } catch (e) {
        if (!(e instanceof SpanRejection)) throw e;
      }
    }
  }
  return out;
}

function eventRecord(w: WireEvent, _i: number, lim: SpanLimiter): SpanEvent {
  const ev: SpanEvent = { timeUnixNano: w.timeUnixNano, name: lim.text(w.name), attributes: w.attributes };
  const dropped = addCount(w.droppedAttributesCount, w.attributesDropped);
  if (dropped !== 0) ev.droppedAttributesCount = dropped;
  return ev;
}

function linkRecord(w: WireLink, i: number, lim: SpanLimiter): SpanLink {
  if (w.idReason !== null) throw new SpanRejection(`link ${i}: ${w.idReason}`);
  const link: SpanLink = { traceId: w.traceId, spanId: w.spanId, attributes: w.attributes };
  if (w.traceState !== '') link.traceState = lim.text(w.traceState);
  const dropped = addCount(w.droppedAttributesCount, w.attributesDropped);
  if (dropped !== 0) link.droppedAttributesCount = dropped;
  return link;
}

// ---------------------------------------------------------------------------
// Spans
// ---------------------------------------------------------------------------

/** A span as a converter reads it: ids checked in the wire's own encoding, strings and enums as sent. */
export type WireSpan = {
  /** The first problem with trace_id, span_id or parent_span_id, or null. */
  idReason: string | null;
  /** Lowercase hex (meaningful when idReason is null); parentSpanId '' when absent. */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  /** uint32 as sent. */
  flags: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  statusCode: number;
  statusMessage: string;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  /** Filled by fillNested. */
  attributes: AttributeMap;
  attributesDropped: number;
  events: SpanEvent[];
  links: SpanLink[];
  nestedReason: string | null;
};

/** Fills a span's attributes, events and links (through the limiters above) into the WireSpan. */
export type ReadNested<S> = (w: WireSpan, source: S, lim: SpanLimiter) => void;

/**
 * Runs `readNested` into `w`. A rejection there (an attribute nested too deeply, a bad link id)
 * becomes w.nestedReason, which ranks after the id and time problems.
 */
function fillNested<S>(w: WireSpan, source: S, lim: SpanLimiter, readNested: ReadNested<S>): void {
  try {
    readNested(w, source, lim);
  } catch (e) {
    if (!(e instanceof SpanRejection)) throw e;
    w.nestedReason = e.message;
  }
}

const ZERO_SPAN_ID = '0000000000000000';

/** The stored record, or the reason the span is rejected. */
type TimeWindow = { latestEnd: bigint; earliestStart: bigint };

function limitSpan(w: WireSpan, scope: SpanScope, lim: SpanLimiter, window: TimeWindow): SpanRecord | string {
  const reason = w.idReason ?? checkTimes(w.startTimeUnixNano, w.endTimeUnixNano, window.latestEnd, window.earliestStart) ?? w.nestedReason;
  if (reason !== null) return reason;
  const parent = w.parentSpanId;
  return {
    traceId: w.traceId,
    spanId: w.spanId,
    // An all-zero parent id is treated like an absent one (root span).
    parentSpanId: parent === '' || parent === ZERO_SPAN_ID ? null : parent,
    traceState: w.traceState ? lim.text(w.traceState) : null,
    name: lim.text(w.name),
    kind: lim.kind(w.kind),
    service: scope.resource.service,
    statusCode: lim.status(w.statusCode),
    statusMessage: w.statusMessage ? lim.text(w.statusMessage) : null,
    startTimeUnixNano: w.startTimeUnixNano,
    endTimeUnixNano: w.endTimeUnixNano,
    attributes: w.attributes,
    resourceAttributes: scope.resource.attributes,
    events: w.events,
    links: w.links,
    scopeName: scope.scopeName,
    scopeVersion: scope.scopeVersion,
    // uint32 on the wire, int32 in the column: keep the bits (export reads them back unsigned).
    flags: w.flags | 0,
    droppedAttributesCount: addCount(w.droppedAttributesCount, w.attributesDropped),
    droppedEventsCount: addCount(w.droppedEventsCount, lim.droppedEvents),
    droppedLinksCount: addCount(w.droppedLinksCount, lim.droppedLinks),
  };
}

// ---------------------------------------------------------------------------
// The request: resources, scopes, span indices, rejections and warnings
// ---------------------------------------------------------------------------

/** What the spans of one resource share. `attributes` is shared by all of them (read-only). */
export type ResourceContext = { service: string; attributes: AttributeMap; reason: string | null };
export type SpanScope = { resource: ResourceContext; scopeName: string | null; scopeVersion: string | null };

/** Collects one request's spans, rejections and warnings while a converter walks it. */
export class ExportAssembly {
  private readonly lim: SpanLimiter;
  /** The latest acceptable end time (the server clock plus maxFutureSkewMs) and earliest start (minus maxAgeMs). */
  private readonly window: TimeWindow;
  private readonly result: ConvertResult = { spans: [], rejected: [], warnings: [] };
  /** Position of the next span in the flattened request. */
  private index = 0;

  constructor(options: ConvertOptions) {
    this.lim = new SpanLimiter(options.limits ?? DEFAULT_INGEST_LIMITS);
    const nowMs = options.nowMs ?? Date.now();
    this.window = { latestEnd: latestEndNanos(nowMs, this.lim.limits.maxFutureSkewMs), earliestStart: earliestStartNanos(nowMs, this.lim.limits.maxAgeMs) };
  }

  /** Resource number `r` from its attribute list; a rejection there rejects each of its spans. */
  resource<E>(r: number, list: readonly E[] | null | undefined, read: ReadAttribute<E>): ResourceContext {
    this.lim.reset();
    try {
      const attributes = limitAttributes(list, read, this.lim);
      this.warn(`resource ${r}`);
      const svc = attributes['service.name'];
      const service = svc !== undefined && 'stringValue' in svc && svc.stringValue !== '' ? svc.stringValue : UNKNOWN_SERVICE;
      return { service, attributes, reason: null };
    } catch (e) {
      if (!(e instanceof SpanRejection)) throw e;
      return { service: UNKNOWN_SERVICE, attributes: {}, reason: `resource ${e.message}` };
    }
  }

  scope(resource: ResourceContext, name: string | null | undefined, version: string | null | undefined): SpanScope {
    return { resource, scopeName: this.lim.scopeText(name), scopeVersion: this.lim.scopeText(version) };
  }

  /** Limits one span a converter has read (`readNested` reads its attributes, events and links from `source`) and records it. */
  span<S>(scope: SpanScope, w: WireSpan, source: S, readNested: ReadNested<S>): void {
    // The limiter counts what is cut from this span alone.
    this.lim.reset();
    fillNested(w, source, this.lim, readNested);
    this.record(scope, limitSpan(w, scope, this.lim, this.window));
  }

  /** Records a span that could not be read at all (a JSON null). */
  unreadableSpan(scope: SpanScope, reason: string): void {
    this.record(scope, reason);
  }

  finish(): ConvertResult {
    return this.result;
  }

  private record(scope: SpanScope, out: SpanRecord | string): void {
    const index = this.index++;
    if (scope.resource.reason !== null) out = scope.resource.reason;
    if (typeof out === 'string') this.result.rejected.push({ index, reason: out });
    else {
      this.result.spans.push(out);
      this.warn(`span ${index}`);
    }
  }

  private warn(subject: string): void {
    const warning = this.lim.warning();
    if (warning !== null) this.result.warnings.push(`${subject}: ${warning}`);
  }
}
