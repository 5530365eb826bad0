/**
 * Deterministic Plano-like workload for benchmarks: 3–12 spans a trace
 * (inbound → routing → 1–3 LLM calls each with an outbound HTTP span, input and
 * output guardrails, tool spans; or a 3-span cache hit), 50 tenants with a
 * long-tail (Zipf) share of traffic, 20k users, sessions, 8 models,
 * tokens/cost/TTFT, ~2% errors (status ERROR, 5xx, error.message), and exactly a
 * week of timestamps ending at `endMs`. Produced as OTLP protobuf
 * ExportTraceServiceRequest batches of ~512 spans (a trace never straddles two),
 * one batch in memory at a time, so 10M spans stream to disk.
 */
import { Random } from '../lib/demo/random';
import { ExportTraceServiceRequest } from '../lib/otlp/proto';

export const TENANTS = Array.from({ length: 50 }, (_, i) => `tenant-${String(i + 1).padStart(2, '0')}`);
export const USERS_PER_TENANT = 400; // 50 × 400 = 20k users
export const MODELS = [
  ['gpt-4o-mini', 'openai', 0.15, 0.6],
  ['gpt-4o', 'openai', 2.5, 10],
  ['o3-mini', 'openai', 1.1, 4.4],
  ['claude-3-5-sonnet', 'anthropic', 3, 15],
  ['claude-3-5-haiku', 'anthropic', 0.8, 4],
  ['llama-3.1-70b', 'groq', 0.59, 0.79],
  ['mistral-large', 'mistral', 2, 6],
  ['gemini-1.5-pro', 'google', 1.25, 5],
] as const;

export type KV = { key: string; value: { stringValue?: string; intValue?: number; doubleValue?: number; boolValue?: boolean } };
export type PbSpan = {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId?: Buffer;
  name: string;
  kind: number;
  startTimeUnixNano: number | string;
  endTimeUnixNano: number | string;
  attributes: KV[];
  status?: { code: number; message?: string };
};

export const s = (key: string, v: string): KV => ({ key, value: { stringValue: v } });
export const i = (key: string, v: number): KV => ({ key, value: { intValue: Math.round(v) } });
export const d = (key: string, v: number): KV => ({ key, value: { doubleValue: v } });
/** Epoch ms (fractional) → OTLP nanoseconds as a decimal string (exact beyond 2^53). */
export const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** Spans grouped by service name → one encoded ExportTraceServiceRequest (one resource per service, like Plano). */
export function encodeRequest(byService: Map<string, PbSpan[]>): Uint8Array {
  const resourceSpans = [...byService.entries()].map(([service, spans]) => ({
    resource: { attributes: [s('service.name', service), s('deployment.environment', 'production'), s('service.version', '2.1.0')] },
    scopeSpans: [{ scope: { name: 'plano', version: '2.1.0' }, spans }],
  }));
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans })).finish();
}

/** Zipf-like pick: tenant k gets weight 1/k. */
function zipfTable(n: number): number[] {
  const w = Array.from({ length: n }, (_, k) => 1 / (k + 1));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
}

export type WorkloadOptions = { totalSpans: number; seed: number; endMs: number; days: number; spansPerBatch: number };

