/**
 * OpenTelemetry GenAI semantic conventions (1.37+): `gen_ai.input.messages`,
 * `gen_ai.output.messages` and `gen_ai.system_instructions`, each a JSON document
 * (or the same structure as an OTLP array/kvlist) of messages with `parts[]`, plus
 * `gen_ai.tool.definitions`.
 */
import type { AttributeMap } from '../otlp/span-record';
import { messagesFromList, partFromObject, placeInputs } from './message-object';
import { type FormatReading, type MessageFormat, type ToolDefinition, emptyReading } from './types';
import { type Plain, field, isObject, structuredValue, textOf } from './values';

export const GEN_AI_INPUT = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM = 'gen_ai.system_instructions';
export const GEN_AI_TOOLS = 'gen_ai.tool.definitions';

/** Tool definitions as OpenAI (`{ type: 'function', function: { name, description, parameters } }`) or flat (`{ name, … }`) objects. */
export function toolsFromList(list: Plain): ToolDefinition[] {
  const items = Array.isArray(list) ? list : [list];
  return items.flatMap((item): ToolDefinition[] => {
    if (typeof item === 'string') return item.trim() === '' ? [] : [{ name: item.trim(), description: null, parameters: null }];
    if (!isObject(item)) return [];
    const fn = isObject(item.function) ? item.function : item;
    const name = field(fn, 'name');
    if (name === null) return [];
    const params = fn.parameters ?? fn.input_schema ?? fn.inputSchema;
    return [{ name, description: field(fn, 'description'), parameters: params === undefined ? null : textOf(params) }];
  });
}

/** Reads the GenAI message attributes of `attributes`; `where` prefixes the source names (an event's). */
export function readGenAi(attributes: AttributeMap, format: MessageFormat = 'gen_ai', where = ''): FormatReading {
  const reading = emptyReading(format);
  const read = (key: string, use: (value: Plain) => void) => {
    const stored = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    if (stored === undefined) return;
    reading.sources.push(`${where}${key}`);
    const parsed = structuredValue(stored);
    if (parsed.ok) use(parsed.value);
    else reading.problems.push(`${where}${key} is not valid JSON (${parsed.error}); see the raw view`);
  };
  read(GEN_AI_SYSTEM, (v) => {
    // The conventions make it a list of parts; a plain string is taken as one text part.
    const parts = (Array.isArray(v) ? v : [v]).map(partFromObject);
    if (parts.length > 0) reading.system.push({ role: 'system', name: null, parts, finishReason: null });
  });
  read(GEN_AI_INPUT, (v) => placeInputs(reading, messagesFromList(v, 'user')));
  read(GEN_AI_OUTPUT, (v) => reading.output.push(...messagesFromList(v, 'assistant')));
  read(GEN_AI_TOOLS, (v) => reading.tools.push(...toolsFromList(v)));
  return reading;
}
