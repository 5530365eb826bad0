/**
 * Links from a span attribute to the trace list filtered by it: the list's
 * current `where` filters (carried over to the trace page) plus `key=value`
 * (or `key!=value`), and the time range. Values are written in the grammar's
 * syntax: numbers and booleans bare, strings quoted when they would not read
 * back as the same string.
 */
import { isIntrinsicName, needsQuotes, quoteString } from '../where';
import { KEY_RE } from '../where/scanner';
import type { OtlpAnyValue } from '../otlp/span-record';

/** The list parameters a trace page carries (from the list's URL). */
export type ListContext = { wheres: readonly string[]; from?: string | null; to?: string | null; since?: string | null };

/** `key=value` / `key!=value` in the grammar, or null when the key or value cannot be filtered on that way. */
export function attributeTerm(key: string, value: OtlpAnyValue, negate = false): string | null {
  // Keys outside the grammar's key syntax, or spelled like an intrinsic field, cannot name this attribute.
  if (!KEY_RE.test(key) || isIntrinsicName(key)) return null;
  const op = negate ? '!=' : '=';
  if ('stringValue' in value) {
    const text = value.stringValue;
    return `${key}${op}${needsQuotes(text) ? quoteString(text) : text}`;
  }
  if ('intValue' in value) return `${key}${op}${value.intValue}`;
  if ('doubleValue' in value) return typeof value.doubleValue === 'number' && Number.isFinite(value.doubleValue) ? `${key}${op}${value.doubleValue}` : null;
  if ('boolValue' in value) return `${key}${op}${value.boolValue}`;
  return null;
}

/** `/?where=…&where=…&from=…&to=…` — the trace list with the context's filters plus `extra` (when given). */
export function traceListHref(ctx: ListContext, extra: string | null = null): string {
  const params = new URLSearchParams();
  for (const w of ctx.wheres) if (w.trim() !== '') params.append('where', w);
  if (extra) params.append('where', extra);
  if (ctx.from) params.set('from', ctx.from);
  if (ctx.to) params.set('to', ctx.to);
  if (ctx.since && !ctx.from) params.set('since', ctx.since);
  const qs = params.toString();
  return qs ? `/?${qs}` : '/';
}

/** The list filtered by `key=value` (or `key!=value`); null when the attribute is not filterable. */
export function attributeFilterHref(ctx: ListContext, key: string, value: OtlpAnyValue, negate = false): string | null {
  const term = attributeTerm(key, value, negate);
  return term === null ? null : traceListHref(ctx, term);
}
