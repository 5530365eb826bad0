/**
 * Promotion: the values a span gives its promoted columns (the list of those columns,
 * with the attribute keys feeding each, is lib/trace/promoted.ts). Plano's keys come
 * first, then the OpenTelemetry GenAI conventions, then OpenInference's, so spans from
 * any of them chart the same way.
 */
import type { AttributeMap, OtlpAnyValue } from '../otlp/span-record';
import { PROMOTED_COLUMNS, type PromotedColumn, type PromotedValues } from '../trace/promoted';

/** The tenant attribute key when TRACEDECK_TENANT_KEY is unset (server/config.ts reads it). */
export const DEFAULT_TENANT_KEY = 'tenant.id';

/** The built-in attribute keys of each promoted field (from the descriptor). */
export const PROMOTED_KEYS = Object.fromEntries(PROMOTED_COLUMNS.map((c) => [c.field, c.keys])) as {
  [C in PromotedColumn as C['field']]: C['keys'];
};

type MappableColumn = Extract<PromotedColumn, { mapName: string }>;

/**
 * The LLM fields whose keys can be extended by configuration, with the names
 * accepted in TRACEDECK_ATTRIBUTE_MAP (`mapName` in the descriptor).
 */
export const MAPPABLE_FIELDS = Object.fromEntries(PROMOTED_COLUMNS.filter((c): c is MappableColumn => 'mapName' in c).map((c) => [c.mapName, c.field])) as {
  [C in MappableColumn as C['mapName']]: C['field'];
};
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
      throw new Error(
        `TRACEDECK_ATTRIBUTE_MAP: expected field=key[,key…] with field one of ${Object.keys(MAPPABLE_FIELDS).join(', ')} (got '${entry.trim()}')`,
      );
    }
    const keys = entry
      .slice(eq + 1)
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
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

/** The promoted values read from a span's attributes (all but the sampling weight, which lib/enrich/sampling.ts gives). */
export type AttributePromotedValues = Omit<PromotedValues, 'sampleWeight'>;

/** The span's tenant: the tenant attribute's value as text (span attribute, then resource attribute), or null. */
export function tenantOf(span: AttributeMap, resource: AttributeMap, tenantAttribute: string): string | null {
  return anyValueText(lookup([tenantAttribute], span, resource));
}

const intOrNull = (n: number | null) => (n === null ? null : Math.trunc(n));

/**
 * Token counts and costs beyond this stay in JSONB only: the bigint columns would
 * reject them, and the per-trace sums (bigint, float8) overflow with an error that
 * fails the whole batch. No real request comes near 10^12 tokens or dollars.
 */
const MAX_PROMOTED_AMOUNT = 1e12;
const amount = (n: number | null) => (n === null || Math.abs(n) > MAX_PROMOTED_AMOUNT ? null : n);

export function promotedValues(span: AttributeMap, resource: AttributeMap, mapping: AttributeMapping = BUILT_IN_ATTRIBUTE_MAPPING): AttributePromotedValues {
  const text = (keys: readonly string[]) => anyValueText(lookup(keys, span, resource));
  const num = (keys: readonly string[]) => anyValueNumber(lookup(keys, span, resource));
  const promptTokens = intOrNull(amount(num(mapping.promptTokens)));
  const completionTokens = intOrNull(amount(num(mapping.completionTokens)));
  let totalTokens = intOrNull(amount(num(mapping.totalTokens)));
  if (totalTokens === null && promptTokens !== null && completionTokens !== null) totalTokens = promptTokens + completionTokens;
  const status = intOrNull(num(PROMOTED_KEYS.httpStatusCode));
  return {
    userId: text(PROMOTED_KEYS.userId),
    sessionId: text(PROMOTED_KEYS.sessionId),
    llmModel: text(mapping.llmModel),
    promptTokens,
    completionTokens,
    totalTokens,
    cachedInputTokens: intOrNull(amount(num(PROMOTED_KEYS.cachedInputTokens))),
    cacheCreationTokens: intOrNull(amount(num(PROMOTED_KEYS.cacheCreationTokens))),
    reasoningTokens: intOrNull(amount(num(PROMOTED_KEYS.reasoningTokens))),
    costUsd: amount(num(mapping.costUsd)),
    ttftMs: num(mapping.ttftMs),
    // Out-of-range values stay in JSONB only; the int column would reject them.
    httpStatusCode: status !== null && status >= 0 && status < 1000 ? status : null,
  };
}
