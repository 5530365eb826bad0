'use client';
/**
 * The trace page's keyboard: j/k or ↑/↓ move (PageUp/PageDown by 20, Home/End),
 * → or Enter expand (→ on an expanded node steps into it), ← collapse or go to the
 * parent, / search, n/N next/previous match, Esc closes the span panel.
 */
import { type RefObject, useEffect } from 'react';
import { rowAfter } from '@/lib/trace/view-state';
import type { ScrollTo, ViewSnapshot } from './use-trace-view';

export type KeyActions = {
  latest: RefObject<ViewSnapshot>;
  select(index: number, scroll?: ScrollTo): void;
  setCollapsed(index: number, collapse: boolean): void;
  closePanel(): void;
  gotoMatch(direction: 1 | -1): void;
};

export function useTraceKeys(actions: KeyActions, searchRef: RefObject<HTMLInputElement | null>) {
  const { select, setCollapsed, closePanel, gotoMatch, latest } = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      if (belongsToControl(e, searchRef.current)) return;
      if (runKey(e.key, { latest, select, setCollapsed, closePanel, gotoMatch }, searchRef.current)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select, setCollapsed, closePanel, gotoMatch, latest, searchRef]);
}

/** Keys typed into a field (Esc there leaves the search box), or Enter/Space on a button or link, are theirs. */
function belongsToControl(e: KeyboardEvent, search: HTMLInputElement | null): boolean {
  const target = e.target instanceof HTMLElement ? e.target : null;
  const tag = target?.tagName ?? '';
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) {
    if (e.key === 'Escape' && target === search) search?.blur();
    return true;
  }
  return (tag === 'BUTTON' || tag === 'A') && (e.key === 'Enter' || e.key === ' ');
}

/** Runs the action of `key`; false when the key has none here (the browser keeps it). */
function runKey(key: string, actions: KeyActions, search: HTMLInputElement | null): boolean {
  const { rows: visible, selectedIndex: current, tree, isCollapsed, span } = actions.latest.current;
  const pos = current >= 0 ? visible.indexOf(current) : -1;
  const node = current >= 0 ? tree.nodes[current] : undefined;
  const selectRow = (index: number | undefined) => {
    if (index !== undefined) actions.select(index, 'nearest');
  };
  switch (key) {
    case 'j':
    case 'ArrowDown':
      selectRow(rowAfter(visible, pos, 1));
      return true;
    case 'k':
    case 'ArrowUp':
      selectRow(rowAfter(visible, pos, -1));
      return true;
    case 'PageDown':
      selectRow(rowAfter(visible, pos, 20));
      return true;
    case 'PageUp':
      selectRow(rowAfter(visible, pos, -20));
      return true;
    case 'Home':
      selectRow(visible[0]);
      return true;
    case 'End':
      selectRow(visible[visible.length - 1]);
      return true;
    case 'Enter':
    case 'ArrowRight':
      if (!node) return false;
      if (node.children.length > 0 && isCollapsed(node.span.spanId)) actions.setCollapsed(node.index, false);
      else if (key === 'ArrowRight' && node.children.length > 0 && pos >= 0 && pos + 1 < visible.length) actions.select(visible[pos + 1], 'nearest');
      return true;
    case 'ArrowLeft':
      if (!node) return false;
      if (node.children.length > 0 && !isCollapsed(node.span.spanId)) actions.setCollapsed(node.index, true);
      else if (node.parent >= 0) actions.select(node.parent, 'nearest');
      return true;
    case 'Escape':
      if (!span) return false;
      actions.closePanel();
      return true;
    case '/':
      search?.focus();
      search?.select();
      return true;
    case 'n':
      actions.gotoMatch(1);
      return true;
    case 'N':
      actions.gotoMatch(-1);
      return true;
    default:
      return false;
  }
}
