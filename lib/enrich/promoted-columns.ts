/**
 * Which attribute keys feed the promoted (typed, indexed) span columns.
 * Plano's keys come first, then the OpenTelemetry GenAI conventions, then
 * OpenInference's, so spans from any of them chart the same way.
 */
import type { AttributeMap, OtlpAnyValue } from '../otlp/span-record';
import { NO_SAMPLING, type SamplingConfig } from './sampling';

/** The tenant attribute key when TRACEDECK_TENANT_KEY is unset (server/config.ts reads it). */
export const DEFAULT_TENANT_KEY = 'tenant.id';

export const PROMOTED_KEYS = {
  userId: ['user.id'],
  sessionId: ['session.id'],
  llmModel: ['llm.model', 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
  promptTokens: ['llm.usage.prompt_tokens', 'gen_ai.usage.input_tokens', 'llm.token_count.prompt'],
  completionTokens: ['llm.usage.completion_tokens', 'gen_ai.usage.output_tokens', 'llm.token_count.completion'],
  totalTokens: ['llm.usage.total_tokens', 'llm.token_count.total'],
  costUsd: ['llm.usage.total_cost_usd'],
  /** Milliseconds from the request to the first streamed token (Plano). */
  ttftMs: ['llm.time_to_first_token'],
  httpStatusCode: ['http.status_code', 'http.response.status_code'],
} as const;

/**
 * The LLM fields whose keys can be extended by configuration, with the names
 * accepted in TRACEDECK_ATTRIBUTE_MAP. (user.id and session.id are not: the
 * `where` compiler answers `user.id=…` from their columns, so those columns must
 * hold exactly that key.)
 */
export const MAPPABLE_FIELDS = {
  model: 'llmModel',
  prompt_tokens: 'promptTokens',
  completion_tokens: 'completionTokens',
  total_tokens: 'totalTokens',
  cost_usd: 'costUsd',
  ttft_ms: 'ttftMs',
} as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[keyof typeof MAPPABLE_FIELDS];

export type AttributeMapping = Record<MappableField, readonly string[]>;

/**
 * Extra keys from `TRACEDECK_ATTRIBUTE_MAP`, e.g.
 * `model=ai.model.id;total_tokens=ai.usage.tokens,usage.total;cost_usd=billing.usd`.
 * Entries are `field=key[,key…]` separated by `;`; the keys are tried after the
 * built-in ones. Throws on an unknown field name, so a typo is loud at start-up.
 */
export function parseAttributeMap(text: string | undefined): Partial<Record<MappableField, string[]>> {
  const out: Partial<Record<MappableField, string[]>> = {};
  for (const entry of (text ?? '').split(';')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const name = (eq < 0 ? entry : entry.slice(0, eq)).trim().toLowerCase();
    const field = MAPPABLE_FIELDS[name as keyof typeof MAPPABLE_FIELDS];
    if (!field || eq < 0) {
      throw new Error(`TRACEDECK_ATTRIBUTE_MAP: expected field=key[,key…] with field one of ${Object.keys(MAPPABLE_FIELDS).join(', ')} (got '${entry.trim()}')`);
    }
    const keys = entry.slice(eq + 1).split(',').map((k) => k.trim()).filter((k) => k !== '');
    out[field] = [...(out[field] ?? []), ...keys];
  }
  return out;
}

/** The keys feeding each LLM column: built-ins first, then `extra`'s (parsed from TRACEDECK_ATTRIBUTE_MAP by server/config.ts). */
export function attributeMapping(extra: Partial<Record<MappableField, readonly string[]>> = {}): AttributeMapping {
  const merged = (field: MappableField): readonly string[] => [...new Set([...PROMOTED_KEYS[field], ...(extra[field] ?? [])])];
  return {
    llmModel: merged('llmModel'),
    promptTokens: merged('promptTokens'),
    completionTokens: merged('completionTokens'),
    totalTokens: merged('totalTokens'),
    costUsd: merged('costUsd'),
    ttftMs: merged('ttftMs'),
  };
}

/** The built-in keys alone (no TRACEDECK_ATTRIBUTE_MAP). */
export const BUILT_IN_ATTRIBUTE_MAPPING: AttributeMapping = attributeMapping();

/** What turns a span's attributes into its promoted columns, the sample weight included. */
export type PromotionSettings = { tenantKey: string; attributeMapping: AttributeMapping; sampling: SamplingConfig };

/** Nothing configured: `tenant.id`, the built-in keys, no sampling setting. */
export const DEFAULT_PROMOTION: PromotionSettings = { tenantKey: DEFAULT_TENANT_KEY, attributeMapping: BUILT_IN_ATTRIBUTE_MAPPING, sampling: NO_SAMPLING };

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
  ttftMs: number | null;
  httpStatusCode: number | null;
};

const intOrNull = (n: number | null) => (n === null ? null : Math.trunc(n));

/**
 * Token counts and costs beyond this stay in JSONB only: the bigint columns would
 * reject them, and the per-trace sums (bigint, float8) overflow with an error that
 * fails the whole batch. No real request comes near 10^12 tokens or dollars.
 */
const MAX_PROMOTED_AMOUNT = 1e12;
const amount = (n: number | null) => (n === null || Math.abs(n) > MAX_PROMOTED_AMOUNT ? null : n);

export function promotedValues(
  span: AttributeMap,
  resource: AttributeMap,
  tenantAttribute = DEFAULT_TENANT_KEY,
  mapping: AttributeMapping = BUILT_IN_ATTRIBUTE_MAPPING,
): PromotedValues {
  const text = (keys: readonly string[]) => anyValueText(lookup(keys, span, resource));
  const num = (keys: readonly string[]) => anyValueNumber(lookup(keys, span, resource));
  const promptTokens = intOrNull(amount(num(mapping.promptTokens)));
  const completionTokens = intOrNull(amount(num(mapping.completionTokens)));
  let totalTokens = intOrNull(amount(num(mapping.totalTokens)));
  if (totalTokens === null && promptTokens !== null && completionTokens !== null) totalTokens = promptTokens + completionTokens;
  const status = intOrNull(num(PROMOTED_KEYS.httpStatusCode));
  return {
    tenantId: text([tenantAttribute]),
    userId: text(PROMOTED_KEYS.userId),
    sessionId: text(PROMOTED_KEYS.sessionId),
    llmModel: text(mapping.llmModel),
    promptTokens,
    completionTokens,
    totalTokens,
    costUsd: amount(num(mapping.costUsd)),
    ttftMs: num(mapping.ttftMs),
    // Out-of-range values stay in JSONB only; the int column would reject them.
    httpStatusCode: status !== null && status >= 0 && status < 1000 ? status : null,
  };
}
