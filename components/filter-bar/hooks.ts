'use client';
/** React hooks of the filter bar: catalog, values, the `/` shortcut. */
import { type RefObject, useEffect, useState } from 'react';
import { type RangeQuery, isFresh, loadAttributeKeys, loadValues, peekValues, valuesUrl } from './data';
import type { AttributeKey, ValueCount } from './suggestions';

/** The attribute catalog, loaded once per page load ([] until it arrives or if it fails). */
export function useAttributeKeys(): { keys: AttributeKey[]; error: string | null } {
  const [state, setState] = useState<{ keys: AttributeKey[]; error: string | null }>({ keys: [], error: null });
  useEffect(() => {
    let cancelled = false;
    loadAttributeKeys().then(
      (keys) => {
        if (!cancelled) setState({ keys, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setState({ keys: [], error: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

export type ValuesState = { values: ValueCount[] | null; loading: boolean; error: string | null };

/**
 * Top values of `key` in the range (null key: nothing to load). Loads after
 * `debounceMs` of the key/range staying the same; cached values show at once
 * (and are refreshed in the background once older than a minute). With
 * `keepPrevious`, the last values shown stay while another key/range loads.
 */
export function useAttributeValues(
  key: string | null,
  range: RangeQuery,
  { limit = 50, debounceMs = 200, keepPrevious = false }: { limit?: number; debounceMs?: number; keepPrevious?: boolean } = {},
): ValuesState {
  const url = key ? valuesUrl(key, range, limit) : null;
  const [result, setResult] = useState<{ url: string; values: ValueCount[] | null; error: string | null } | null>(null);

  useEffect(() => {
    if (!url || isFresh(url)) return;
    let cancelled = false;
    const timer = setTimeout(
      () => {
        loadValues(url).then(
          (values) => {
            if (!cancelled) setResult({ url, values, error: null });
          },
          (err: unknown) => {
            if (!cancelled) setResult({ url, values: null, error: err instanceof Error ? err.message : String(err) });
          },
        );
      },
      peekValues(url) ? 0 : debounceMs,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [url, debounceMs]);

  let state: ValuesState;
  if (!url) state = { values: null, loading: false, error: null };
  else if (result?.url === url) state = { values: result.values ?? peekValues(url), loading: false, error: result.error };
  else {
    const cached = peekValues(url);
    state = cached ? { values: cached, loading: false, error: null } : { values: null, loading: true, error: null };
  }
  // The last load's values (another key or range) while this one is on its way.
  if (keepPrevious && state.loading && result?.values) return { ...state, values: result.values };
  return state;
}

/** Whether a key press in `target` is typing (so `/` must not be taken over). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/**
 * `/` pressed anywhere on the page (outside inputs, selects, text areas and
 * editable content, without modifiers) focuses the element, cursor at the end.
 */
export function useSlashFocus(ref: RefObject<HTMLInputElement | null>, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.isComposing) return;
      if (isTypingTarget(e.target)) return;
      const el = ref.current;
      if (!el || el.disabled) return;
      e.preventDefault();
      el.focus();
      const end = el.value.length;
      el.setSelectionRange(end, end);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [ref, enabled]);
}
