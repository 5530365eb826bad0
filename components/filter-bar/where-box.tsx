'use client';
/**
 * The `where` box: a single-line monospace input with autocomplete, live
 * validation (wavy underline under exactly the characters a diagnostic names,
 * drawn by a mirror div behind the transparent input) and recent filters.
 *
 * Controlled: the draft text lives in the parent (the tenant dropdown reads
 * it too). The text is applied (onApply) on Enter with no suggestion
 * highlighted, on blur when it changed, or when a history entry is picked —
 * and only when it parses.
 */
import { type KeyboardEvent, type RefObject, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { parseWhere, serializeWhere } from '@/lib/where';
import { applyCompletion, completionContext, isPlanoaiFallback } from '@/lib/where/complete';
import type { RangeQuery } from './data';
import { type WhereProblem, underlineParts } from './derive';
import { useAttributeValues } from './hooks';
import styles from './filter-bar.module.css';
import {
  type AttributeKey,
  type Suggestion,
  type ValueCount,
  buildSuggestions,
  historySuggestions,
  preselectIndex,
  valueSource,
} from './suggestions';

export type { WhereProblem };

export type WhereBoxProps = {
  text: string;
  /** The text currently applied (value.where); a change from it is applied on blur. */
  appliedText: string;
  onTextChange: (text: string) => void;
  /** Called with a text that parses. */
  onApply: (text: string) => void;
  keys: readonly AttributeKey[];
  range: RangeQuery;
  history: readonly string[];
  /** An error the server reported for the applied text (shown while the text is unchanged). */
  serverError?: WhereProblem | null;
  inputRef: RefObject<HTMLInputElement | null>;
  placeholder?: string;
};

export function WhereBox({
  text,
  appliedText,
  onTextChange,
  onApply,
  keys,
  range,
  history,
  serverError = null,
  inputRef,
  placeholder = 'Filter, e.g. tenant.id=acme-corp AND http.status_code>=500',
}: WhereBoxProps) {
  const id = useId();
  const listId = `${id}-list`;
  const messageId = `${id}-msg`;
  const optionId = (i: number) => `${id}-opt-${i}`;

  const mirrorRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const pendingCursor = useRef<number | null>(null);
  const [cursor, setCursor] = useState(text.length);
  const [focused, setFocused] = useState(false);
  const [open, setOpen] = useState(false);
  const [historyMode, setHistoryMode] = useState(false);
  const [active, setActive] = useState<{ sig: string; index: number } | null>(null);

  const parsed = useMemo(() => parseWhere(text), [text]);
  const localProblem: WhereProblem | null = parsed.diagnostics[0] ?? null;
  // Text the grammar rejects but planoai's `key=value` form accepts: valid,
  // but most likely still being typed (`a=1 AN`), so suggestions act as if invalid.
  const fallback = useMemo(() => (isPlanoaiFallback(parsed.ast) ? serializeWhere(parsed.ast) : null), [parsed]);
  const problem: WhereProblem | null = localProblem ?? (serverError && text === appliedText ? serverError : null);
  const parts = underlineParts(text, problem);

  const safeCursor = Math.min(cursor, text.length);
  const ctx = useMemo(() => completionContext(text, safeCursor), [text, safeCursor]);
  const showHistory = history.length > 0 && (historyMode || text.trim() === '');
  const source = !showHistory && ctx.kind === 'value' ? valueSource(ctx.key, keys) : null;
  const listOpen = focused && open;
  const fetched = useAttributeValues(listOpen && source?.kind === 'fetch' ? source.key : null, range, { limit: 50, debounceMs: 200 });
  const values: ValueCount[] | null =
    source?.kind === 'static' ? source.values.map((value) => ({ value, count: 0 })) : source?.kind === 'fetch' ? fetched.values : null;

  const items: Suggestion[] = useMemo(
    () => (showHistory ? historySuggestions(history) : buildSuggestions(ctx, { keys, values })),
    [showHistory, history, ctx, keys, values],
  );

  let note: string | null = null;
  if (source?.kind === 'none') note = source.note;
  else if (source?.kind === 'fetch' && items.length === 0) {
    if (fetched.loading) note = 'Loading values…';
    else if (fetched.error) note = `Could not load values: ${fetched.error}`;
    else if (ctx.kind === 'value' && ctx.prefix === '') note = 'No values seen in this time range';
  }

  const sig = `${showHistory ? 'h' : 'c'}|${safeCursor}|${text}|${items.length}`;
  const defaultIndex = showHistory ? -1 : preselectIndex(ctx, items, localProblem === null && fallback === null);
  const activeIndex = active && active.sig === sig ? Math.min(active.index, items.length - 1) : defaultIndex;
  const listVisible = listOpen && (items.length > 0 || note !== null);
  const optionsVisible = listVisible && items.length > 0;

  const syncScroll = () => {
    const input = inputRef.current;
    const mirror = mirrorRef.current;
    if (input && mirror) mirror.scrollLeft = input.scrollLeft;
  };

  // Put the cursor where an accepted suggestion ends, once the new text is in the input.
  useLayoutEffect(() => {
    const input = inputRef.current;
    const at = pendingCursor.current;
    if (input && at !== null) {
      pendingCursor.current = null;
      input.setSelectionRange(at, at);
    }
    syncScroll();
  });

  // Keep the highlighted option in view (scrolling the list only, never the page).
  useEffect(() => {
    const list = listRef.current;
    if (!optionsVisible || activeIndex < 0 || !list) return;
    const option = document.getElementById(optionId(activeIndex));
    if (!option) return;
    if (option.offsetTop < list.scrollTop) list.scrollTop = option.offsetTop;
    else if (option.offsetTop + option.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = option.offsetTop + option.offsetHeight - list.clientHeight;
    }
  }, [optionsVisible, activeIndex]);

  const tryApply = (candidate: string): boolean => {
    if (parseWhere(candidate).diagnostics.length > 0) return false;
    onApply(candidate);
    return true;
  };

  const closeList = () => {
    setOpen(false);
    setHistoryMode(false);
  };

  const accept = (item: Suggestion) => {
    if (item.kind === 'history') {
      pendingCursor.current = item.insert.length;
      setCursor(item.insert.length);
      onTextChange(item.insert);
      closeList();
      tryApply(item.insert);
      return;
    }
    const edit = applyCompletion(text, ctx, item.insert);
    pendingCursor.current = edit.cursor;
    setCursor(edit.cursor);
    onTextChange(edit.text);
    setHistoryMode(false);
    // After a value the term is complete: close, so Enter applies the filter.
    setOpen(item.kind !== 'value');
  };

  const move = (delta: 1 | -1) => {
    const n = items.length;
    if (n === 0) return;
    const next = activeIndex < 0 ? (delta > 0 ? 0 : n - 1) : (activeIndex + delta + n) % n;
    setActive({ sig, index: next });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        e.preventDefault();
        const delta = e.key === 'ArrowDown' ? 1 : -1;
        if (!optionsVisible) {
          setOpen(true);
          if (items.length > 0) setActive({ sig, index: delta > 0 ? 0 : items.length - 1 });
        } else move(delta);
        break;
      }
      case 'Enter':
        e.preventDefault();
        if (optionsVisible && activeIndex >= 0) accept(items[activeIndex]);
        else {
          closeList();
          tryApply(text);
        }
        break;
      case 'Tab':
        // Only a highlighted suggestion is taken; otherwise Tab moves focus as usual.
        if (optionsVisible && activeIndex >= 0 && !e.shiftKey) {
          e.preventDefault();
          accept(items[activeIndex]);
        }
        break;
      case 'Escape':
        if (listVisible) {
          e.preventDefault();
          closeList();
        }
        break;
      case ' ':
        if (e.ctrlKey) {
          e.preventDefault();
          setOpen(true);
        }
        break;
    }
  };

  const toggleHistory = () => {
    inputRef.current?.focus();
    if (historyMode && listVisible) closeList();
    else {
      setHistoryMode(true);
      setOpen(true);
    }
  };

  const dirty = text.trim() !== appliedText.trim();

  return (
    <div className={styles.where}>
      <div className={`${styles.whereBox} ${problem ? styles.whereBoxInvalid : ''}`}>
        <div className={styles.whereField}>
          <div ref={mirrorRef} className={styles.mirror} aria-hidden="true">
            {parts ? (
              <>
                {parts.before}
                <span className={styles.squiggle} data-testid="where-underline">
                  {parts.marked}
                </span>
                {parts.after}
              </>
            ) : (
              text
            )}
            {'  '}
          </div>
          <input
            ref={inputRef}
            className={styles.whereInput}
            type="text"
            value={text}
            placeholder={placeholder}
            role="combobox"
            aria-label="Filter traces (where)"
            aria-autocomplete="list"
            aria-expanded={optionsVisible}
            aria-controls={optionsVisible ? listId : undefined}
            aria-activedescendant={optionsVisible && activeIndex >= 0 ? optionId(activeIndex) : undefined}
            aria-invalid={problem ? true : undefined}
            aria-describedby={messageId}
            data-testid="where-input"
            spellCheck={false}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            onChange={(e) => {
              setCursor(e.target.selectionStart ?? e.target.value.length);
              onTextChange(e.target.value);
              setHistoryMode(false);
              setOpen(true);
            }}
            onSelect={(e) => {
              const at = e.currentTarget.selectionStart ?? e.currentTarget.value.length;
              if (at !== cursor) setCursor(at);
              syncScroll();
            }}
            onScroll={syncScroll}
            onKeyDown={onKeyDown}
            onFocus={(e) => {
              setFocused(true);
              setCursor(e.currentTarget.selectionStart ?? text.length);
              if (text.trim() === '') setOpen(true);
            }}
            onBlur={() => {
              setFocused(false);
              closeList();
              if (dirty) tryApply(text);
            }}
          />
        </div>
        <button
          type="button"
          className={styles.historyButton}
          aria-label="Recent filters"
          title={history.length > 0 ? 'Recent filters' : 'No recent filters yet'}
          aria-pressed={historyMode && listVisible}
          disabled={history.length === 0}
          data-testid="where-history"
          onMouseDown={(e) => e.preventDefault()}
          onClick={toggleHistory}
        >
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path
              d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7M2.5 2.8v3.4h3.4M8 5v3.2l2.2 1.4"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.4"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        </button>
      </div>
      {listVisible ? (
        <ul ref={listRef} id={listId} role="listbox" aria-label={showHistory ? 'Recent filters' : 'Suggestions'} className={styles.suggestions} data-testid="where-suggestions">
          {showHistory ? (
            <li role="presentation" className={styles.listHeader}>
              Recent filters
            </li>
          ) : null}
          {items.map((item, i) => (
            <li
              key={item.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === activeIndex}
              className={`${styles.option} ${i === activeIndex ? styles.optionActive : ''}`}
              data-kind={item.kind}
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => {
                if (i !== activeIndex) setActive({ sig, index: i });
              }}
              onClick={() => accept(item)}
            >
              <span className={styles.optionLabel}>{item.label}</span>
              {item.detail ? <span className={styles.optionDetail}>{item.detail}</span> : null}
            </li>
          ))}
          {note ? (
            <li role="presentation" className={styles.listNote}>
              {note}
            </li>
          ) : null}
        </ul>
      ) : null}
      <div id={messageId} className={styles.message}>
        {problem ? (
          <span role="alert" className={styles.error} data-testid="where-error" title={problem.message}>
            {problem.message}
          </span>
        ) : (
          <span className={styles.hint} title={fallback ? `Read as ${fallback}` : undefined}>
            {fallback
              ? `Read as ${fallback} (planoai key=value form)`
              : dirty
                ? 'Press Enter to apply'
                : focused
                  ? 'Enter applies · ↑↓ suggestions · Esc closes them'
                  : ''}
          </span>
        )}
      </div>
    </div>
  );
}
