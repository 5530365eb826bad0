/**
 * A trace's attribute set (`traces.attribute_set`): for each key, the distinct values
 * its spans carry, as `{s: text, n?: number}`. Built here from the decoded batch —
 * cheaper in JS than in SQL, and never able to fail on an odd value — and merged into
 * the stored set by the ingest statement (`td_set_union`), which is idempotent, so an
 * exporter's retry changes nothing.
 *
 * `s` and `n` follow the SQL helpers the span-level filters use (td_ctext / td_cnum on the
 * compact span columns, which read as td_text / td_num read the canonical form; db/migrations),
 * so trace-level and span-level answers agree.
 */
import type { AttributeMap, OtlpAnyValue } from '../lib/otlp/span-record';

export type SetValue = { s: string; n?: number };
export type AttributeSet = Record<string, SetValue[]>;

// Same test as td_num: a plain decimal with an optional 1–2 digit exponent, at most
// 200 characters (so neither side can overflow a float8).
const NUMERIC_TEXT = /^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$/;

/** The value as td_text reads it. */
export function setValueText(value: OtlpAnyValue): string | null {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return String(value.intValue);
  if ('doubleValue' in value) return String(value.doubleValue);
  if ('boolValue' in value) return String(value.boolValue);
  if ('bytesValue' in value) return value.bytesValue;
  if ('arrayValue' in value || 'kvlistValue' in value) return JSON.stringify(value);
  return null;
}

/** The value as td_num reads it: ints, finite doubles, numeric strings. */
export function setValueNumber(value: OtlpAnyValue): number | null {
  let n: number;
  if ('intValue' in value) n = Number(value.intValue);
  else if ('doubleValue' in value) n = typeof value.doubleValue === 'number' ? value.doubleValue : NaN;
  else if ('stringValue' in value && value.stringValue.length <= 200 && NUMERIC_TEXT.test(value.stringValue)) n = Number(value.stringValue);
  else return null;
  return Number.isFinite(n) ? n : null;
}

/** Accumulates the sets of several traces; one per (tenant, trace) key. */
export class AttributeSetBuilder {
  private readonly sets = new Map<string, Map<string, Map<string, SetValue>>>();

  /** Adds one span: its span attributes over its resource attributes, as the grammar reads a key. */
  add(traceKey: string, attributes: AttributeMap, resourceAttributes: AttributeMap): void {
    let set = this.sets.get(traceKey);
    if (!set) this.sets.set(traceKey, (set = new Map()));
    for (const key in resourceAttributes) if (!(key in attributes)) addValue(set, key, resourceAttributes[key]);
    for (const key in attributes) addValue(set, key, attributes[key]);
  }

  get(traceKey: string): AttributeSet {
    const out: AttributeSet = {};
    for (const [key, values] of this.sets.get(traceKey) ?? []) out[key] = [...values.values()];
    return out;
  }

  keys(): IterableIterator<string> {
    return this.sets.keys();
  }
}

function addValue(set: Map<string, Map<string, SetValue>>, key: string, value: OtlpAnyValue): void {
  let values = set.get(key);
  // An empty AnyValue still makes the key present (`key exists`), with no value to match.
  if (!values) set.set(key, (values = new Map()));
  const s = setValueText(value);
  if (s === null || values.has(s)) return;
  const n = setValueNumber(value);
  values.set(s, n === null ? { s } : { s, n });
}
