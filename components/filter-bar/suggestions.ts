/**
 * Suggestion lists of the where box, from a completion context
 * (lib/where/complete.ts), the attribute catalog and a key's top values. Pure.
 */
import type { CompletionContext } from '@/lib/where/complete';
import { COMPLETION_CONNECTIVES, COMPLETION_OPERATORS } from '@/lib/where/complete';
import { COMPLETION_AGGREGATES, COMPLETION_PIPELINE_HEAD } from '@/lib/where/complete-pipeline';
import { formatValue } from '@/lib/where/edit';
import { INTRINSICS } from '@/lib/where/ast';
import { NAMED_FIELDS } from '@/lib/where/query-ast';

export type KeyScope = 'span' | 'resource' | 'intrinsic';

/** One attribute key of the catalog (`GET /api/attributes`), scopes merged. */
export type AttributeKey = {
  key: string;
  scopes: KeyScope[];
  valueType: string;
  seenCount: number;
  highCardinality: boolean;
};

export type ValueCount = { value: string; count: number };

export type SuggestionKind = 'key' | 'operator' | 'value' | 'connective' | 'aggregate' | 'history';

export type Suggestion = {
  /** Unique within a list. */
  id: string;
  kind: SuggestionKind;
  label: string;
  /** Text that replaces the context's range (or, for history, the whole box). */
  insert: string;
  /** Muted text on the right: scope, count, meaning. */
  detail?: string;
};

const INTRINSIC_SET: ReadonlySet<string> = new Set(INTRINSICS);

/**
 * Catalog from the `GET /api/attributes` body (`{keys: [...]}`): a key seen in
 * both span and resource attributes is listed once (counts added,
 * high-cardinality if either is), then sorted by seenCount, most seen first
 * (ties by name). Intrinsics are included; the API reports them with count 0,
 * so they come after the attributes. Malformed entries are skipped.
 */
