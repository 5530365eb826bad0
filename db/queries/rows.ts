/** Row → API JSON mapping shared by the query functions. Times stay exact as decimal strings. */
import type { AttributeMap, SpanEvent, SpanLink } from '../../lib/otlp/span-record';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';

type Int8 = bigint | number | string;
const nsString = (v: Int8) => BigInt(v).toString();
const nsToMs = (v: Int8) => Number(BigInt(v)) / 1e6;
const numOrNull = (v: Int8 | null | undefined) => (v === null || v === undefined ? null : Number(v));

export type TraceRow = {
  trace_id: string; tenant_id: string; start_ns: Int8; end_ns: Int8; duration_ns: Int8;
  root_name: string | null; root_service: string | null; span_count: Int8; error_count: Int8;
  user_id: string | null; session_id: string | null; llm_model: string | null; http_status_code: Int8 | null;
  prompt_tokens: Int8 | null; completion_tokens: Int8 | null; total_tokens: Int8 | null; cost_usd: number | null;
};

export function traceSummaryFromRow(r: TraceRow): TraceSummary {
  return {
    traceId: r.trace_id,
    tenantId: r.tenant_id,
    startTimeUnixNano: nsString(r.start_ns),
    endTimeUnixNano: nsString(r.end_ns),
    durationMs: nsToMs(r.duration_ns),
    rootName: r.root_name,
    rootService: r.root_service,
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    userId: r.user_id,
    sessionId: r.session_id,
    llmModel: r.llm_model,
    httpStatusCode: numOrNull(r.http_status_code),
    promptTokens: numOrNull(r.prompt_tokens),
    completionTokens: numOrNull(r.completion_tokens),
    totalTokens: numOrNull(r.total_tokens),
    costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
  };
}

export type SpanRow = {
  trace_id: string; span_id: string; parent_span_id: string | null; trace_state: string | null; tenant_id: string;
  name: string; kind: Int8; service: string; status_code: Int8; status_message: string | null;
  start_ns: Int8; end_ns: Int8; duration_ns: Int8; attributes: AttributeMap; resource_attributes: AttributeMap;
  events: SpanEvent[]; links: SpanLink[]; scope_name: string | null; scope_version: string | null; flags: Int8;
};

export function storedSpanFromRow(r: SpanRow): StoredSpan {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    traceState: r.trace_state,
    tenantId: r.tenant_id,
    name: r.name,
    kind: Number(r.kind),
    service: r.service,
    status: { code: Number(r.status_code), message: r.status_message },
    startTimeUnixNano: nsString(r.start_ns),
    endTimeUnixNano: nsString(r.end_ns),
    durationMs: nsToMs(r.duration_ns),
    attributes: r.attributes,
    resourceAttributes: r.resource_attributes,
    events: r.events,
    links: r.links,
    scope: { name: r.scope_name, version: r.scope_version },
    flags: Number(r.flags),
  };
}
