/**
 * One shape for the chat messages a span carries, whatever convention wrote them
 * (lib/messages/index.ts lists the readers). Every field is text: the span panel
 * renders it as text, never as HTML or markdown.
 */

export type MessagePart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  /** `arguments` pretty-printed when it is JSON, as sent otherwise. */
  | { kind: 'tool_call'; id: string | null; name: string; arguments: string }
  | { kind: 'tool_result'; id: string | null; name: string | null; result: string }
  /** A part of a type this reader does not know (image, file, blob…): its JSON. */
  | { kind: 'other'; type: string; text: string };

export type ChatMessage = {
  role: string;
  /** The participant's name, when the message carries one. */
  name: string | null;
  parts: MessagePart[];
  finishReason: string | null;
  /** A truncated preview of the message (Plano's llm.user_message_preview), not the whole of it. */
  preview?: boolean;
};

export type ToolDefinition = { name: string; description: string | null; parameters: string | null };

export type MessageFormat = 'gen_ai' | 'gen_ai_legacy' | 'openinference' | 'gen_ai_events' | 'plano';

export const FORMAT_LABELS: Record<MessageFormat, string> = {
  gen_ai: 'OpenTelemetry GenAI (gen_ai.*.messages)',
  gen_ai_legacy: 'GenAI legacy (gen_ai.prompt.N / gen_ai.completion.N)',
  openinference: 'OpenInference (llm.*_messages)',
  gen_ai_events: 'GenAI events',
  plano: 'Plano (llm.user_message_preview, llm.tools)',
};

/** What one reader found on a span. */
export type FormatReading = {
  format: MessageFormat;
  system: ChatMessage[];
  input: ChatMessage[];
  output: ChatMessage[];
  tools: ToolDefinition[];
  /** The attribute keys (or `event <name>`) it was read from. */
  sources: string[];
  /** What could not be read (a value that is not JSON…), for the panel to say. */
  problems: string[];
};

export type SpanMessages = {
  system: ChatMessage[];
  input: ChatMessage[];
  output: ChatMessage[];
  tools: ToolDefinition[];
  /** The formats that contributed, in the order they were preferred. */
  formats: MessageFormat[];
  /** The source values as stored, for the raw view. */
  raw: { key: string; text: string }[];
  problems: string[];
};

export function emptyReading(format: MessageFormat): FormatReading {
  return { format, system: [], input: [], output: [], tools: [], sources: [], problems: [] };
}

export function readingIsEmpty(r: FormatReading): boolean {
  return r.system.length + r.input.length + r.output.length + r.tools.length === 0;
}
