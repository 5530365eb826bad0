/**
 * Chat messages for the demo's plano(llm) spans, so the span panel's chat view has
 * something to show on a fresh install:
 * - every call carries Plano's `llm.user_message_preview` (the question, truncated as Plano does);
 * - about half are agent turns with tools: `llm.tools`, and the OpenTelemetry GenAI
 *   `gen_ai.system_instructions` / `gen_ai.input.messages` / `gen_ai.output.messages` with a
 *   tool call, its result (one long enough to be folded) and the answer, or a new tool call;
 * - some more are plain chats with GenAI messages and no tools.
 * Drawn from their own generator seeded by the trace id, so adding them left the rest of
 * the seeded traffic (tenants, models, errors) exactly as it was.
 */
import { Random } from './random';

type StringAttribute = { key: string; value: { stringValue: string } };

const str = (key: string, value: string): StringAttribute => ({ key, value: { stringValue: value } });

/** Plano cuts the preview; the demo does the same at this length. */
const PREVIEW_CHARS = 60;

type Scenario = { question: string; tool: string; args: Record<string, unknown>; result: string; answer: string };

const DOCS_RESULT = Array.from(
  { length: 18 },
  (_, i) =>
    `[${i + 1}] tracing.md §${i + 2}: set tracing.random_sampling and tracing.opentracing_grpc_endpoint; spans carry x-katanemo-* headers as attributes.`,
).join('\n');

const SCENARIOS: Scenario[] = [
  {
    question: 'What is the weather in Paris right now, and do I need an umbrella this afternoon?',
    tool: 'get_weather',
    args: { city: 'Paris', unit: 'celsius' },
    result: '{"city":"Paris","temperature":14,"conditions":"light rain","precipitation_probability":0.8}',
    answer: 'It is 14 °C with light rain in Paris, and an 80% chance of rain this afternoon: take an umbrella.',
  },
  {
    question: 'Where is my order A-10293? It was supposed to arrive on Monday.',
    tool: 'lookup_order',
    args: { order_id: 'A-10293' },
    result: '{"order_id":"A-10293","status":"in_transit","carrier":"DHL","eta":"Thursday"}',
    answer: 'Order A-10293 is in transit with DHL and should arrive on Thursday.',
  },
  {
    question: 'How do I send Plano traces to my own OpenTelemetry collector with sampling at 20%?',
    tool: 'search_docs',
    args: { query: 'plano tracing sampling collector', top_k: 18 },
    result: DOCS_RESULT,
    answer: 'Set `tracing.random_sampling: 20` and point `tracing.opentracing_grpc_endpoint` at your collector (see tracing.md).',
  },
  {
    question: 'Book a 30 minute call with Dana and Lee tomorrow at 10am about the Q3 roadmap.',
    tool: 'create_event',
    args: { title: 'Q3 roadmap', start: '2026-12-08T10:00:00Z', duration_minutes: 30, attendees: ['dana@acme.test', 'lee@acme.test'] },
    result: '{"event_id":"evt_8812","status":"confirmed"}',
    answer: 'Done: "Q3 roadmap" is booked tomorrow at 10:00 for 30 minutes with Dana and Lee.',
  },
];

const CHATS = [
  'Summarize this support ticket in two sentences for the on-call engineer.',
  'Translate "the deployment is paused until further notice" into German and French.',
  'Write a haiku about latency percentiles.',
];

const TOOLS = ['get_weather', 'lookup_order', 'search_docs', 'create_event'];

const text = (content: string) => ({ type: 'text', content });

function toolTurn(rnd: Random, s: Scenario, callId: string): StringAttribute[] {
  const input = [
    { role: 'user', parts: [text(s.question)] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name: s.tool, arguments: s.args }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: callId, response: s.result }] },
  ];
  // Some calls end on the tool call itself (the agent runs the tool and calls again).
  const firstLeg = rnd.next() < 0.3;
  const output = firstLeg
    ? [{ role: 'assistant', parts: [{ type: 'tool_call', id: callId, name: s.tool, arguments: s.args }], finish_reason: 'tool_call' }]
    : [{ role: 'assistant', parts: [text(s.answer)], finish_reason: 'stop' }];
  return [
    str('llm.tools', JSON.stringify(TOOLS)),
    str('gen_ai.system_instructions', JSON.stringify([text('You are a helpful assistant for Acme. Use the tools when they help; never invent order data.')])),
    str('gen_ai.input.messages', JSON.stringify(firstLeg ? input.slice(0, 1) : input)),
    str('gen_ai.output.messages', JSON.stringify(output)),
  ];
}

/** Message attributes for the plano(llm) span of trace `traceId`; `answered` when the call succeeded. */
export function demoMessageAttributes(traceId: string, answered: boolean): StringAttribute[] {
  const rnd = new Random(parseInt(traceId.slice(0, 8), 16));
  const kind = rnd.weighted([
    ['tools', 45],
    ['chat', 15],
    ['preview', 40],
  ] as const);
  const scenario = rnd.pick(SCENARIOS);
  const chat = rnd.pick(CHATS);
  const question = kind === 'chat' ? chat : scenario.question;
  const preview = str('llm.user_message_preview', question.length > PREVIEW_CHARS ? `${question.slice(0, PREVIEW_CHARS)}…` : question);
  if (!answered || kind === 'preview') return [preview];
  if (kind === 'chat') {
    return [
      preview,
      str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [text(chat)] }])),
      str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [text('Here you go: …')], finish_reason: 'stop' }])),
    ];
  }
  return [preview, ...toolTurn(rnd, scenario, `call_${traceId.slice(0, 12)}`)];
}
