/**
 * The chat messages of a span, read from whichever conventions it carries:
 *
 * | reader | keys |
 * |---|---|
 * | genai.ts | `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions` (JSON, `parts[]`), `gen_ai.tool.definitions` |
 * | events.ts | span events `gen_ai.{system,user,assistant,tool}.message`, `gen_ai.choice`, `gen_ai.content.*`, `gen_ai.client.inference.operation.details` |
 * | flattened.ts | legacy `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`; OpenInference `llm.input_messages.N.message.*` / `llm.output_messages.N.message.*`, `llm.tools.N.tool.json_schema` |
 * | plano.ts | Plano's `llm.user_message_preview` and `llm.tools` |
 *
 * A span may carry several (an SDK's full messages and Plano's preview): each of system,
 * input and output comes from the first reader, in the order above, that found any, so a
 * preview never hides the whole message. Tools are merged by name. Pure: no DOM, no IO.
 */
import type { AttributeMap, SpanEvent } from '../otlp/span-record';
import { readGenAiEvents } from './events';
import { readLegacyGenAi, readOpenInference } from './flattened';
import { readGenAi } from './genai';
import { readPlano } from './plano';
import { type FormatReading, type SpanMessages, type ToolDefinition, readingIsEmpty } from './types';
import { rawText } from './values';

export type { ChatMessage, MessagePart, SpanMessages, ToolDefinition, MessageFormat } from './types';
export { FORMAT_LABELS } from './types';

function mergeTools(readings: FormatReading[]): ToolDefinition[] {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of readings.flatMap((r) => r.tools)) {
    const known = byName.get(tool.name);
    if (!known) byName.set(tool.name, tool);
    else byName.set(tool.name, { name: tool.name, description: known.description ?? tool.description, parameters: known.parameters ?? tool.parameters });
  }
  return [...byName.values()];
}

/** The raw view: every source value as stored. */
function rawSources(span: { attributes: AttributeMap; events: SpanEvent[] }, readings: FormatReading[]): SpanMessages['raw'] {
  const raw: SpanMessages['raw'] = [];
  for (const source of new Set(readings.flatMap((r) => r.sources))) {
    if (Object.hasOwn(span.attributes, source)) raw.push({ key: source, text: rawText(span.attributes[source]) });
  }
  for (const event of span.events) {
    if (!readings.some((r) => r.sources.includes(`event ${event.name}`))) continue;
    for (const [key, value] of Object.entries(event.attributes)) raw.push({ key: `event ${event.name}: ${key}`, text: rawText(value) });
  }
  return raw;
}

/** The messages of a span, or null when it carries none of the known keys. */
export function extractSpanMessages(span: { attributes: AttributeMap; events: SpanEvent[] }): SpanMessages | null {
  const readings = [
    readGenAi(span.attributes),
    readGenAiEvents(span.events),
    readLegacyGenAi(span.attributes),
    readOpenInference(span.attributes),
    readPlano(span.attributes),
  ];
  const found = readings.filter((r) => !readingIsEmpty(r) || r.problems.length > 0);
  if (found.length === 0) return null;
  const first = (pick: (r: FormatReading) => FormatReading['input']) => found.map(pick).find((list) => list.length > 0) ?? [];
  const system = first((r) => r.system);
  const input = first((r) => r.input);
  const output = first((r) => r.output);
  const tools = mergeTools(found);
  const used = found.filter((r) => r.system === system || r.input === input || r.output === output || r.tools.length > 0 || r.problems.length > 0);
  return {
    system,
    input,
    output,
    tools,
    formats: used.map((r) => r.format),
    raw: rawSources(span, found),
    problems: found.flatMap((r) => r.problems),
  };
}
