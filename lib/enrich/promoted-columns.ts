/**
 * Which attribute keys feed the promoted (typed, indexed) span columns.
 * Plano's keys come first, then the OpenTelemetry GenAI conventions, then
 * OpenInference's, so spans from any of them chart the same way.
 */
import type { AttributeMap, OtlpAnyValue } from '../otlp/span-record';

export const DEFAULT_TENANT_KEY = 'tenant.id';

/** The tenant attribute key (TRACEDECK_TENANT_KEY), read once per call site. */
export function tenantKey(): string {
  return process.env.TRACEDECK_TENANT_KEY?.trim() || DEFAULT_TENANT_KEY;
}

export const PROMOTED_KEYS = {
  userId: ['user.id'],
  sessionId: ['session.id'],
  llmModel: ['llm.model', 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
  promptTokens: ['llm.usage.prompt_tokens', 'gen_ai.usage.input_tokens', 'llm.token_count.prompt'],
  completionTokens: ['llm.usage.completion_tokens', 'gen_ai.usage.output_tokens', 'llm.token_count.completion'],
  totalTokens: ['llm.usage.total_tokens', 'llm.token_count.total'],
  costUsd: ['llm.usage.total_cost_usd'],
  httpStatusCode: ['http.status_code', 'http.response.status_code'],
} as const;

/** A scalar AnyValue as text the way the `where` grammar compares it (see td_text in SQL). */
export function anyValueText(value: OtlpAnyValue | undefined): string | null {
  if (!value) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return value.intValue;
  if ('doubleValue' in value) return String(value.doubleValue);
  if ('boolValue' in value) return String(value.boolValue);
  if ('bytesValue' in value) return value.bytesValue;
  return null;
}

/** A scalar AnyValue as a finite number, accepting numeric strings (Plano sends strings). */
export function anyValueNumber(value: OtlpAnyValue | undefined): number | null {
  const text = anyValueText(value);
  if (text === null || text.trim() === '' || (value && 'boolValue' in value)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Span attribute first, then resource attribute (the grammar's lookup order). */
export function lookup(keys: readonly string[], span: AttributeMap, resource: AttributeMap): OtlpAnyValue | undefined {
  for (const key of keys) {
    const v = span[key] ?? resource[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

export type PromotedValues = {
  tenantId: string | null;
  userId: string | null;
  sessionId: string | null;
  llmModel: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
  httpStatusCode: number | null;
};

const intOrNull = (n: number | null) => (n === null ? null : Math.trunc(n));

export function promotedValues(span: AttributeMap, resource: AttributeMap, tenantAttribute = tenantKey()): PromotedValues {
  const text = (keys: readonly string[]) => anyValueText(lookup(keys, span, resource));
  const num = (keys: readonly string[]) => anyValueNumber(lookup(keys, span, resource));
  const promptTokens = intOrNull(num(PROMOTED_KEYS.promptTokens));
  const completionTokens = intOrNull(num(PROMOTED_KEYS.completionTokens));
  let totalTokens = intOrNull(num(PROMOTED_KEYS.totalTokens));
  if (totalTokens === null && promptTokens !== null && completionTokens !== null) totalTokens = promptTokens + completionTokens;
  const status = intOrNull(num(PROMOTED_KEYS.httpStatusCode));
  return {
    tenantId: text([tenantAttribute]),
    userId: text(PROMOTED_KEYS.userId),
    sessionId: text(PROMOTED_KEYS.sessionId),
    llmModel: text(PROMOTED_KEYS.llmModel),
    promptTokens,
    completionTokens,
    totalTokens,
    costUsd: num(PROMOTED_KEYS.costUsd),
    // Out-of-range values stay in JSONB only; the int column would reject them.
    httpStatusCode: status !== null && status >= 0 && status < 1000 ? status : null,
  };
}
