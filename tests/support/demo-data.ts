/** Demo traces posted through the real ingest route, plus a flat view of them for computing expected answers. */
import { type OtlpJsonRequest, mergeRequests, planoDemoRequests } from '../../lib/demo/plano-traces';

export type FlatSpan = {
  traceId: string;
  service: string;
  name: string;
  statusCode: number;
  startNs: bigint;
  endNs: bigint;
  attrs: Record<string, string | number | boolean>;
};

export type DemoTrace = { traceId: string; startNs: bigint; endNs: bigint; spans: FlatSpan[] };

export function flattenRequests(requests: OtlpJsonRequest[]): DemoTrace[] {
  const byTrace = new Map<string, DemoTrace>();
  for (const req of requests) {
    for (const rs of req.resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name');
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const attrs: FlatSpan['attrs'] = {};
          for (const { key, value } of s.attributes) {
            attrs[key] =
              'stringValue' in value
                ? value.stringValue
                : 'intValue' in value
                  ? Number(value.intValue)
                  : 'doubleValue' in value
                    ? value.doubleValue
                    : value.boolValue;
          }
          const span: FlatSpan = {
            traceId: s.traceId,
            service: service && 'stringValue' in service.value ? service.value.stringValue : 'unknown_service',
            name: s.name,
            statusCode: s.status?.code ?? 0,
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            attrs,
          };
          const t = byTrace.get(s.traceId) ?? { traceId: s.traceId, startNs: span.startNs, endNs: span.endNs, spans: [] };
          t.spans.push(span);
          if (span.startNs < t.startNs) t.startNs = span.startNs;
          if (span.endNs > t.endNs) t.endNs = span.endNs;
          byTrace.set(s.traceId, t);
        }
      }
    }
  }
  return [...byTrace.values()];
}

/**
 * The demo traffic; `costGaps` off by default here, so every LLM span reports its cost (the suites sum reported costs),
 * and no gateway details (routes, cached tokens: suites add their own) nor Plano's session ids.
 */
export function demoRequests(traces: number, seed: number, endMs = Date.now(), hours = 2, costGaps = false): OtlpJsonRequest[] {
  return [...planoDemoRequests({ traces, seed, endMs, hours, costGaps, gatewayDetails: false, planoSessionIds: false })];
}

/** Posts the requests to /v1/traces in batches of `perBatch` traces; throws on any non-200 or rejected span. */
export async function postDemo(baseUrl: string, requests: OtlpJsonRequest[], perBatch = 25): Promise<void> {
  for (let i = 0; i < requests.length; i += perBatch) {
    const res = await fetch(`${baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mergeRequests(requests.slice(i, i + perBatch))),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text}`);
    if (text.includes('rejectedSpans')) throw new Error(`spans rejected: ${text}`);
  }
}

/** Newest-first order of the API: start desc, then trace id desc. */
export function newestFirst(a: DemoTrace, b: DemoTrace): number {
  if (a.startNs !== b.startNs) return a.startNs > b.startNs ? -1 : 1;
  return a.traceId > b.traceId ? -1 : a.traceId < b.traceId ? 1 : 0;
}
