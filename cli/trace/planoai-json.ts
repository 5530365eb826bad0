/**
 * `--json` output in planoai's shape: `{"traces": [{trace_id, spans: [...]}]}`
 * or `{"trace_ids": [...]}`. Each span is the dict planoai's listener keeps
 * (camelCase OTLP ids and times, `service`, attributes as an OTLP key/value list);
 * Tracedeck adds `share_url` per trace. Pure.
 */
import type { StoredSpan } from '../../lib/trace/wire';
import type { OtlpAnyValue } from '../../lib/otlp/span-record';
import { globMatch } from './attributes';

export type PlanoaiSpan = {
  traceId: string;
  spanId: string;
  /** "" for a root span, as planoai writes it. */
  parentSpanId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  service: string;
  attributes: { key: string; value: OtlpAnyValue }[];
};

export type PlanoaiTrace = { trace_id: string; spans: PlanoaiSpan[]; share_url?: string };
export type PlanoaiTracesJson = { traces: PlanoaiTrace[] };
export type PlanoaiTraceIdsJson = { trace_ids: string[] };

export function toPlanoaiSpan(span: StoredSpan, patterns: readonly string[] = []): PlanoaiSpan {
  const attributes = Object.entries(span.attributes)
    .filter(([key]) => patterns.length === 0 || patterns.some((p) => globMatch(key, p)))
    .map(([key, value]) => ({ key, value }));
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    name: span.name,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    service: span.service,
    attributes,
  };
}

export function toPlanoaiTrace(
  trace: { traceId: string; spans: readonly StoredSpan[] },
  { patterns = [], shareUrl }: { patterns?: readonly string[]; shareUrl?: string } = {},
): PlanoaiTrace {
  const spans = [...trace.spans]
    .sort((a, b) => {
      const d = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    })
    .map((s) => toPlanoaiSpan(s, patterns));
  return { trace_id: trace.traceId, spans, ...(shareUrl ? { share_url: shareUrl } : {}) };
}

/** Pretty-printed like planoai's `console.print_json` (two-space indent). */
export function formatJson(value: PlanoaiTracesJson | PlanoaiTraceIdsJson): string {
  return JSON.stringify(value, null, 2);
}