export function normalizeKeys(body: unknown): AttributeKey[] {
  const list = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) return [];
  const byKey = new Map<string, AttributeKey>();
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    if (typeof o.key !== 'string' || o.key === '') continue;
    const scope: KeyScope = o.scope === 'resource' || o.scope === 'intrinsic' ? o.scope : 'span';
    const seen = typeof o.seenCount === 'number' && Number.isFinite(o.seenCount) ? o.seenCount : 0;
    const high = o.highCardinality === true;
    const valueType = typeof o.valueType === 'string' ? o.valueType : 'string';
    const prev = byKey.get(o.key);
    if (prev) {
      if (!prev.scopes.includes(scope)) prev.scopes.push(scope);
      prev.seenCount += seen;
      prev.highCardinality ||= high;
    } else {
      byKey.set(o.key, { key: o.key, scopes: [scope], valueType, seenCount: seen, highCardinality: high });
    }
  }
  return [...byKey.values()].sort((a, b) => b.seenCount - a.seenCount || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Where a key's value suggestions come from. */
export type ValueSource = { kind: 'static'; values: string[] } | { kind: 'fetch'; key: string } | { kind: 'none'; note: string | null };

const STATIC_VALUES: Record<string, string[]> = {
  status: ['error', 'ok', 'unset'],
  kind: ['server', 'client', 'internal', 'producer', 'consumer'],
};

export function valueSource(key: string, keys: readonly AttributeKey[]): ValueSource {
  const fixed = STATIC_VALUES[key];
  if (fixed) return { kind: 'static', values: fixed };
  if (key === 'duration' || key === 'trace.duration') return { kind: 'none', note: 'type a duration such as 250ms or 1.5s' };
  const info = keys.find((k) => k.key === key);
  if (key === 'trace_id' || key === 'span_id' || info?.highCardinality) {
    return { kind: 'none', note: 'many distinct values: type one' };
  }
  // The intrinsic `service` is the resource attribute service.name.
  if (key === 'service') return { kind: 'fetch', key: 'service.name' };
  if (INTRINSIC_SET.has(key)) return { kind: 'none', note: null };
  return { kind: 'fetch', key };
}

/**
 * Case-insensitive match: prefix matches first (in input order), then
 * substring matches (unless `substring` is false).
 */
export function rankByPrefix<T>(items: readonly T[], prefix: string, text: (item: T) => string, substring = true): T[] {
  const p = prefix.toLowerCase();
  if (p === '') return [...items];
  const starts: T[] = [];
  const contains: T[] = [];
  for (const item of items) {
    const t = text(item).toLowerCase();
    if (t.startsWith(p)) starts.push(item);
    else if (substring && t.includes(p)) contains.push(item);
  }
  return [...starts, ...contains];
}

function scopeDetail(k: AttributeKey): string {
  if (k.scopes.includes('intrinsic')) return 'intrinsic';
  const scopes = k.scopes.join('+');
  return k.valueType && k.valueType !== 'string' ? `${scopes} · ${k.valueType}` : scopes;
}

const OPERATOR_DETAILS: Record<string, string> = {
  '=': 'equals',
  '!=': 'present, other value',
  '>': 'greater than',
  '>=': 'at least',
  '<': 'less than',
  '<=': 'at most',
  '~': 'glob match (* ?)',
  '!~': 'glob does not match',
  exists: 'key present',
  'not exists': 'key absent',
};

export const MAX_SUGGESTIONS = 50;

export type SuggestionInput = {
  keys: readonly AttributeKey[];
  /** Values for the context's key, when it is a value context (null: not loaded). */
  values: readonly ValueCount[] | null;
  limit?: number;
};

export function keySuggestions(keys: readonly AttributeKey[], prefix: string, substring = true): Suggestion[] {
  return rankByPrefix(keys, prefix, (k) => k.key, substring).map((k) => ({
    id: `key:${k.key}`,
    kind: 'key',
    label: k.key,
    insert: k.key,
    detail: scopeDetail(k),
  }));
}

/** The suggestions for a context, best first. */
export function buildSuggestions(ctx: CompletionContext, { keys, values, limit = MAX_SUGGESTIONS }: SuggestionInput): Suggestion[] {
  let out: Suggestion[] = [];
  switch (ctx.kind) {
    case 'key':
      out = keySuggestions(keys, ctx.prefix);
      break;
    case 'operator': {
      const p = ctx.prefix.toLowerCase();
      out = COMPLETION_OPERATORS.filter((op) => op.startsWith(p)).map((op) => ({
        id: `op:${op}`,
        kind: 'operator',
        label: op,
        insert: op,
        detail: OPERATOR_DETAILS[op],
      }));
      break;
    }
    case 'value': {
      const ranked = rankByPrefix(values ?? [], ctx.prefix, (v) => v.value);
      for (const v of ranked) {
        let insert: string;
        try {
          insert = formatValue(ctx.key, ctx.op, v.value);
        } catch {
          continue;
        }
        out.push({
          id: `value:${v.value}`,
          kind: 'value',
          label: v.value,
          insert,
          detail: v.count > 0 ? v.count.toLocaleString('en-US') : undefined,
        });
      }
      break;
    }
    case 'connective': {
      const p = ctx.prefix.toLowerCase();
      out = COMPLETION_CONNECTIVES.filter((c) => c.toLowerCase().startsWith(p)).map((c) => ({
        id: `conn:${c}`,
        kind: 'connective',
        label: c,
        insert: c,
        detail: c === 'AND' ? 'both must match' : 'either may match',
      }));
      // A word after a complete term may also start the next term (implicit
      // AND): keys that start with it (no substring matches, too noisy here).
      if (ctx.prefix !== '') out = out.concat(keySuggestions(keys, ctx.prefix, false));
      break;
    }
    case 'aggregate':
      out = aggregateSuggestions(ctx.prefix, ctx.head);
      break;
    case 'none':
      break;
  }
  return out.slice(0, limit);
}

const AGGREGATE_DETAILS: Record<string, string> = {
  'count()': 'rows',
  'rate()': 'rows per second',
  'errors()': 'failed rows',
  'error_rate()': 'failed share',
  'count_distinct(': 'distinct values of a key',
  'by(': 'group by keys',
  spans: 'aggregate spans, not requests',
};

/** Aggregate names (and, at the pipeline's head, `spans` and `by(`) starting with the prefix. */
function aggregateSuggestions(prefix: string, head: 'unit' | 'by' | 'none'): Suggestion[] {
  const words = [...(head === 'unit' ? COMPLETION_PIPELINE_HEAD : head === 'by' ? ['by('] : []), ...COMPLETION_AGGREGATES];
  const p = prefix.toLowerCase();
  return words
    .filter((w) => w.startsWith(p))
    .map((w) => ({
      id: `agg:${w}`,
      kind: 'aggregate',
      label: w,
      insert: w,
      detail: AGGREGATE_DETAILS[w] ?? (w.endsWith('(') ? 'of a number field' : undefined),
    }));
}

/** The chart names aggregates read (`tokens`, `cost`, `ttft`, …), listed before the attribute keys in a query box. */
export const NAMED_FIELD_KEYS: readonly AttributeKey[] = Object.keys(NAMED_FIELDS).map((key) => ({
  key,
  scopes: ['intrinsic'],
  valueType: 'number',
  seenCount: 0,
  highCardinality: false,
}));

export function historySuggestions(history: readonly string[]): Suggestion[] {
  return history.map((h, i) => ({ id: `history:${i}`, kind: 'history', label: h, insert: h, detail: i === 0 ? 'recent' : undefined }));
}

/**
 * Which item is highlighted when a list appears (-1: none, so Enter applies
 * the filter instead of accepting a suggestion):
 * - history lists: none;
 * - AND / OR lists: none until a word is typed, then the first item, even
 *   when it is exactly that word: `a=1 AND` + Enter gives `a=1 AND ` and the
 *   key list (applying it would take the planoai fallback, a = "1 AND");
 * - key, operator and value lists: the first item when the text as typed does
 *   not parse (Enter could not apply it anyway, e.g. `tenant.id `); otherwise
 *   the first item when something has been typed for the token and the first
 *   item is not exactly that already (for keys, even then: a bare key is
 *   never a complete filter).
 */
export function preselectIndex(ctx: CompletionContext, items: readonly Suggestion[], textParses: boolean): number {
  const first = items[0];
  if (!first || first.kind === 'history' || ctx.kind === 'none') return -1;
  const typed = ctx.prefix.toLowerCase();
  const exact = first.label.toLowerCase() === typed || first.insert.toLowerCase() === typed;
  if (ctx.kind === 'connective') return typed !== '' ? 0 : -1;
  if (!textParses) return 0;
  if (typed === '') return -1;
  if (ctx.kind === 'key') return 0;
  return exact ? -1 : 0;
}
