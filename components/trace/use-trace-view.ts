'use client';
/**
 * The trace page's view state. All of it that is worth sharing lives in the URL
 * (shallow updates through nuqs, no server round trip):
 *
 *   span=<id>            the selected span (its panel is open)
 *   collapsed=a,b        collapsed nodes; `*` means every node, then
 *   expanded=a,b         lists the exceptions (so "collapse all" stays a short URL)
 *   q=text               search within the trace; only=1 hides non-matching spans
 *   cp=1                 critical path shown
 *   fold=true            gateway-internal spans folded into their parents (read in ./trace-view.tsx)
 *
 * `where`, `from`, `to` (and `since`) come from the trace list and are read by the
 * server component; they are left untouched here.
 */
import { debounce, parseAsArrayOf, parseAsBoolean, parseAsString, useQueryStates } from 'nuqs';
import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { searchHaystack, searchSpans } from '@/lib/trace/search';
import { ancestorsOf, type TraceTree, visibleRows, withAncestors } from '@/lib/trace/tree';
import { ALL_NODES, type CollapsePatch, collapsePatch, collapsePredicate, nextMatch, revealPatch } from '@/lib/trace/view-state';
import type { StoredSpan } from '@/lib/trace/wire';
import type { ScrollRequest } from './waterfall';

const urlState = {
  span: parseAsString,
  collapsed: parseAsArrayOf(parseAsString, ','),
  expanded: parseAsArrayOf(parseAsString, ','),
  q: parseAsString.withDefault('').withOptions({ limitUrlUpdates: debounce(300) }),
  only: parseAsBoolean.withDefault(false),
  cp: parseAsBoolean.withDefault(false),
};

type Tree = TraceTree<StoredSpan>;
export type ScrollTo = 'none' | 'nearest' | 'center';

/** The values event handlers read at the time of the event (through a ref, so the handlers stay stable). */
export type ViewSnapshot = {
  rows: readonly number[];
  selectedIndex: number;
  span: string | null;
  tree: Tree;
  isCollapsed(spanId: string): boolean;
  revealPatch(index: number): CollapsePatch;
  searchResult: number[] | null;
  collapsedList: string[];
  expandedList: string[];
};

/** Search within the trace; the query is deferred so that typing stays responsive on large traces. */
function useSpanSearch(tree: Tree, query: string) {
  const deferredQuery = useDeferredValue(query);
  const searching = deferredQuery.trim() !== '';
  const haystacks = useMemo(() => (searching ? tree.nodes.map((n) => searchHaystack(n.span)) : null), [tree, searching]);
  const result = useMemo(() => (haystacks ? searchSpans(haystacks, deferredQuery) : null), [haystacks, deferredQuery]);
  const matchSet = useMemo(() => (result ? new Set(result) : null), [result]);
  return { deferredQuery, result, matchSet };
}

/** The collapsed nodes from the URL lists, and the patch that reveals a node hidden under them. */
function useCollapsed(tree: Tree, collapsed: string[] | null, expanded: string[] | null) {
  const collapsedList = useMemo(() => collapsed ?? [], [collapsed]);
  const expandedList = useMemo(() => expanded ?? [], [expanded]);
  // Joined, so that the predicate is rebuilt only when the lists' contents change.
  const collapsedKey = collapsedList.join(',');
  const expandedKey = expandedList.join(',');
  const isCollapsed = useMemo(
    () => collapsePredicate(collapsedKey ? collapsedKey.split(',') : [], expandedKey ? expandedKey.split(',') : []),
    [collapsedKey, expandedKey],
  );
  const reveal = useCallback(
    (index: number) =>
      revealPatch(
        ancestorsOf(tree, index)
          .map((a) => tree.nodes[a].span.spanId)
          .filter(isCollapsed),
        collapsedList,
        expandedList,
      ),
    [tree, isCollapsed, collapsedList, expandedList],
  );
  return { collapsedList, expandedList, isCollapsed, revealPatch: reveal };
}

