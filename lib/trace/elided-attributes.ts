/**
 * Promoted values stored once. Most spans carry `tenant.id`, `user.id`, `session.id`, and
 * LLM spans their model and token counts; each value is also copied into a typed column of
 * the span row (./promoted.ts). Keeping both cost ~130 B a span (of a ~270 B attribute map
 * on Plano's traffic), so ingest drops such a key from the stored map when its column gives
 * back exactly the stored value, and sets the key's bit in `spans.promoted_elided`.
 *
 * Exactness is checked, not assumed: a key is dropped only when the value restored from the
 * column equals its compact form (lib/otlp/compact-attributes.ts) — a string for a text
 * column; for an integer column a plain JSON number (`"native"`) or the decimal string the
 * column prints (`"decimal"`, Plano's `http.status_code: "200"`). A value of any other type,
 * a rounded or clamped one, or one the column took from elsewhere (the resource, another key,
 * a forced tenant) stays in the map. So every read that restores the bits sees the map as sent.
 *
 * Readers restore the map in SQL, through lib/where/sql-compiler.ts (one key: spanAttributeValue;
 * the whole map: spanAttributesMap), so a map read back has the keys in the order JSONB gives.
 *
 * The bits are stored: never renumber or reuse one. A key may gain a bit; old rows keep theirs.
 */
import type { CompactAttributes } from '../otlp/compact-attributes';
import type { PromotedColumnName } from './promoted';

/** How the stored value is spelled from the column: the column's own JSON value, or (integer columns) its decimal text as a string. */
export type ElidedForm = 'native' | 'decimal';

export type ElidableKey = {
  readonly bit: number;
  readonly key: string;
  /** The span column that holds the value. */
  readonly column: 'tenant_id' | PromotedColumnName;
  readonly form: ElidedForm;
};

export const ELIDABLE_KEYS: readonly ElidableKey[] = [
  { bit: 1 << 0, key: 'tenant.id', column: 'tenant_id', form: 'native' },
  { bit: 1 << 1, key: 'user.id', column: 'user_id', form: 'native' },
  { bit: 1 << 2, key: 'session.id', column: 'session_id', form: 'native' },
  { bit: 1 << 3, key: 'llm.model', column: 'llm_model', form: 'native' },
  { bit: 1 << 4, key: 'llm.usage.prompt_tokens', column: 'prompt_tokens', form: 'native' },
  { bit: 1 << 5, key: 'llm.usage.prompt_tokens', column: 'prompt_tokens', form: 'decimal' },
  { bit: 1 << 6, key: 'llm.usage.completion_tokens', column: 'completion_tokens', form: 'native' },
  { bit: 1 << 7, key: 'llm.usage.completion_tokens', column: 'completion_tokens', form: 'decimal' },
  { bit: 1 << 8, key: 'llm.usage.total_tokens', column: 'total_tokens', form: 'native' },
  { bit: 1 << 9, key: 'llm.usage.total_tokens', column: 'total_tokens', form: 'decimal' },
  { bit: 1 << 10, key: 'http.status_code', column: 'http_status_code', form: 'native' },
  { bit: 1 << 11, key: 'http.status_code', column: 'http_status_code', form: 'decimal' },
];

/** The elidable keys by attribute key (a key has one bit per form). */
export const ELIDABLE_BY_KEY: ReadonlyMap<string, readonly ElidableKey[]> = (() => {
  const byKey = new Map<string, ElidableKey[]>();
  for (const e of ELIDABLE_KEYS) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  return byKey;
})();

/** A span's column values as ingest has them (text as strings, integers as numbers). */
export type ElidedColumns = Readonly<Partial<Record<ElidableKey['column'], string | number | null>>>;

/**
 * The compact value `form` restores from a column value, or undefined when it cannot (null, an
 * empty tenant, a number a plain JSON number would not carry exactly).
 */
export function restoredValue(value: string | number | null | undefined, form: ElidedForm): string | number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return form === 'native' ? value : undefined;
  if (!Number.isSafeInteger(value)) return undefined;
  return form === 'native' ? value : String(value);
}

/**
 * Drops from `attributes` (a span's compact map, changed in place) each elidable key whose
 * column restores it exactly; returns the bits of the dropped keys.
 */
export function elidePromoted(attributes: CompactAttributes, columns: ElidedColumns): number {
  let mask = 0;
  for (const [key, entries] of ELIDABLE_BY_KEY) {
    if (!Object.hasOwn(attributes, key)) continue;
    const stored = attributes[key];
    for (const e of entries) {
      if (restoredValue(columns[e.column], e.form) !== stored) continue;
      delete attributes[key];
      mask |= e.bit;
      break;
    }
  }
  return mask;
}
