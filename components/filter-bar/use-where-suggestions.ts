'use client';
/**
 * What the where box's list shows for the text and cursor: recent filters, or
 * completions (keys, operators, a key's values, AND / OR), and a note when
 * there is nothing to list yet (values loading, a duration to type, …).
 */
import { useMemo } from 'react';
import { type CompletionContext, completionContext } from '@/lib/where/complete';
import type { RangeQuery } from './data';
import { useAttributeValues } from './hooks';
import { type AttributeKey, NAMED_FIELD_KEYS, type Suggestion, type ValueCount, buildSuggestions, historySuggestions, valueSource } from './suggestions';

export type WhereSuggestionsInput = {
  text: string;
  /** Cursor offset, already clipped to the text. */
  cursor: number;
  keys: readonly AttributeKey[];
  range: RangeQuery;
  history: readonly string[];
  /** The history button was pressed: list recent filters whatever the text. */
  historyMode: boolean;
  /** The list is open (values are fetched only then). */
  listOpen: boolean;
  /** The text is an aggregate query: pipeline contexts, aggregate names and the chart's field names too. */
  query?: boolean;
};

export type WhereSuggestions = {
  ctx: CompletionContext;
  showHistory: boolean;
  items: Suggestion[];
  note: string | null;
};

export function useWhereSuggestions({ text, cursor, keys, range, history, historyMode, listOpen, query = false }: WhereSuggestionsInput): WhereSuggestions {
  const ctx = useMemo(() => completionContext(text, cursor, { query }), [text, cursor, query]);
  const keyList = useMemo(() => (query ? [...NAMED_FIELD_KEYS, ...keys] : keys), [query, keys]);
  const showHistory = history.length > 0 && (historyMode || text.trim() === '');
  const source = !showHistory && ctx.kind === 'value' ? valueSource(ctx.key, keys) : null;
  const fetched = useAttributeValues(listOpen && source?.kind === 'fetch' ? source.key : null, range, { limit: 50, debounceMs: 200 });
  const values: ValueCount[] | null =
    source?.kind === 'static' ? source.values.map((value) => ({ value, count: 0 })) : source?.kind === 'fetch' ? fetched.values : null;

  const items: Suggestion[] = useMemo(
    () => (showHistory ? historySuggestions(history) : buildSuggestions(ctx, { keys: keyList, values })),
    [showHistory, history, ctx, keyList, values],
  );

  let note: string | null = null;
  if (source?.kind === 'none') note = source.note;
  else if (source?.kind === 'fetch' && items.length === 0) {
    if (fetched.loading) note = 'Loading values…';
    else if (fetched.error) note = `Could not load values: ${fetched.error}`;
    else if (ctx.kind === 'value' && ctx.prefix === '') note = 'No values seen in this time range';
  }
  return { ctx, showHistory, items, note };
}
