/**
 * From stored OTLP values to plain data, and the text forms the readers share:
 * pretty JSON for tool arguments and unknown parts, and flattened keys
 * (`a.0.b`) folded back into objects and arrays.
 */
import type { AttributeMap, OtlpAnyValue } from '../otlp/span-record';

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export function isObject(v: unknown): v is Record<string, Plain> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An AnyValue as plain data: kvlists become objects, int64 strings stay strings (exact), bytes stay base64. */
export function toPlain(v: OtlpAnyValue): Plain {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return typeof v.doubleValue === 'number' ? v.doubleValue : String(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(toPlain);
  if ('kvlistValue' in v) {
    const out: Record<string, Plain> = {};
    for (const kv of v.kvlistValue.values ?? []) Object.defineProperty(out, kv.key, { value: toPlain(kv.value), enumerable: true, writable: true });
    return out;
  }
  return null;
}

export type Parsed = { ok: true; value: Plain } | { ok: false; error: string };

/** A JSON document stored as a string, or structured data stored as an OTLP array/kvlist. */
export function structuredValue(v: OtlpAnyValue): Parsed {
  if (!('stringValue' in v)) return { ok: true, value: toPlain(v) };
  try {
    return { ok: true, value: JSON.parse(v.stringValue) as Plain };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Text of a value: strings as they are, anything else as pretty JSON. */
export function textOf(v: Plain | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

/** Tool-call arguments for reading: a JSON text or object pretty-printed, other text as sent. */
export function prettyArguments(v: Plain | undefined): string {
  if (typeof v !== 'string') return textOf(v);
  try {
    const parsed = JSON.parse(v) as Plain;
    return typeof parsed === 'object' && parsed !== null ? JSON.stringify(parsed, null, 2) : v;
  } catch {
    return v;
  }
}

/** A string field of an object, or null. Numbers count (ids are sometimes numbers). */
export function field(obj: Record<string, Plain>, ...names: string[]): string | null {
  for (const name of names) {
    const v = Object.hasOwn(obj, name) ? obj[name] : undefined;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

/** A stored value as text for the raw view: strings as stored, anything else as its plain JSON. */
export function rawText(v: OtlpAnyValue): string {
  return 'stringValue' in v ? v.stringValue : JSON.stringify(toPlain(v), null, 2);
}

/**
 * The attributes under `prefix.` folded into a tree: `prefix.0.role` and `prefix.0.tool_calls.1.name`
 * become `[{ role, tool_calls: [ , { name } ] }]`. Objects whose keys are all indexes become arrays,
 * in index order (gaps dropped). Null when no key has the prefix.
 */
export function unflatten(attributes: AttributeMap, prefix: string): { tree: Plain; keys: string[] } | null {
  const root: Record<string, Plain> = {};
  const keys: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(`${prefix}.`)) continue;
    keys.push(key);
    const path = key.slice(prefix.length + 1).split('.');
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = Object.hasOwn(node, path[i]) ? node[path[i]] : undefined;
      if (!isObject(next)) Object.defineProperty(node, path[i], { value: {}, enumerable: true, writable: true });
      node = node[path[i]] as Record<string, Plain>;
    }
    Object.defineProperty(node, path[path.length - 1], { value: toPlain(value), enumerable: true, writable: true });
  }
  return keys.length === 0 ? null : { tree: arraysFromIndexes(root), keys: keys.sort() };
}

function arraysFromIndexes(node: Plain): Plain {
  if (!isObject(node)) return node;
  const entries = Object.entries(node).map(([k, v]) => [k, arraysFromIndexes(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  const out: Record<string, Plain> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
  return out;
}
