/** A hand-built Plano-like trace for the CLI's rendering tests. */
import type { StoredSpan, TraceSummary } from '../../../lib/trace/wire';
import type { AttributeMap } from '../../../lib/otlp/span-record';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** 2026-01-02T03:04:05.000Z */
export const T0 = 1767323045000000000n;

const s = (value: string) => ({ stringValue: value });

export function span(
  spanId: string,
  parentSpanId: string | null,
  service: string,
  name: string,
  startMs: number,
  endMs: number,
  attributes: AttributeMap,
  extra: Partial<StoredSpan> = {},
): StoredSpan {
  const start = T0 + BigInt(Math.round(startMs * 1e6));
  const end = T0 + BigInt(Math.round(endMs * 1e6));
  return {
    traceId: TRACE_ID,
    spanId,
    parentSpanId,
    traceState: null,
    tenantId: 'acme-corp',
    name,
    kind: 1,
    service,
    status: { code: 0, message: null },
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    durationMs: endMs - startMs,
    attributes,
    resourceAttributes: { 'service.name': s(service), 'deployment.environment': s('production') },
    events: [],
    links: [],
    scope: { name: 'plano', version: '2.1.0' },
    flags: 0,
    ...extra,
  };
}

/** inbound → routing, inbound → llm → outbound; the LLM call fails with 502. Given out of order on purpose. */
export function failedTrace(): { traceId: string; spans: StoredSpan[] } {
  const common = { 'tenant.id': s('acme-corp'), 'user.id': s('usr_1') };
  const outbound = span('d000000000000004', 'c000000000000003', 'plano(outbound)', 'POST /v1/chat/completions', 12.6, 1510.2, {
    ...common,
    'http.method': s('POST'),
    'server.address': s('api.openai.com'),
    'http.status_code': s('502'),
  });
  const llm = span(
    'c000000000000003',
    'a000000000000001',
    'plano(llm)',
    'chat gpt-4o',
    12.3,
    1510.4,
    {
      ...common,
      'llm.model': s('gpt-4o'),
      'llm.usage.total_tokens': { intValue: '1234' },
      'llm.usage.total_cost_usd': { doubleValue: 0.0123 },
      'llm.is_streaming': { boolValue: false },
      'http.status_code': s('502'),
      'error.message': s('openai returned 500: internal server error'),
    },
    { status: { code: 2, message: 'openai returned 500: internal server error' } },
  );
  const routing = span('b000000000000002', 'a000000000000001', 'plano(routing)', 'route', 0.4, 3.9, { ...common, 'routing.strategy': s('model_alias') });
  const inbound = span('a000000000000001', null, 'plano(inbound)', 'POST /v1/chat/completions', 0, 1511.3, {
    ...common,
    'http.method': s('POST'),
    'http.target': s('/v1/chat/completions'),
    'http.status_code': s('502'),
    'service.name.override': s('gateway'),
  });
  return { traceId: TRACE_ID, spans: [outbound, llm, inbound, routing] };
}

export function summary(overrides: Partial<TraceSummary> = {}): TraceSummary {
  return {
    traceId: TRACE_ID,
    tenantId: 'acme-corp',
    startTimeUnixNano: T0.toString(),
    endTimeUnixNano: (T0 + 1_511_300_000n).toString(),
    durationMs: 1511.3,
    rootName: 'POST /v1/chat/completions',
    rootService: 'plano(inbound)',
    spanCount: 4,
    errorCount: 1,
    userId: 'usr_1',
    sessionId: null,
    llmModel: 'gpt-4o',
    httpStatusCode: 502,
    promptTokens: null,
    completionTokens: null,
    totalTokens: 1234,
    costUsd: 0.0123,
    ...overrides,
  };
}
