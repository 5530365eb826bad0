/**
 * Readable forms of OTLP AnyValues (as stored: canonical OTLP/JSON) for the span
 * panel and the in-trace search. The UI renders these as text, never as HTML.
 */
import type { OtlpAnyValue } from '../otlp/span-record';

export type AnyValueKind = 'string' | 'int' | 'double' | 'bool' | 'bytes' | 'array' | 'kvlist' | 'empty';

export function anyValueKind(v: OtlpAnyValue): AnyValueKind {
  if ('stringValue' in v) return 'string';
  if ('intValue' in v) return 'int';
  if ('doubleValue' in v) return 'double';
  if ('boolValue' in v) return 'bool';
  if ('bytesValue' in v) return 'bytes';
  if ('arrayValue' in v) return 'array';
  if ('kvlistValue' in v) return 'kvlist';
  return 'empty';
}

/** The text of a scalar value (what a `key=value` filter compares); null for bytes, arrays, kvlists and empty values. */
export function scalarText(v: OtlpAnyValue): string | null {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  return null;
}

/** Decodes base64 (standard or URL-safe alphabet) without Node's Buffer, so it runs in the browser too. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
  try {
    const bin = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array(0);
  }
}

/** Bytes as hex, shortened after `maxBytes` bytes: "0a1bff… (1,024 bytes)". */
export function bytesPreview(b64: string, maxBytes = 24): string {
  const bytes = base64ToBytes(b64);
  let hex = '';
  for (let i = 0; i < Math.min(bytes.length, maxBytes); i++) hex += bytes[i].toString(16).padStart(2, '0');
  const more = bytes.length > maxBytes ? '…' : '';
  return `0x${hex}${more} (${bytes.length.toLocaleString('en-US')} byte${bytes.length === 1 ? '' : 's'})`;
}

/**
 * One-line text of any value: strings as is at top level and JSON-quoted inside
 * arrays and kvlists, arrays as [a, b], kvlists as {k: v}, bytes as hex.
 */
export function anyValueToText(v: OtlpAnyValue, nested = false): string {
  if ('stringValue' in v) return nested ? JSON.stringify(v.stringValue) : v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('bytesValue' in v) return bytesPreview(v.bytesValue);
  if ('arrayValue' in v) return `[${(v.arrayValue.values ?? []).map((x) => anyValueToText(x, true)).join(', ')}]`;
  if ('kvlistValue' in v) return `{${(v.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${anyValueToText(kv.value, true)}`).join(', ')}}`;
  return nested ? 'null' : '';
}

/** Every scalar text inside a value (for search): array items and kvlist keys and values included. */
export function collectSearchText(v: OtlpAnyValue, out: string[]): void {
  if ('arrayValue' in v) for (const x of v.arrayValue.values ?? []) collectSearchText(x, out);
  else if ('kvlistValue' in v) {
    for (const kv of v.kvlistValue.values ?? []) {
      out.push(kv.key);
      collectSearchText(kv.value, out);
    }
  } else if ('bytesValue' in v) out.push(v.bytesValue);
  else {
    const t = scalarText(v);
    if (t !== null) out.push(t);
  }
}
