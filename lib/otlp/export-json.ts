/**
 * Stored spans → OTLP/JSON ExportTraceServiceRequest, the same wire format
 * POST /v1/traces accepts, so a downloaded trace can be re-sent anywhere.
 *
 * - resourceSpans: one per distinct set of resource attributes (compared as
 *   canonical JSON, key order ignored), in order of first appearance;
 *   scopeSpans: one per (scope name, scope version) inside it.
 * - Attributes go back to `[{key, value}]` lists carrying the stored typed
 *   AnyValues unchanged (int64 as decimal strings, bytes as base64).
 * - Ids are lowercase hex, times decimal strings of epoch nanoseconds, kind and
 *   status code integers (the OTLP/JSON rules).
 *
 * Not stored, hence not exported: resource and scope dropped-attribute counts,
 * scope attributes, schema URLs, link flags.
 */
import type { AttributeMap, OtlpAnyValue, SpanEvent, SpanLink } from './span-record';

export type OtlpJsonKeyValue = { key: string; value: OtlpAnyValue };

export type OtlpJsonSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  events: { timeUnixNano: string; name: string; attributes: OtlpJsonKeyValue[]; droppedAttributesCount?: number }[];
  droppedEventsCount?: number;
  links: { traceId: string; spanId: string; traceState?: string; attributes: OtlpJsonKeyValue[]; droppedAttributesCount?: number }[];
  droppedLinksCount?: number;
  status: { code: number; message?: string };
};

export type OtlpJsonExportRequest = {
  resourceSpans: {
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeSpans: { scope: { name?: string; version?: string }; spans: OtlpJsonSpan[] }[];
  }[];
};

/** What the exporter needs of a stored span (db/queries' ExportableSpan fits). */
export type ExportSpanInput = {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  name: string;
  kind: number;
  status: { code: number; message: string | null };
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: AttributeMap;
  resourceAttributes: AttributeMap;
  events: SpanEvent[];
  links: SpanLink[];
  scope: { name: string | null; version: string | null };
  flags: number;
  droppedCounts?: { attributes: number; events: number; links: number } | null;
};

export function keyValues(map: AttributeMap): OtlpJsonKeyValue[] {
  return Object.entries(map).map(([key, value]) => ({ key, value }));
}

/** JSON with object keys sorted at every level: equal attribute maps give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function exportSpan(s: ExportSpanInput): OtlpJsonSpan {
  const out: OtlpJsonSpan = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: keyValues(s.attributes),
    events: s.events.map((e) => ({
      timeUnixNano: e.timeUnixNano,
      name: e.name,
      attributes: keyValues(e.attributes),
      ...(e.droppedAttributesCount ? { droppedAttributesCount: e.droppedAttributesCount } : {}),
    })),
    links: s.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: keyValues(l.attributes),
      ...(l.droppedAttributesCount ? { droppedAttributesCount: l.droppedAttributesCount } : {}),
    })),
    status: s.status.message ? { code: s.status.code, message: s.status.message } : { code: s.status.code },
  };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.traceState) out.traceState = s.traceState;
  // Stored as int32 (a uint32 with bit 31 set is negative in the column).
  if (s.flags) out.flags = s.flags >>> 0;
  const dropped = s.droppedCounts;
  if (dropped?.attributes) out.droppedAttributesCount = dropped.attributes;
  if (dropped?.events) out.droppedEventsCount = dropped.events;
  if (dropped?.links) out.droppedLinksCount = dropped.links;
  return out;
}

export function toOtlpJson(spans: readonly ExportSpanInput[]): OtlpJsonExportRequest {
  type ScopeGroup = { scope: { name?: string; version?: string }; spans: OtlpJsonSpan[] };
  type ResourceGroup = { resource: { attributes: OtlpJsonKeyValue[] }; scopes: Map<string, ScopeGroup> };
  const resources = new Map<string, ResourceGroup>();
  for (const s of spans) {
    const resourceKey = canonicalJson(s.resourceAttributes);
    let group = resources.get(resourceKey);
    if (!group) {
      group = { resource: { attributes: keyValues(s.resourceAttributes) }, scopes: new Map() };
      resources.set(resourceKey, group);
    }
    const scopeKey = JSON.stringify([s.scope.name, s.scope.version]);
    let scope = group.scopes.get(scopeKey);
    if (!scope) {
      const meta: ScopeGroup['scope'] = {};
      if (s.scope.name !== null) meta.name = s.scope.name;
      if (s.scope.version !== null) meta.version = s.scope.version;
      scope = { scope: meta, spans: [] };
      group.scopes.set(scopeKey, scope);
    }
    scope.spans.push(exportSpan(s));
  }
  return {
    resourceSpans: [...resources.values()].map((g) => ({ resource: g.resource, scopeSpans: [...g.scopes.values()] })),
  };
}
