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

export function catalogEntries(spans: SpanRecord[]): { keys: CatalogKeyRow[]; values: CatalogValueRow[] } {
  const keys = new Map<string, CatalogKeyRow>();
  const values = new Map<string, CatalogValueRow>();
  // Resource attributes repeat on every span of a resource; count each map object once.
  const seenResources = new Set<AttributeMap>();

  const fold = (map: AttributeMap, scope: 'span' | 'resource', lastSeen: string) => {
    for (const key in map) {
      const value = map[key];
      const type = anyValueKind(value);
      const keyId = `${scope}\u0000${key}`;
      const k = keys.get(keyId);
      if (!k) keys.set(keyId, { key, scope, value_type: type, seen_count: 1, last_seen_ns: lastSeen });
      else {
        k.seen_count++;
        if (k.value_type !== type) k.value_type = 'mixed';
        if (BigInt(lastSeen) > BigInt(k.last_seen_ns)) k.last_seen_ns = lastSeen;
      }
      const text = SUGGESTED_KINDS.has(type) ? setValueText(value) : null;
      if (text === null || text.length > MAX_VALUE_LENGTH) continue;
      const valueId = `${key}\u0000${text}`;
      const v = values.get(valueId);
      if (!v) values.set(valueId, { key, value: text, seen_count: 1, last_seen_ns: lastSeen });
      else v.seen_count++;
    }
  };

  for (const span of spans) {
    const lastSeen = span.startTimeUnixNano.toString();
    fold(span.attributes, 'span', lastSeen);
    if (!seenResources.has(span.resourceAttributes)) {
      seenResources.add(span.resourceAttributes);
      fold(span.resourceAttributes, 'resource', lastSeen);
    }
  }
  return { keys: [...keys.values()], values: [...values.values()] };
}