/** Yields encoded protobuf batches and their span counts until `totalSpans` spans were produced. */
export function* planoWorkload(opts: WorkloadOptions): Generator<{ body: Uint8Array; spans: number }> {
  const rnd = new Random(opts.seed);
  const cdf = zipfTable(TENANTS.length);
  const spanMs = opts.days * 86_400_000;
  const startMs = opts.endMs - spanMs;
  // Traces arrive roughly in time order, like a live gateway: the start follows the
  // share of spans produced so far (plus jitter of about one trace), so the data
  // covers exactly [endMs - days, endMs) whatever the average trace size is.
  const jitterMs = spanMs / Math.max(1, opts.totalSpans / 7);
  let produced = 0;
  let batch: Map<string, PbSpan[]> = new Map();
  let batchSpans = 0;
  const hex = (bytes: number) => Buffer.from(rnd.hex(bytes), 'hex');

  const flush = () => {
    const out = { body: encodeRequest(batch), spans: batchSpans };
    batch = new Map();
    batchSpans = 0;
    return out;
  };
  const add = (service: string, span: PbSpan) => {
    const list = batch.get(service) ?? [];
    list.push(span);
    batch.set(service, list);
    batchSpans++;
    produced++;
  };

  while (produced < opts.totalSpans) {
    const clockMs = Math.min(opts.endMs - 60_000, startMs + (produced / opts.totalSpans) * spanMs + jitterMs * rnd.next());
    const r = rnd.next();
    const t = Math.max(
      0,
      cdf.findIndex((c) => r <= c),
    );
    const tenant = TENANTS[t];
    const user = `usr_${t}_${rnd.int(1, USERS_PER_TENANT)}`;
    const session = `sess_${user}_${rnd.int(1, 6)}`;
    const traceId = hex(16);
    const common = [s('tenant.id', tenant), s('user.id', user), s('session.id', session), s('environment', 'production'), s('request.id', rnd.hex(8))];
    const failed = rnd.next() < 0.02;
    const status = failed ? rnd.pick([500, 502, 503, 504]) : rnd.next() < 0.03 ? 429 : 200;
    // A semantic-cache hit answers without an upstream call: root, routing, one LLM span (3 spans).
    const cacheHit = !failed && status === 200 && rnd.next() < 0.05;
    const llmCalls = cacheHit ? 1 : rnd.int(1, 3);
    const rootId = hex(8);
    const t0 = clockMs;
    let cursor = t0 + 0.5;
    const routing = rnd.latencyMs(3, 0.4);
    // Span count: root + routing + [input guardrail] + calls × (LLM + outbound) + [tools between calls]
    // + [output guardrail] = 4..12, or 3 for a cache hit.
    add('plano(routing)', {
      traceId,
      spanId: hex(8),
      parentSpanId: rootId,
      name: 'route',
      kind: 1,
      startTimeUnixNano: ns(cursor),
      endTimeUnixNano: ns(cursor + routing),
      attributes: [...common, s('routing.strategy', 'model_alias')],
    });
    cursor += routing;
    if (!cacheHit && rnd.next() < 0.5) {
      const g = rnd.latencyMs(8, 0.5);
      add('plano(inbound)', {
        traceId,
        spanId: hex(8),
        parentSpanId: rootId,
        name: 'guardrail jailbreak',
        kind: 1,
        startTimeUnixNano: ns(cursor),
        endTimeUnixNano: ns(cursor + g),
        attributes: [...common, s('guardrail.result', 'pass')],
      });
      cursor += g;
    }
    for (let c = 0; c < llmCalls; c++) {
      const [model, provider, inP, outP] = rnd.pick(MODELS);
      const prompt = rnd.int(50, 4000);
      const completion = failed ? 0 : rnd.int(10, 1200);
      const ttft = cacheHit ? rnd.latencyMs(15, 0.3) : rnd.latencyMs(model.includes('mini') || model.includes('haiku') ? 250 : 600);
      const llmMs = failed ? rnd.latencyMs(2000) : cacheHit ? ttft + 2 : ttft + completion * rnd.latencyMs(10, 0.3);
      const llmId = hex(8);
      const attrs = [
        ...common,
        s('llm.model', model),
        s('llm.provider', provider),
        i('llm.usage.prompt_tokens', prompt),
        i('llm.usage.completion_tokens', completion),
        i('llm.usage.total_tokens', prompt + completion),
        d('llm.usage.total_cost_usd', cacheHit ? 0 : Number(((prompt * inP + completion * outP) / 1e6).toFixed(6))),
        d('llm.time_to_first_token', Number(ttft.toFixed(1))),
        s('http.status_code', String(status)),
        ...(cacheHit ? [s('llm.cache', 'hit')] : []),
        ...(failed ? [s('error.message', `${provider} returned ${status}`)] : []),
      ];
      add('plano(llm)', {
        traceId,
        spanId: llmId,
        parentSpanId: rootId,
        name: `chat ${model}`,
        kind: 1,
        startTimeUnixNano: ns(cursor),
        endTimeUnixNano: ns(cursor + llmMs),
        attributes: attrs,
        ...(failed ? { status: { code: 2, message: `upstream ${status}` } } : {}),
      });
      if (!cacheHit) {
        add('plano(outbound)', {
          traceId,
          spanId: hex(8),
          parentSpanId: llmId,
          name: 'POST /v1/chat/completions',
          kind: 3,
          startTimeUnixNano: ns(cursor + 0.2),
          endTimeUnixNano: ns(cursor + llmMs - 0.1),
          attributes: [...common, s('server.address', `api.${provider}.com`), s('http.status_code', String(status))],
        });
      }
      cursor += llmMs;
      if (c < llmCalls - 1 && rnd.next() < 0.6) {
        const tool = rnd.latencyMs(40, 0.8);
        add('plano(inbound)', {
          traceId,
          spanId: hex(8),
          parentSpanId: rootId,
          name: `🔧 tool ${rnd.pick(['search', 'weather', 'sql', 'calendar'])}`,
          kind: 1,
          startTimeUnixNano: ns(cursor),
          endTimeUnixNano: ns(cursor + tool),
          attributes: common,
        });
        cursor += tool;
      }
    }
    if (!cacheHit && !failed && rnd.next() < 0.3) {
      const g = rnd.latencyMs(6, 0.5);
      add('plano(inbound)', {
        traceId,
        spanId: hex(8),
        parentSpanId: rootId,
        name: 'guardrail output',
        kind: 1,
        startTimeUnixNano: ns(cursor),
        endTimeUnixNano: ns(cursor + g),
        attributes: [...common, s('guardrail.result', 'pass')],
      });
      cursor += g;
    }
    add('plano(inbound)', {
      traceId,
      spanId: rootId,
      name: 'POST /v1/chat/completions',
      kind: 2,
      startTimeUnixNano: ns(t0),
      endTimeUnixNano: ns(cursor + 0.7),
      attributes: [...common, s('http.method', 'POST'), s('http.status_code', String(status))],
      ...(status >= 500 ? { status: { code: 2, message: `upstream ${status}` } } : {}),
    });
    if (batchSpans >= opts.spansPerBatch) yield flush();
  }
  if (batchSpans > 0) yield flush();
}
