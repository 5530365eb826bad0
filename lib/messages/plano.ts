/**
 * Plano's own message attributes on its plano(llm) spans (katanemo/plano
 * crates/brightstaff/src/tracing/constants.rs): `llm.user_message_preview`, a truncated
 * preview of the user's message, and `llm.tools`, the tools offered with the request
 * (names; read as a JSON list of names or tool objects, an OTLP array, or comma-separated text).
 */
import type { AttributeMap } from '../otlp/span-record';
import { toolsFromList } from './genai';
import { type FormatReading, emptyReading } from './types';
import { structuredValue, toPlain } from './values';

export const PLANO_PREVIEW = 'llm.user_message_preview';
export const PLANO_TOOLS = 'llm.tools';

export function readPlano(attributes: AttributeMap): FormatReading {
  const reading = emptyReading('plano');
  const preview = Object.hasOwn(attributes, PLANO_PREVIEW) ? attributes[PLANO_PREVIEW] : undefined;
  if (preview !== undefined && 'stringValue' in preview && preview.stringValue !== '') {
    reading.sources.push(PLANO_PREVIEW);
    reading.input.push({ role: 'user', name: null, parts: [{ kind: 'text', text: preview.stringValue }], finishReason: null, preview: true });
  }
  const tools = Object.hasOwn(attributes, PLANO_TOOLS) ? attributes[PLANO_TOOLS] : undefined;
  if (tools !== undefined) {
    reading.sources.push(PLANO_TOOLS);
    const parsed = structuredValue(tools);
    const list = parsed.ok ? parsed.value : 'stringValue' in tools ? tools.stringValue.split(',') : toPlain(tools);
    reading.tools.push(...toolsFromList(list));
  }
  return reading;
}
