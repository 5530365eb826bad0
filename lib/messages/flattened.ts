/**
 * The conventions that flatten each message into indexed attributes:
 * - GenAI legacy (OpenLLMetry and others): `gen_ai.prompt.N.role|content|tool_call_id`,
 *   `gen_ai.prompt.N.tool_calls.M.id|name|arguments`, `gen_ai.completion.N.role|content|finish_reason`,
 *   `gen_ai.completion.N.tool_calls.M.*` (or `.function_call.name|arguments`);
 * - OpenInference: `llm.input_messages.N.message.role|content|name|tool_call_id`,
 *   `….message.contents.K.message_content.type|text`,
 *   `….message.tool_calls.M.tool_call.id|function.name|function.arguments`, `llm.output_messages.N.message.*`,
 *   and tools as `llm.tools.N.tool.json_schema`.
 * Both are folded back into message objects (lib/messages/values.ts `unflatten`) and read as OpenAI-shaped ones.
 */
import type { AttributeMap } from '../otlp/span-record';
import { toolsFromList } from './genai';
import { messageFromObject, placeInputs } from './message-object';
import { type FormatReading, emptyReading } from './types';
import { type Plain, isObject, structuredValue, unflatten } from './values';

function list(tree: Plain): Plain[] {
  return Array.isArray(tree) ? tree.filter((m) => m !== null) : [];
}

export function readLegacyGenAi(attributes: AttributeMap): FormatReading {
  const reading = emptyReading('gen_ai_legacy');
  const prompt = unflatten(attributes, 'gen_ai.prompt');
  const completion = unflatten(attributes, 'gen_ai.completion');
  if (prompt) {
    reading.sources.push(...prompt.keys);
    placeInputs(
      reading,
      list(prompt.tree).map((m) => messageFromObject(m, 'user')),
    );
  }
  if (completion) {
    reading.sources.push(...completion.keys);
    reading.output.push(...list(completion.tree).map((m) => messageFromObject(m, 'assistant')));
  }
  return reading;
}

/** An OpenInference message (`{ message: { role, content, contents, tool_calls, … } }`) as an OpenAI-shaped object. */
function openInferenceMessage(entry: Plain): Plain {
  const message = isObject(entry) && isObject(entry.message) ? entry.message : entry;
  if (!isObject(message) || !Array.isArray(message.contents)) return message;
  // `contents.K.message_content.{type,text,image.image.url}` → content blocks.
  const blocks = message.contents.map((c) => (isObject(c) && isObject(c.message_content) ? c.message_content : c));
  const rest = Object.fromEntries(Object.entries(message).filter(([k]) => k !== 'contents'));
  return { ...rest, content: typeof message.content === 'string' ? [message.content, ...blocks] : blocks };
}

export function readOpenInference(attributes: AttributeMap): FormatReading {
  const reading = emptyReading('openinference');
  const input = unflatten(attributes, 'llm.input_messages');
  const output = unflatten(attributes, 'llm.output_messages');
  if (input) {
    reading.sources.push(...input.keys);
    placeInputs(
      reading,
      list(input.tree).map((m) => messageFromObject(openInferenceMessage(m), 'user')),
    );
  }
  if (output) {
    reading.sources.push(...output.keys);
    reading.output.push(...list(output.tree).map((m) => messageFromObject(openInferenceMessage(m), 'assistant')));
  }
  const tools = unflatten(attributes, 'llm.tools');
  if (tools) {
    for (const [i, entry] of list(tools.tree).entries()) {
      const schema = isObject(entry) && isObject(entry.tool) ? entry.tool.json_schema : undefined;
      if (schema === undefined) continue;
      reading.sources.push(`llm.tools.${i}.tool.json_schema`);
      const parsed = typeof schema === 'string' ? structuredValue({ stringValue: schema }) : { ok: true as const, value: schema };
      if (parsed.ok) reading.tools.push(...toolsFromList(parsed.value));
      else reading.problems.push(`llm.tools.${i}.tool.json_schema is not valid JSON (${parsed.error})`);
    }
  }
  return reading;
}
