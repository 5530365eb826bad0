/**
 * Span-attribute rules applied at ingest, before storing (so the promoted columns
 * such as tenant.id and user.id see the result). Plano's rule set:
 *
 * - **Request headers.** Headers of the OTLP request itself (HTTP headers of
 *   POST /v1/traces, gRPC metadata of Export) whose names start with a configured
 *   prefix become attributes of every span of that request: prefix stripped,
 *   leading hyphens trimmed, hyphens → dots (`x-katanemo-user-id` → `user.id`).
 *   An empty remainder is ignored; with several matching prefixes the longest wins.
 * - **Captured headers.** Span attributes `http.request.header.<name>` (what OTel HTTP
 *   instrumentation records; a string or a string array) are mapped the same way
 *   when `<name>` matches a prefix; the original attribute stays. Older semantic
 *   conventions write `_` for `-` in `<name>`, so `_` counts as `-` here.
 * - **Static.** The configured `static` pairs go on every span.
 * - **Precedence**, lowest first: static < request headers < the span's captured
 *   headers < attributes already on the span (its own or its resource's). With
 *   `override_existing: true` the derived ones replace existing attributes instead.
 *
 * Pure: no configuration or I/O is read here (see ./config.ts).
 */
import { setAttr } from '../otlp/common';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../otlp/span-record';
import { type EnrichConfig, type SpanAttributeRules, putOwn } from './config';

/** HTTP headers (a fetch `Headers`), pairs, or a plain object (Node's IncomingHttpHeaders, gRPC metadata maps). */
export type HeaderSource = Headers | Iterable<readonly [string, string]> | Record<string, string | readonly string[] | Uint8Array | undefined>;

export const CAPTURED_HEADER_PREFIX = 'http.request.header.';

/**
 * The attribute key for a header name under the prefixes, or null when no prefix
 * matches or nothing is left after it. `prefixes` must be lowercase (normalizePrefixes).
 */
export function headerAttributeKey(name: string, prefixes: readonly string[]): string | null {
  const lower = name.trim().toLowerCase();
  let best: string | null = null;
  for (const prefix of prefixes) {
    if (prefix !== '' && lower.startsWith(prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  if (best === null) return null;
  const suffix = lower.slice(best.length).replace(/^-+/, '');
  return suffix === '' ? null : suffix.replace(/-/g, '.');
}

function isPairIterable(source: HeaderSource): source is Iterable<readonly [string, string]> | Headers {
  return typeof (source as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function headerEntries(source: HeaderSource): [string, string][] {
  const out: [string, string][] = [];
  if (isPairIterable(source)) {
    for (const [name, value] of source) out.push([name, value]);
    return out;
  }
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') out.push([name, value]);
    else if (Array.isArray(value)) {
      const strings = value.filter((v): v is string => typeof v === 'string');
      if (strings.length > 0) out.push([name, strings.join(', ')]);
    }
    // Uint8Array values are gRPC binary (-bin) metadata: not text, never mapped.
  }
  return out;
}

/** Attributes derived from the request headers matching the prefixes (values trimmed; empty values skipped). */
export function headerAttributes(headers: HeaderSource | null | undefined, prefixes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || prefixes.length === 0) return out;
  // A fixed order (by length, then name), so two headers mapping to one key (`x-katanemo-user-id`,
  // `x-katanemo--user-id`) resolve the same way whatever order they arrived in: the longer name wins.
  const entries = headerEntries(headers).sort((a, b) => a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, value] of entries) {
    const key = headerAttributeKey(name, prefixes);
    const text = value.trim();
    if (key !== null && text !== '') putOwn(out, key, text);
  }
  return out;
}

/** Text of a captured header attribute: a string, or a string array joined like repeated HTTP headers. */
function capturedHeaderText(value: OtlpAnyValue): string | null {
  if ('stringValue' in value) return value.stringValue.trim() || null;
  if ('arrayValue' in value) {
    const parts: string[] = [];
    for (const v of value.arrayValue.values ?? []) if ('stringValue' in v) parts.push(v.stringValue.trim());
    const text = parts.filter((p) => p !== '').join(', ');
    return text === '' ? null : text;
  }
  return null;
}

/** Attributes derived from a span's `http.request.header.<name>` attributes. */
export function capturedHeaderAttributes(attributes: AttributeMap, prefixes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (prefixes.length === 0) return out;
  for (const [attrKey, value] of Object.entries(attributes)) {
    if (!attrKey.startsWith(CAPTURED_HEADER_PREFIX)) continue;
    const name = attrKey.slice(CAPTURED_HEADER_PREFIX.length).replace(/_/g, '-');
    const key = headerAttributeKey(name, prefixes);
    if (key === null) continue;
    const text = capturedHeaderText(value);
    if (text !== null) putOwn(out, key, text);
  }
  return out;
}

export type SpanAttributeRuleOptions = {
  /** Headers (HTTP) or metadata (gRPC) of the OTLP request that carried the spans. */
  headers?: HeaderSource | null;
  config: SpanAttributeRules | EnrichConfig;
};

function rulesOf(config: SpanAttributeRules | EnrichConfig): SpanAttributeRules {
  return 'spanAttributes' in config ? config.spanAttributes : config;
}

/**
 * Applies the rules to every span. Returns a new array; spans that gain nothing
 * are returned as they were, the others are shallow copies with a new attribute map.
 */
export function applySpanAttributeRules(spans: readonly SpanRecord[], { headers, config }: SpanAttributeRuleOptions): SpanRecord[] {
  const rules = rulesOf(config);
  const prefixes = rules.headerPrefixes;
  // Request-wide layer: static, then request headers over it.
  const requestWide: Record<string, string> = { ...rules.static, ...headerAttributes(headers, prefixes) };
  const requestWideEntries = Object.entries(requestWide);
  if (requestWideEntries.length === 0 && prefixes.length === 0) return [...spans];

  return spans.map((span) => {
    const captured = capturedHeaderAttributes(span.attributes, prefixes);
    // Captured headers are the span's own request: they beat the request-wide layer.
    const derived = Object.keys(captured).length === 0 ? requestWideEntries : Object.entries({ ...requestWide, ...captured });
    let attributes: AttributeMap | null = null;
    for (const [key, text] of derived) {
      const own = Object.hasOwn(span.attributes, key) ? span.attributes[key] : undefined;
      if ((own !== undefined || Object.hasOwn(span.resourceAttributes, key)) && !rules.overrideExisting) continue;
      if (own !== undefined && 'stringValue' in own && own.stringValue === text) continue;
      attributes ??= { ...span.attributes };
      setAttr(attributes, key, { stringValue: text });
    }
    return attributes === null ? span : { ...span, attributes };
  });
}
