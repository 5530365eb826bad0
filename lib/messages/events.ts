/**
 * GenAI messages recorded as span events:
 * - `gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message`
 *   (role from the name; `content`, `tool_calls`, `id`/`tool_call_id`, or the whole body as JSON in
 *   `gen_ai.event.content`/`body`), and `gen_ai.choice` (`message`, `finish_reason`) for the output;
 * - the older `gen_ai.content.prompt` / `gen_ai.content.completion` events (`gen_ai.prompt` / `gen_ai.completion`, JSON);
 * - `gen_ai.client.inference.operation.details`, which carries the `gen_ai.*.messages` attributes.
 */
import type { AttributeMap, SpanEvent } from '../otlp/span-record';
import { readGenAi } from './genai';
import { messageFromObject, messagesFromList, placeInputs } from './message-object';
import { type FormatReading, emptyReading } from './types';
import { type Plain, isObject, structuredValue, toPlain } from './values';

const ROLE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** An attribute as data: JSON strings parsed, other strings kept as text. */
function dataOf(attributes: AttributeMap, key: string): Plain | undefined {
  const stored = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (stored === undefined) return undefined;
  const parsed = structuredValue(stored);
  return parsed.ok ? parsed.value : toPlain(stored);
}

/** The message body of a role event: a JSON body attribute, else the event's attributes themselves. */
function eventBody(event: SpanEvent): Record<string, Plain> {
  const body = dataOf(event.attributes, 'gen_ai.event.content') ?? dataOf(event.attributes, 'body');
  if (isObject(body)) return body;
  const out: Record<string, Plain> = {};
  for (const key of ['role', 'content', 'tool_calls', 'id', 'tool_call_id', 'name', 'message', 'finish_reason']) {
    const v = dataOf(event.attributes, key);
    if (v !== undefined) out[key] = v;
  }
  // `content` may itself be JSON text of content blocks; keep it as text unless it parsed to a list.
  if (typeof body === 'string' && out.content === undefined) out.content = body;
  return out;
}

function readRoleEvent(reading: FormatReading, event: SpanEvent, role: string): void {
  const body = eventBody(event);
  // A tool message's `id` is the id of the call it answers.
  if (role === 'tool' && body.tool_call_id === undefined && typeof body.id === 'string') body.tool_call_id = body.id;
  const message = messageFromObject({ role, ...body }, role);
  if (role === 'system') reading.system.push(message);
  else reading.input.push(message);
}

function readChoice(reading: FormatReading, event: SpanEvent): void {
  const body = eventBody(event);
  const message = isObject(body.message) ? body.message : body;
  const finish = typeof body.finish_reason === 'string' ? body.finish_reason : null;
  const read = messageFromObject(message, 'assistant');
  reading.output.push({ ...read, finishReason: read.finishReason ?? finish });
}

export function readGenAiEvents(events: SpanEvent[]): FormatReading {
  const reading = emptyReading('gen_ai_events');
  for (const event of events) {
    const role = Object.hasOwn(ROLE_EVENTS, event.name) ? ROLE_EVENTS[event.name] : undefined;
    if (role !== undefined) readRoleEvent(reading, event, role);
    else if (event.name === 'gen_ai.choice') readChoice(reading, event);
    else if (event.name === 'gen_ai.content.prompt') {
      const v = dataOf(event.attributes, 'gen_ai.prompt');
      if (v !== undefined) placeInputs(reading, messagesFromList(v, 'user'));
    } else if (event.name === 'gen_ai.content.completion') {
      const v = dataOf(event.attributes, 'gen_ai.completion');
      if (v !== undefined) reading.output.push(...messagesFromList(v, 'assistant'));
    } else if (event.name === 'gen_ai.client.inference.operation.details') {
      const details = readGenAi(event.attributes, 'gen_ai_events', `event ${event.name}: `);
      reading.system.push(...details.system);
      reading.input.push(...details.input);
      reading.output.push(...details.output);
      reading.tools.push(...details.tools);
      reading.problems.push(...details.problems);
    } else continue;
    reading.sources.push(`event ${event.name}`);
  }
  return reading;
}
