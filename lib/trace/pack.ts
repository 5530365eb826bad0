/**
 * A compact form of a trace's spans for the page's server → browser payload.
 * The payload is inlined in the HTML and parsed by the browser before the rows
 * show, so its size is time-to-first-rows for big traces (a 5,000-span trace is
 * 2.7 MB as StoredSpan JSON, about 0.7 MB packed):
 *
 * - each span is a tuple, not an object with repeated keys;
 * - what groups of spans repeat (tenant, service, resource attributes, scope)
 *   is sent once per group;
 * - times are decimal-string nanosecond offsets from the trace's first start
 *   (exact: they are re-added as bigint), durationMs is recomputed;
 * - empty events/links, null trace state and zero flags are left out.
 *
 * unpackSpans(packSpans(x)) deep-equals x.
 */
import type { StoredSpan } from './wire';

export type SpanGroup = Pick<StoredSpan, 'tenantId' | 'service' | 'resourceAttributes' | 'scope'>;

/** The rarely-set fields, present only when one of them is. */
export type PackedExtra = { events?: StoredSpan['events']; links?: StoredSpan['links']; traceState?: string; flags?: number };

export type PackedSpan = [
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: number,
  group: number,
  statusCode: number,
  statusMessage: string | null,
  /** Nanoseconds after PackedTrace.baseNs (decimal). */
  startOffsetNs: string,
  /** end - start in nanoseconds (decimal; negative if the span ends before it starts). */
  durationNs: string,
  attributes: StoredSpan['attributes'],
  extra?: PackedExtra,
];

export type PackedTrace = { traceId: string; baseNs: string; groups: SpanGroup[]; spans: PackedSpan[] };

export function packSpans(traceId: string, spans: readonly StoredSpan[]): PackedTrace {
  const groups: SpanGroup[] = [];
  const groupIndex = new Map<string, number>();
  let base: bigint | null = null;
  for (const s of spans) {
    const start = BigInt(s.startTimeUnixNano);
    if (base === null || start < base) base = start;
  }
  const baseNs = base ?? 0n;
  const packed = spans.map((s): PackedSpan => {
    if (s.traceId !== traceId) throw new Error(`span ${s.spanId} belongs to trace ${s.traceId}, not ${traceId}`);
    const key = JSON.stringify([s.tenantId, s.service, s.resourceAttributes, s.scope.name, s.scope.version]);
    let group = groupIndex.get(key);
    if (group === undefined) {
      group = groups.length;
      groups.push({ tenantId: s.tenantId, service: s.service, resourceAttributes: s.resourceAttributes, scope: s.scope });
      groupIndex.set(key, group);
    }
    const start = BigInt(s.startTimeUnixNano);
    const tuple: PackedSpan = [
      s.spanId,
      s.parentSpanId,
      s.name,
      s.kind,
      group,
      s.status.code,
      s.status.message,
      (start - baseNs).toString(),
      (BigInt(s.endTimeUnixNano) - start).toString(),
      s.attributes,
    ];
    const extra: PackedExtra = {};
    if (s.events.length) extra.events = s.events;
    if (s.links.length) extra.links = s.links;
    if (s.traceState !== null) extra.traceState = s.traceState;
    if (s.flags !== 0) extra.flags = s.flags;
    if (Object.keys(extra).length) tuple.push(extra);
    return tuple;
  });
  return { traceId, baseNs: baseNs.toString(), groups, spans: packed };
}

export function unpackSpans(trace: PackedTrace): StoredSpan[] {
  const base = BigInt(trace.baseNs);
  return trace.spans.map(([spanId, parentSpanId, name, kind, group, statusCode, statusMessage, startOffsetNs, durationNs, attributes, extra]) => {
    const g = trace.groups[group];
    const start = base + BigInt(startOffsetNs);
    const duration = BigInt(durationNs);
    return {
      traceId: trace.traceId,
      spanId,
      parentSpanId,
      traceState: extra?.traceState ?? null,
      tenantId: g.tenantId,
      name,
      kind,
      service: g.service,
      status: { code: statusCode, message: statusMessage },
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + duration).toString(),
      durationMs: Number(duration) / 1e6,
      attributes,
      resourceAttributes: g.resourceAttributes,
      events: extra?.events ?? [],
      links: extra?.links ?? [],
      scope: g.scope,
      flags: extra?.flags ?? 0,
    };
  });
}
