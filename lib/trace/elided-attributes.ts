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
 * Readers restore: SQL through lib/where/sql-compiler.ts (one key: spanAttributeValue; a whole map:
 * spanAttributesMap), the span readers in JS (restoreElided: ~40x cheaper than rebuilding 5,000
 * maps in SQL), with the keys in the order JSONB gives, so a map reads back as it did when stored whole.
 *
 * The bits are stored: never renumber or reuse one. A key may gain a bit; old rows keep theirs.
 */
import { type CompactAttributes, encodeAnyValue, setOwnAttribute } from '../otlp/compact-attributes';
import type { AttributeMap } from '../otlp/span-record';
import { PROMOTED_COLUMNS, type PromotedColumnName } from './promoted';

/** How the stored value is spelled from the column: the column's own JSON value, or (integer columns) its decimal text as a string. */
export type ElidedForm = 'native' | 'decimal';

export type ElidableKey = {
  readonly bit: number;
  readonly key: string;
  /** The span column that holds the value (a text column for the strings, else an integer column). */
  readonly column: 'tenant_id' | PromotedColumnName;
  readonly form: ElidedForm;
};

/** The text columns (tenant_id and the promoted ones of type text); the others are integer columns. */
const TEXT_COLUMNS: ReadonlySet<string> = new Set(['tenant_id', ...PROMOTED_COLUMNS.filter((c) => c.sqlType === 'text').map((c) => c.column)]);

/** An integer column's key under two bits: `bit` as a plain number, `bit + 1` as its decimal string. */
const integerKey = (bit: number, key: string, column: PromotedColumnName): ElidableKey[] => [
  { bit: 1 << bit, key, column, form: 'native' },
  { bit: 1 << (bit + 1), key, column, form: 'decimal' },
];

export const ELIDABLE_KEYS: readonly ElidableKey[] = [
  { bit: 1 << 0, key: 'tenant.id', column: 'tenant_id', form: 'native' },
  { bit: 1 << 1, key: 'user.id', column: 'user_id', form: 'native' },
  { bit: 1 << 2, key: 'session.id', column: 'session_id', form: 'native' },
  { bit: 1 << 3, key: 'llm.model', column: 'llm_model', form: 'native' },
  ...integerKey(4, 'llm.usage.prompt_tokens', 'prompt_tokens'),
  ...integerKey(6, 'llm.usage.completion_tokens', 'completion_tokens'),
  ...integerKey(8, 'llm.usage.total_tokens', 'total_tokens'),
  ...integerKey(10, 'http.status_code', 'http_status_code'),
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
 * A span's attributes (canonical OTLP) in the compact form to store: without each elidable key whose
 * column restores it exactly, and the bits of the keys left out. Encoded in one pass (deleting keys
 * afterwards left V8 a slow dictionary object that cost ~3 µs a span to serialize).
 */
export function encodeEliding(map: AttributeMap, columns: ElidedColumns, tenantId: string | null): { attributes: CompactAttributes; mask: number } {
  let mask = 0;
  const attributes: CompactAttributes = {};
  for (const key of Object.keys(map)) {
    const value = encodeAnyValue(map[key]);
    const bit = elidedBit(ELIDABLE_BY_KEY.get(key), value, columns, tenantId);
    if (bit) mask |= bit;
    else setOwnAttribute(attributes, key, value);
  }
  return { attributes, mask };
}

/** The bit under which a key's column gives back `stored` exactly, or 0. */
function elidedBit(entries: readonly ElidableKey[] | undefined, stored: CompactAttributes[string], columns: ElidedColumns, tenantId: string | null): number {
  if (!entries) return 0;
  for (const e of entries) if (restoredValue(e.column === 'tenant_id' ? tenantId : columns[e.column], e.form) === stored) return e.bit;
  return 0;
}

/** The span columns elided keys are restored from (what a reader selects beside `promoted_elided`). */
export const ELIDED_COLUMNS: readonly ElidableKey['column'][] = [...new Set(ELIDABLE_KEYS.map((e) => e.column))];

/** A stored span's column values as a driver returns them (int8 as a string or a bigint, say). */
export type StoredElidedColumns = Readonly<Partial<Record<ElidableKey['column'], string | number | bigint | null>>>;

/**
 * The map as sent: `attributes` (a stored compact map, its keys in JSONB's order) with the keys of
 * `mask` restored from the span's `columns`, merged in at their places in that order (a new object
 * when any key is restored).
 */
export function restoreElided(
  attributes: CompactAttributes,
  mask: number | string | bigint | null | undefined,
  columns: StoredElidedColumns,
): CompactAttributes {
  const bits = Number(mask ?? 0);
  if (!bits) return attributes;
  const restored: [string, CompactAttributes[string]][] = [];
  for (const e of ELIDABLE_IN_JSONB_ORDER) {
    if ((bits & e.bit) === 0) continue;
    const raw = columns[e.column];
    const value = restoredValue(raw === null || raw === undefined || TEXT_COLUMNS.has(e.column) ? (raw as string | null) : Number(raw), e.form);
    if (value !== undefined) restored.push([e.key, value]);
  }
  const out: CompactAttributes = {};
  let next = 0;
  for (const key of Object.keys(attributes)) {
    while (next < restored.length && jsonbKeyOrder(restored[next][0], key) < 0) setOwnAttribute(out, restored[next][0], restored[next++][1]);
    setOwnAttribute(out, key, attributes[key]);
  }
  for (; next < restored.length; next++) setOwnAttribute(out, restored[next][0], restored[next][1]);
  return out;
}

/** JSONB's order of object keys: shorter (in UTF-8 bytes) first, then by bytes (= by code points). */
export function jsonbKeyOrder(a: string, b: string): number {
  const lengths = utf8Length(a) - utf8Length(b);
  if (lengths !== 0) return lengths;
  for (let i = 0; i < a.length && i < b.length; i++) {
    const d = a.codePointAt(i)! - b.codePointAt(i)!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The elidable keys in JSONB's order, so restored keys merge into a stored map in one pass. */
const ELIDABLE_IN_JSONB_ORDER = [...ELIDABLE_KEYS].sort((a, b) => jsonbKeyOrder(a.key, b.key));

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
