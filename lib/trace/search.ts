/**
 * Search within one trace: a span matches when its name, its service, one of
 * its span or resource attribute values (array items and kvlist entries
 * included) or its span id contains the text, ignoring case.
 */
import type { AttributeMap } from '../otlp/span-record';
import { collectSearchText } from './any-value';

export type SearchableSpan = { spanId: string; name: string; service: string; attributes: AttributeMap; resourceAttributes: AttributeMap };

/** The lowercased text a span is searched in (build once per trace, reuse for every keystroke). */
export function searchHaystack(span: SearchableSpan): string {
  const parts: string[] = [span.name, span.service, span.spanId];
  for (const v of Object.values(span.attributes)) collectSearchText(v, parts);
  for (const v of Object.values(span.resourceAttributes)) collectSearchText(v, parts);
  // A separator no query contains, so a match never spans two values.
  return parts.join('\u0000').toLowerCase();
}

/** Indices of the haystacks containing `query` (trimmed, case-insensitive); null for a blank query. */
export function searchSpans(haystacks: readonly string[], query: string): number[] | null {
  const q = query.trim().toLowerCase();
  if (q === '') return null;
  const out: number[] = [];
  for (let i = 0; i < haystacks.length; i++) if (haystacks[i].includes(q)) out.push(i);
  return out;
}