/** A shared link may select a span inside a collapsed subtree: reveal it and scroll it into view, once. */
function useRevealOnMount(
  selectedIndex: number,
  reveal: (index: number) => CollapsePatch,
  apply: (patch: CollapsePatch) => void,
  requestScroll: (index: number, center: boolean) => void,
) {
  const didMount = useRef(false);
  useEffect(() => {
    if (didMount.current) return;
    didMount.current = true;
    if (selectedIndex >= 0) {
      const patch = reveal(selectedIndex);
      if (Object.keys(patch).length > 0) apply(patch);
      requestScroll(selectedIndex, true);
    }
  }, [selectedIndex, reveal, apply, requestScroll]);
}

/** Selection, collapse, search and the actions that change them; see the header for the URL they live in. */
export function useTraceView(tree: Tree) {
  const [state, setState] = useQueryStates(urlState, { history: 'replace', shallow: true, clearOnDefault: true, scroll: false });
  const search = useSpanSearch(tree, state.q);
  const collapse = useCollapsed(tree, state.collapsed, state.expanded);
  const keep = useMemo(() => (state.only && search.result ? withAncestors(tree, search.result) : null), [state.only, search.result, tree]);
  const rows = useMemo(() => visibleRows(tree, collapse.isCollapsed, keep), [tree, collapse.isCollapsed, keep]);
  const selectedIndex = state.span ? (tree.byId.get(state.span) ?? -1) : -1;

  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const requestScroll = useCallback((index: number, center = false) => setScrollRequest((prev) => ({ index, center, seq: (prev?.seq ?? 0) + 1 })), []);

  const snapshot: ViewSnapshot = { rows, selectedIndex, span: state.span, tree, searchResult: search.result, ...collapse };
  // The actions below read the newest state through this ref (updated after each commit, before any event handler runs), so they keep one identity.
  const latest = useRef(snapshot);
  useLayoutEffect(() => {
    latest.current = snapshot;
  });

  const select = useCallback(
    (index: number, scroll: ScrollTo = 'none') => {
      const { tree: t, revealPatch: reveal } = latest.current;
      const node = t.nodes[index];
      if (!node) return;
      void setState({ span: node.span.spanId, ...reveal(index) });
      if (scroll !== 'none') requestScroll(index, scroll === 'center');
    },
    [setState, requestScroll],
  );
  const setCollapsed = useCallback(
    (index: number, collapse: boolean) => {
      const { tree: t, isCollapsed, collapsedList, expandedList } = latest.current;
      const id = t.nodes[index]?.span.spanId;
      if (!id || isCollapsed(id) === collapse) return;
      void setState(collapsePatch(id, collapse, collapsedList, expandedList));
    },
    [setState],
  );
  const gotoMatch = useCallback(
    (direction: 1 | -1) => {
      const { searchResult, selectedIndex: current } = latest.current;
      const target = nextMatch(searchResult ?? [], current, direction);
      if (target !== undefined) select(target, 'center');
    },
    [select],
  );
  const onRowSelect = useCallback((index: number) => select(index), [select]);
  const onToggle = useCallback(
    (index: number) => setCollapsed(index, !latest.current.isCollapsed(latest.current.tree.nodes[index].span.spanId)),
    [setCollapsed],
  );
  const closePanel = useCallback(() => void setState({ span: null }), [setState]);
  const applyPatch = useCallback((patch: CollapsePatch) => void setState(patch), [setState]);
  useRevealOnMount(selectedIndex, collapse.revealPatch, applyPatch, requestScroll);

  return {
    state,
    setState,
    search,
    isCollapsed: collapse.isCollapsed,
    rows,
    selectedIndex,
    scrollRequest,
    latest,
    select,
    onRowSelect,
    setCollapsed,
    onToggle,
    gotoMatch,
    closePanel,
    expandAll: () => void setState({ collapsed: null, expanded: null }),
    collapseAll: () => void setState({ collapsed: [ALL_NODES], expanded: null }),
  };
}

export type TraceViewState = ReturnType<typeof useTraceView>;
