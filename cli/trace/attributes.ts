/**
 * Which span attributes `tracedeck trace` shows, in what order, and how an
 * error is recognised — planoai's rules, applied to Tracedeck's stored spans.
 * Pure.
 */
import type { StoredSpan } from '../../lib/trace/wire';
import type { AttributeMap, OtlpAnyValue } from '../../lib/otlp/span-record';

export type AttrPair = [key: string, value: string];

/** An attribute value as text: strings as they are, numbers and booleans in their usual spelling. */
export function anyValueText(value: OtlpAnyValue): string | null {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return value.intValue;
  if ('doubleValue' in value) return String(value.doubleValue);
  if ('boolValue' in value) return String(value.boolValue);
  if ('bytesValue' in value) return value.bytesValue;
  if ('arrayValue' in value) return `[${(value.arrayValue.values ?? []).map((v) => anyValueText(v) ?? '').join(', ')}]`;
  if ('kvlistValue' in value) {
    return `{${(value.kvlistValue.values ?? []).map((kv) => `${kv.key}: ${anyValueText(kv.value) ?? ''}`).join(', ')}}`;
  }
  return null;
}

export function attributePairs(map: AttributeMap): AttrPair[] {
  const out: AttrPair[] = [];
  for (const [key, value] of Object.entries(map)) {
    const text = anyValueText(value);
    if (text !== null) out.push([key, text]);
  }
  return out;
}

/**
 * Shell-style glob as Python's fnmatch (planoai's matcher): `*` any run, `?` one
 * character, `[abc]` / `[!abc]` a set. Case-sensitive; the whole key must match.
 */
export function globMatch(text: string, pattern: string): boolean {
  return globRegExp(pattern).test(text);
}

const globCache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`);
  globCache.set(pattern, compiled);
  return compiled;
}

/** Patterns of --filter that match none of the known keys (planoai then warns and filters nothing). */
export function unmatchedPatterns(patterns: readonly string[], knownKeys: Iterable<string>): string[] {
  const keys = [...knownKeys];
  return patterns.filter((p) => !keys.some((k) => globMatch(k, p)));
}

export function filterAttributes(pairs: readonly AttrPair[], patterns: readonly string[]): AttrPair[] {
  if (patterns.length === 0) return [...pairs];
  return pairs.filter(([key]) => patterns.some((p) => globMatch(key, p)));
}

/** Keys kept for inbound/outbound spans unless --verbose (planoai's trimmed view). */
export const INBOUND_OUTBOUND_KEYS: readonly string[] = [
  'http.method',
  'http.target',
  'http.status_code',
  'url.scheme',
  'guid:x-request-id',
  'request_size',
  'response_size',
];

export function trimForDisplay(pairs: readonly AttrPair[], service: string, verbose: boolean): AttrPair[] {
  if (verbose) return [...pairs];
  const lower = service.toLowerCase();
  const edge = lower.includes('inbound') || lower.includes('outbound');
  return pairs.filter(([key]) => (!edge || INBOUND_OUTBOUND_KEYS.includes(key)) && key !== 'service.name.override');
}

/** Error keys first, then planoai's usual keys in its order, then the rest by name. */
const PRIORITY: readonly string[] = [
  'http.status_code',
  'error.type',
  'error.message',
  'error.stack',
  'exception.type',
  'exception.message',
  'http.method',
  'http.target',
  'guid:x-request-id',
  'request_size',
  'response_size',
  'routing.determination_ms',
  'route.selected_model',
  'selection.agents',
  'selection.agent_count',
  'agent.name',
  'agent.sequence',
  'duration_ms',
  'llm.model',
  'llm.is_streaming',
  'llm.time_to_first_token',
  'llm.duration_ms',
  'llm.response_bytes',
];

export function sortAttributes(pairs: readonly AttrPair[]): AttrPair[] {
  const rank = (key: string) => {
    const i = PRIORITY.indexOf(key);
    return i < 0 ? PRIORITY.length : i;
  };
  return [...pairs].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The attributes shown under a span: its own, plus (with --verbose) its
 * resource's that it does not override, except service.name (shown as the service).
 */
export function displayAttributes(span: StoredSpan, { verbose, patterns }: { verbose: boolean; patterns: readonly string[] }): AttrPair[] {
  let pairs = attributePairs(span.attributes);
  if (verbose) {
    const own = new Set(pairs.map(([k]) => k));
    pairs = pairs.concat(attributePairs(span.resourceAttributes).filter(([k]) => !own.has(k) && k !== 'service.name'));
  }
  return sortAttributes(trimForDisplay(filterAttributes(pairs, patterns), span.service, verbose));
}

/** planoai's phrase for an HTTP error status. */
export function statusPhrase(code: number): string {
  if (code === 500) return 'Internal Server Error';
  if (code === 502) return 'Bad Gateway';
  if (code === 503) return 'Service Unavailable';
  if (code === 504) return 'Gateway Timeout';
  if (code >= 500) return 'Server Error';
  if (code === 429) return 'Rate Limit Exceeded';
  if (code === 404) return 'Not Found';
  if (code === 403) return 'Forbidden - Access Denied';
  if (code === 401) return 'Unauthorized - Auth Required';
  if (code === 400) return 'Bad Request';
  if (code >= 400) return 'Client Error';
  return 'Error';
}

/** planoai's marker after an error status code. */
export function statusSymbol(code: number): string {
  if (code >= 500) return '💥';
  if (code === 429) return '🚦';
  if (code === 404) return '🔍';
  if (code === 403) return '🚫';
  if (code === 401) return '🔐';
  if (code >= 400) return '⚠️';
  return '❓';
}

export function displayValue(key: string, value: string): string {
  if (key === 'http.status_code' && /^\d+$/.test(value) && Number(value) >= 400) return `${value} ${statusSymbol(Number(value))}`;
  return value;
}

/**
 * The banner text of a failed span, or null: the HTTP status phrase for a
 * status ≥ 400, else `error.message` / `exception.message` (as planoai); then,
 * beyond planoai, an `exception` event's message or an error status.
 */
export function spanErrorBanner(span: StoredSpan): string | null {
  const attrs = new Map(attributePairs(span.attributes));
  const status = attrs.get('http.status_code');
  if (status && /^\d+$/.test(status) && Number(status) >= 400) return statusPhrase(Number(status));
  const message = attrs.get('error.message') ?? attrs.get('exception.message');
  if (message !== undefined) return message;
  for (const event of span.events) {
    if (event.name !== 'exception') continue;
    const value = event.attributes['exception.message'];
    const text = value ? anyValueText(value) : null;
    if (text) return text;
  }
  if (span.status.code === 2) return span.status.message || 'Error';
  return null;
}
