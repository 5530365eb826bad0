/**
 * One message object, in any of the shapes instrumentations write, to a ChatMessage:
 * - OpenTelemetry GenAI: `{ role, parts: [{ type: 'text', content }, { type: 'tool_call', id, name, arguments },
 *   { type: 'tool_call_response', id, response }], finish_reason }`;
 * - OpenAI chat: `{ role, content: string | [{ type: 'text', text }], tool_calls: [{ id, function: { name, arguments } }],
 *   tool_call_id, name }` (also what the legacy and OpenInference readers fold their keys into);
 * - Anthropic content blocks: `content: [{ type: 'text' }, { type: 'tool_use', id, name, input },
 *   { type: 'tool_result', tool_use_id, content }]`.
 * Unknown part types are kept as JSON, never dropped, so nothing a span carries goes missing from the view.
 */
import type { ChatMessage, FormatReading, MessagePart } from './types';
import { type Plain, field, isObject, prettyArguments, textOf } from './values';

/** A GenAI semconv part or an OpenAI/Anthropic content block. */
export function partFromObject(part: Plain): MessagePart {
  if (typeof part === 'string') return { kind: 'text', text: part };
  if (!isObject(part)) return { kind: 'other', type: typeof part, text: textOf(part) };
  const type = field(part, 'type') ?? (Object.hasOwn(part, 'text') ? 'text' : 'unknown');
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { kind: 'text', text: textOf(part.content ?? part.text) };
    case 'reasoning':
    case 'thinking':
      return { kind: 'reasoning', text: textOf(part.content ?? part.thinking ?? part.text) };
    case 'tool_call':
    case 'function_call':
    case 'tool_use':
      return {
        kind: 'tool_call',
        id: field(part, 'id', 'call_id'),
        name: field(part, 'name') ?? '(unnamed tool)',
        arguments: prettyArguments(part.arguments ?? part.input),
      };
    case 'tool_call_response':
    case 'function_call_output':
    case 'tool_result':
      return {
        kind: 'tool_result',
        id: field(part, 'id', 'call_id', 'tool_use_id'),
        name: field(part, 'name'),
        result: resultText(part.response ?? part.result ?? part.output ?? part.content),
      };
    default:
      return { kind: 'other', type, text: textOf(part) };
  }
}

/** A tool result: text as it is, JSON pretty-printed, Anthropic's block lists joined. */
function resultText(v: Plain | undefined): string {
  if (Array.isArray(v) && v.every((b) => isObject(b) && typeof b.text === 'string')) return v.map((b) => (b as { text: string }).text).join('\n');
  return prettyArguments(v);
}

/** OpenAI's `tool_calls: [{ id, type: 'function', function: { name, arguments } }]` (and OpenInference's `tool_call` wrapper). */
function toolCallParts(calls: Plain | undefined): MessagePart[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((raw) => {
    const call = isObject(raw.tool_call) ? raw.tool_call : raw;
    const fn = isObject(call.function) ? call.function : call;
    return { kind: 'tool_call', id: field(call, 'id'), name: field(fn, 'name') ?? '(unnamed tool)', arguments: prettyArguments(fn.arguments ?? fn.input) };
  });
}

function contentParts(content: Plain | undefined): MessagePart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (Array.isArray(content)) return content.map(partFromObject);
  return [partFromObject(content)];
}

/** A message object in any known shape; `fallbackRole` when it names none (events carry the role in their name). */
export function messageFromObject(obj: Plain, fallbackRole = 'unknown'): ChatMessage {
  if (!isObject(obj)) return { role: fallbackRole, name: null, parts: contentParts(obj), finishReason: null };
  const role = field(obj, 'role') ?? fallbackRole;
  const parts = Array.isArray(obj.parts) ? obj.parts.map(partFromObject) : contentParts(obj.content);
  parts.push(...toolCallParts(obj.tool_calls));
  // An OpenAI tool message: its content is the result of the call it names.
  const toolCallId = field(obj, 'tool_call_id');
  if (toolCallId !== null && !parts.some((p) => p.kind === 'tool_result')) {
    const result = parts.map((p) => ('text' in p ? p.text : '')).join('\n');
    parts.splice(0, parts.length, { kind: 'tool_result', id: toolCallId, name: field(obj, 'name'), result: prettyArguments(result) });
  }
  // OpenAI's older single function_call.
  if (isObject(obj.function_call)) {
    const fn = obj.function_call;
    parts.push({ kind: 'tool_call', id: null, name: field(fn, 'name') ?? '(unnamed tool)', arguments: prettyArguments(fn.arguments) });
  }
  return { role, name: toolCallId === null ? field(obj, 'name') : null, parts, finishReason: field(obj, 'finish_reason') };
}

/** A list of message objects (a lone object counts as a list of one). */
export function messagesFromList(list: Plain, fallbackRole?: string): ChatMessage[] {
  const items = Array.isArray(list) ? list : [list];
  return items.filter((m) => m !== null).map((m) => messageFromObject(m, fallbackRole));
}

/** Inputs go to `reading.input`, system (and OpenAI `developer`) messages to `reading.system`, shown as the instructions. */
export function placeInputs(reading: FormatReading, messages: ChatMessage[]): void {
  for (const m of messages) (m.role === 'system' || m.role === 'developer' ? reading.system : reading.input).push(m);
}
