/**
 * One long agent run as a single trace of exactly `spans` spans, encoded as OTLP
 * protobuf requests the way plano-workload.ts encodes its batches, split over
 * `batches` requests (the root last, as exporters send it when it ends). Steps
 * nest: root → agent step → LLM call → outbound HTTP, and step → tool → tool HTTP.
 * Deterministic: the same trace id every time, so a rerun re-sends (deduplicated) spans.
 */
import { Random } from '../lib/demo/random';
import { d, encodeRequest, i, type KV, ns, type PbSpan, MODELS, s } from './plano-workload';

export type BigTrace = { traceId: string; bodies: Uint8Array<ArrayBuffer>[]; spans: number };

export function bigTrace({ spans, batches, startMs, tenant }: { spans: number; batches: number; startMs: number; tenant: string }): BigTrace {
  const rnd = new Random(5000);
  const hex = (bytes: number) => Buffer.from(rnd.hex(bytes), 'hex');
  const traceId = hex(16);
  const rootId = hex(8);
  const common: KV[] = [s('tenant.id', tenant), s('user.id', 'usr_0_1'), s('session.id', 'sess_usr_0_1_agent'), s('environment', 'production')];
  const out: { service: string; span: PbSpan }[] = [];
  const add = (service: string, span: Omit<PbSpan, 'traceId'>) => out.push({ service, span: { traceId, ...span } });
  let cursor = startMs + 1;
  for (let step = 0; out.length < spans - 1; step++) {
    const stepId = hex(8);
    const stepStart = cursor;
    const [model, provider] = rnd.pick(MODELS);
    const llmId = hex(8);
    const ttft = rnd.latencyMs(300);
    const llmMs = ttft + rnd.latencyMs(200);
    const children: [string, Omit<PbSpan, 'traceId'>][] = [
      [
        'plano(llm)',
        {
          spanId: llmId,
          parentSpanId: stepId,
          name: `chat ${model}`,
          kind: 1,
          startTimeUnixNano: ns(cursor),
          endTimeUnixNano: ns(cursor + llmMs),
          attributes: [
            ...common,
            s('llm.model', model),
            s('llm.provider', provider),
            i('llm.usage.total_tokens', rnd.int(100, 3000)),
            d('llm.usage.total_cost_usd', 0.001),
            d('llm.time_to_first_token', Number(ttft.toFixed(1))),
            s('http.status_code', '200'),
          ],
        },
      ],
      [
        'plano(outbound)',
        {
          spanId: hex(8),
          parentSpanId: llmId,
          name: 'POST /v1/chat/completions',
          kind: 3,
          startTimeUnixNano: ns(cursor + 0.2),
          endTimeUnixNano: ns(cursor + llmMs - 0.1),
          attributes: [...common, s('server.address', `api.${provider}.com`), s('http.status_code', '200')],
        },
      ],
    ];
    cursor += llmMs;
    const toolId = hex(8);
    const toolMs = rnd.latencyMs(40);
    // Every 97th tool call fails, so the waterfall has error spans to show.
    const failed = step % 97 === 96;
    children.push(
      [
        'plano(inbound)',
        {
          spanId: toolId,
          parentSpanId: stepId,
          name: `tool ${rnd.pick(['search', 'sql', 'fetch'])}`,
          kind: 1,
          startTimeUnixNano: ns(cursor),
          endTimeUnixNano: ns(cursor + toolMs),
          attributes: failed ? [...common, s('error.message', 'tool timed out')] : common,
          ...(failed ? { status: { code: 2, message: 'tool timed out' } } : {}),
        },
      ],
      [
        'plano(outbound)',
        {
          spanId: hex(8),
          parentSpanId: toolId,
          name: 'GET /tool',
          kind: 3,
          startTimeUnixNano: ns(cursor + 0.5),
          endTimeUnixNano: ns(cursor + toolMs - 0.5),
          attributes: [...common, s('http.status_code', failed ? '504' : '200')],
        },
      ],
    );
    cursor += toolMs;
    add('plano(agent)', {
      spanId: stepId,
      parentSpanId: rootId,
      name: `agent step ${step + 1}`,
      kind: 1,
      startTimeUnixNano: ns(stepStart),
      endTimeUnixNano: ns(cursor),
      attributes: common,
    });
    for (const [service, span] of children) if (out.length < spans - 1) add(service, span);
  }
  add('plano(inbound)', {
    spanId: rootId,
    name: 'POST /v1/agent/run',
    kind: 2,
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(cursor + 1),
    attributes: [...common, s('http.method', 'POST'), s('http.status_code', '200')],
  });

  const per = Math.ceil(out.length / batches);
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  for (let b = 0; b < out.length; b += per) {
    const byService = new Map<string, PbSpan[]>();
    for (const { service, span } of out.slice(b, b + per)) byService.set(service, [...(byService.get(service) ?? []), span]);
    bodies.push(new Uint8Array(encodeRequest(byService)));
  }
  return { traceId: traceId.toString('hex'), bodies, spans: out.length };
}
