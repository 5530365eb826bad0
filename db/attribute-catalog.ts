/**
 * Folds a batch of spans into catalog rows: per key and scope, its value type and
 * how often it was seen; per key, counts of its short scalar values.
 */
import type { AttributeMap, SpanRecord } from '../lib/otlp/span-record';
import { type AnyValueKind, anyValueKind } from '../lib/trace/any-value';
import { setValueText } from './trace-attribute-set';

export type CatalogKeyRow = { key: string; scope: 'span' | 'resource'; value_type: string; seen_count: number; last_seen_ns: string };
export type CatalogValueRow = { key: string; value: string; seen_count: number; last_seen_ns: string };

/** Values longer than this (prompts, stack traces) are not worth suggesting. */
const MAX_VALUE_LENGTH = 200;

/** Kinds whose values are suggested (arrays and kvlists are not values one types into a filter). */
const SUGGESTED_KINDS: ReadonlySet<AnyValueKind> = new Set(['string', 'int', 'double', 'bool', 'bytes']);

/**
 * `valuesDone`: keys whose values the catalog no longer collects (high-cardinality keys at
 * their cap): only their key counts are folded.
 */
export function catalogEntries(spans: SpanRecord[], valuesDone: ReadonlySet<string> = new Set()): { keys: CatalogKeyRow[]; values: CatalogValueRow[] } {
  const keys = new Map<string, CatalogKeyRow>();
  const values = new Map<string, CatalogValueRow>();
  // Resource attributes repeat on every span of a resource; count each map object once.
  const seenResources = new Set<AttributeMap>();

  // Last-seen times compare as bigints and become text once at the end (parsing a BigInt per attribute cost more than the fold).
  const lastSeenOf = new Map<CatalogKeyRow | CatalogValueRow, bigint>();
  const seenAt = (row: CatalogKeyRow | CatalogValueRow, at: bigint) => {
    const old = lastSeenOf.get(row);
    if (old === undefined || at > old) lastSeenOf.set(row, at);
  };

  const fold = (map: AttributeMap, scope: 'span' | 'resource', lastSeen: bigint) => {
    for (const key in map) {
      const value = map[key];
      const type = anyValueKind(value);
      const keyId = `${scope}\u0000${key}`;
      const k = keys.get(keyId);
      if (!k) {
        const row: CatalogKeyRow = { key, scope, value_type: type, seen_count: 1, last_seen_ns: '' };
        keys.set(keyId, row);
        seenAt(row, lastSeen);
      } else {
        k.seen_count++;
        if (k.value_type !== type) k.value_type = 'mixed';
        seenAt(k, lastSeen);
      }
      if (valuesDone.has(key)) continue;
      const text = SUGGESTED_KINDS.has(type) ? setValueText(value) : null;
      if (text === null || text.length > MAX_VALUE_LENGTH) continue;
      const valueId = `${key}\u0000${text}`;
      const v = values.get(valueId);
      if (!v) {
        const row: CatalogValueRow = { key, value: text, seen_count: 1, last_seen_ns: '' };
        values.set(valueId, row);
        seenAt(row, lastSeen);
      } else {
        v.seen_count++;
        seenAt(v, lastSeen);
      }
    }
  };

  for (const span of spans) {
    const lastSeen = span.startTimeUnixNano;
    fold(span.attributes, 'span', lastSeen);
    if (!seenResources.has(span.resourceAttributes)) {
      seenResources.add(span.resourceAttributes);
      fold(span.resourceAttributes, 'resource', lastSeen);
    }
  }
  for (const [row, at] of lastSeenOf) row.last_seen_ns = at.toString();
  return { keys: [...keys.values()], values: [...values.values()] };
}
