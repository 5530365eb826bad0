'use client';
/**
 * State and keyboard of the where box: the cursor, whether the list is open
 * and which option is highlighted, accepting a suggestion, and applying the
 * text (Enter with no option highlighted, blur after a change, a history pick)
 * only when it has no problem — syntax, type or enum — so nothing the server
 * would refuse is sent.
 */
import { type ChangeEvent, type KeyboardEvent, type RefObject, type SyntheticEvent, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { applyCompletion } from '@/lib/where/complete';
import type { RangeQuery } from './data';
import { type WhereProblem, checkQueryText, checkWhereText, shownWhereProblem } from './derive';
import { type AttributeKey, type Suggestion, preselectIndex } from './suggestions';
import { useWhereSuggestions } from './use-where-suggestions';

export type WhereBoxInput = {
  text: string;
  /** The text currently applied (value.where); a change from it is applied on blur. */
  appliedText: string;
  onTextChange: (text: string) => void;
  /** Called with a text that parses and validates. */
  onApply: (text: string) => void;
  keys: readonly AttributeKey[];
  range: RangeQuery;
  history: readonly string[];
  /** An error the server reported for the applied text (shown while the text is unchanged). */
  serverError: WhereProblem | null;
  inputRef: RefObject<HTMLInputElement | null>;
  /** `query`: the text is an aggregate query (`<filter> | by(…) count()`), checked and completed as one. Default `where`. */
  mode?: 'where' | 'query';
};

export type WhereBoxList = {
  /** The list (options or a note) is shown. */
  visible: boolean;
  /** Options are shown (the combobox is expanded). */
  optionsVisible: boolean;
  showHistory: boolean;
  items: Suggestion[];
  activeIndex: number;
  note: string | null;
};

export function useWhereBox({ text, appliedText, onTextChange, onApply, keys, range, history, serverError, inputRef, mode = 'where' }: WhereBoxInput) {
  const checkText = mode === 'query' ? checkQueryText : checkWhereText;
  const id = useId();
  const ids = { list: `${id}-list`, message: `${id}-msg`, option: (i: number) => `${id}-opt-${i}` };

  const { mirrorRef, pendingCursorRef, syncScroll } = useInputMirror(inputRef);
  const listRef = useRef<HTMLUListElement>(null);
  const [cursor, setCursor] = useState(text.length);
  const [focused, setFocused] = useState(false);
  const [open, setOpen] = useState(false);
  const [historyMode, setHistoryMode] = useState(false);
  const [active, setActive] = useState<{ sig: string; index: number } | null>(null);

  const check = useMemo(() => checkText(text), [checkText, text]);
  const problem = shownWhereProblem(check.problem, text, appliedText, serverError);

  const safeCursor = Math.min(cursor, text.length);
  const listOpen = focused && open;
  const { ctx, showHistory, items, note } = useWhereSuggestions({
    text,
    cursor: safeCursor,
    keys,
    range,
    history,
    historyMode,
    listOpen,
    query: mode === 'query',
  });

  // The highlight belongs to one list: a new text, cursor or list resets it to the default.
  const sig = `${showHistory ? 'h' : 'c'}|${safeCursor}|${text}|${items.length}`;
  const defaultIndex = showHistory ? -1 : preselectIndex(ctx, items, check.problem === null && check.fallback === null);
  const activeIndex = active && active.sig === sig ? Math.min(active.index, items.length - 1) : defaultIndex;
  const listVisible = listOpen && (items.length > 0 || note !== null);
  const optionsVisible = listVisible && items.length > 0;

  useOptionInView(listRef, optionsVisible && activeIndex >= 0 ? ids.option(activeIndex) : null);

  const tryApply = (candidate: string): boolean => {
    if (checkText(candidate).problem) return false;
    onApply(candidate);
    return true;
  };

  const closeList = () => {
    setOpen(false);
    setHistoryMode(false);
  };

  const accept = (item: Suggestion) => {
    if (item.kind === 'history') {
      pendingCursorRef.current = item.insert.length;
      setCursor(item.insert.length);
      onTextChange(item.insert);
      closeList();
      tryApply(item.insert);
      return;
    }
    // `p95(` and `by(` wait for their key: no space after the parenthesis.
    const edit = applyCompletion(text, ctx, item.insert, { space: !item.insert.endsWith('(') });
    pendingCursorRef.current = edit.cursor;
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

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) =>
    handleKey(e, {
      optionsVisible,
      listVisible,
      highlighted: activeIndex >= 0 ? (items[activeIndex] ?? null) : null,
      accept,
      show: () => setOpen(true),
      open: (delta) => {
        setOpen(true);
        if (items.length > 0) setActive({ sig, index: delta > 0 ? 0 : items.length - 1 });
      },
      move,
      apply: () => {
        closeList();
        tryApply(text);
      },
      close: closeList,
    });

  const dirty = text.trim() !== appliedText.trim();

  const input = {
    onChange: (e: ChangeEvent<HTMLInputElement>) => {
      setCursor(e.target.selectionStart ?? e.target.value.length);
      onTextChange(e.target.value);
      setHistoryMode(false);
      setOpen(true);
    },
    onSelect: (e: SyntheticEvent<HTMLInputElement>) => {
      const at = e.currentTarget.selectionStart ?? e.currentTarget.value.length;
      if (at !== cursor) setCursor(at);
      syncScroll();
    },
    onScroll: syncScroll,
    onKeyDown,
    onFocus: (e: SyntheticEvent<HTMLInputElement>) => {
      setFocused(true);
      setCursor(e.currentTarget.selectionStart ?? text.length);
      if (text.trim() === '') setOpen(true);
    },
    onBlur: () => {
      setFocused(false);
      closeList();
      if (dirty) tryApply(text);
    },
  };

  const toggleHistory = () => {
    inputRef.current?.focus();
    if (historyMode && listVisible) closeList();
    else {
      setHistoryMode(true);
      setOpen(true);
    }
  };

  const list: WhereBoxList = { visible: listVisible, optionsVisible, showHistory, items, activeIndex, note };
  const highlight = (index: number) => {
    if (index !== activeIndex) setActive({ sig, index });
  };

  return {
    ids,
    mirrorRef,
    listRef,
    problem,
    fallback: check.fallback,
    dirty,
    focused,
    historyOpen: historyMode && listVisible,
    list,
    input,
    accept,
    highlight,
    toggleHistory,
  };
}

/**
 * The mirror behind the input follows its horizontal scroll; `pendingCursorRef`
 * (set when a suggestion is accepted) moves the caret once the new text is in.
 */
function useInputMirror(inputRef: RefObject<HTMLInputElement | null>) {
  const mirrorRef = useRef<HTMLDivElement>(null);
  const pendingCursorRef = useRef<number | null>(null);
  const syncScroll = () => {
    const input = inputRef.current;
    const mirror = mirrorRef.current;
    if (input && mirror) mirror.scrollLeft = input.scrollLeft;
  };
  useLayoutEffect(() => {
    const input = inputRef.current;
    const at = pendingCursorRef.current;
    if (input && at !== null) {
      pendingCursorRef.current = null;
      input.setSelectionRange(at, at);
    }
    syncScroll();
  });
  return { mirrorRef, pendingCursorRef, syncScroll };
}

/** Keep the option with this id in view, scrolling the list only (never the page). */
function useOptionInView(listRef: RefObject<HTMLUListElement | null>, optionId: string | null): void {
  useEffect(() => {
    const list = listRef.current;
    const option = optionId === null ? null : document.getElementById(optionId);
    if (!list || !option) return;
    if (option.offsetTop < list.scrollTop) list.scrollTop = option.offsetTop;
    else if (option.offsetTop + option.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = option.offsetTop + option.offsetHeight - list.clientHeight;
    }
  }, [listRef, optionId]);
}

type KeyControls = {
  optionsVisible: boolean;
  listVisible: boolean;
  /** The highlighted option, if any. */
  highlighted: Suggestion | null;
  accept: (item: Suggestion) => void;
  /** Open the list as it is. */
  show: () => void;
  /** Open the list, highlighting its first (1) or last (-1) option. */
  open: (delta: 1 | -1) => void;
  move: (delta: 1 | -1) => void;
  /** Close the list and apply the text. */
  apply: () => void;
  close: () => void;
};

/** The combobox keys: arrows open and move, Enter and Tab take the highlighted option (Enter else applies), Escape closes, Ctrl+Space opens. */
function handleKey(e: KeyboardEvent<HTMLInputElement>, k: KeyControls): void {
  if (e.nativeEvent.isComposing) return;
  switch (e.key) {
    case 'ArrowDown':
    case 'ArrowUp': {
      e.preventDefault();
      const delta = e.key === 'ArrowDown' ? 1 : -1;
      if (!k.optionsVisible) k.open(delta);
      else k.move(delta);
      break;
    }
    case 'Enter':
      e.preventDefault();
      if (k.optionsVisible && k.highlighted) k.accept(k.highlighted);
      else k.apply();
      break;
    case 'Tab':
      // Only a highlighted suggestion is taken; otherwise Tab moves focus as usual.
      if (k.optionsVisible && k.highlighted && !e.shiftKey) {
        e.preventDefault();
        k.accept(k.highlighted);
      }
      break;
    case 'Escape':
      if (k.listVisible) {
        e.preventDefault();
        k.close();
      }
      break;
    case ' ':
      if (e.ctrlKey) {
        e.preventDefault();
        k.show();
      }
      break;
  }
}
