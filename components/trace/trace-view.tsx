'use client';
/**
 * The trace page's interactive part. All view state that is worth sharing lives
 * in the URL (shallow updates through nuqs, no server round trip):
 *
 *   span=<id>            the selected span (its panel is open)
 *   collapsed=a,b        collapsed nodes; `*` means every node, then
 *   expanded=a,b         lists the exceptions (so "collapse all" stays a short URL)
 *   q=text               search within the trace; only=1 hides non-matching spans
 *   cp=1                 critical path shown
 *
 * `where`, `from`, `to` (and `since`) come from the trace list and are read by the
 * server component; they are left untouched here.
 */
import { debounce, parseAsArrayOf, parseAsBoolean, parseAsString, useQueryStates } from 'nuqs';
import { type CSSProperties, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { criticalPath, type PathSegment } from '@/lib/trace/critical-path';
import { traceListHref } from '@/lib/trace/filter-link';
import { formatEpochNs } from '@/lib/trace/format';
import { assignServiceColors } from '@/lib/trace/colors';
import { unpackSpans } from '@/lib/trace/pack';
import { searchHaystack, searchSpans } from '@/lib/trace/search';
import { selfTimes, slowestSpans } from '@/lib/trace/self-time';
import { formatNs } from '@/lib/trace/time-axis';
import { ancestorsOf, buildTraceTree, visibleRows, withAncestors } from '@/lib/trace/tree';
import { CopyButton } from './copy-button';
import { SpanDetail } from './span-detail';
import { TraceInsights } from './trace-insights';
import type { TracePageData } from './types';
import { type ScrollRequest, Waterfall } from './waterfall';
import { WhereBanner } from './where-banner';
import styles from './trace-view.module.css';

const urlState = {
  span: parseAsString,
  collapsed: parseAsArrayOf(parseAsString, ','),
  expanded: parseAsArrayOf(parseAsString, ','),
  q: parseAsString.withDefault('').withOptions({ limitUrlUpdates: debounce(300) }),
  only: parseAsBoolean.withDefault(false),
  cp: parseAsBoolean.withDefault(false),
};

const ALL = '*';

export function TraceView({ data }: { data: TracePageData }) {
  const [state, setState] = useQueryStates(urlState, { history: 'replace', shallow: true, clearOnDefault: true, scroll: false });
  const spans = useMemo(() => unpackSpans(data.trace), [data.trace]);
  const tree = useMemo(() => buildTraceTree(spans), [spans]);
  const colors = useMemo(() => assignServiceColors(spans.map((s) => s.service)), [spans]);
  const self = useMemo(() => selfTimes(tree), [tree]);
  const slowest = useMemo(() => slowestSpans(tree, self, 5), [tree, self]);
  const errorIndices = useMemo(() => tree.nodes.filter((n) => n.span.status.code === 2).map((n) => n.index), [tree]);
  // Computed only once the critical path is shown (it is not needed for the first paint).
  const critical = useMemo(
    () => (state.cp ? criticalPath(tree.nodes.map((n) => ({ id: String(n.index), parentId: n.parent >= 0 ? String(n.parent) : null, start: n.start, end: n.end }))) : null),
    [tree, state.cp],
  );
  const criticalByIndex = useMemo(() => {
    if (!critical) return null;
    const map = new Map<number, PathSegment[]>();
    for (const seg of critical.segments) {
      const i = Number(seg.id);
      const list = map.get(i) ?? [];
      list.push(seg);
      map.set(i, list);
    }
    for (const id of critical.spanIds) if (!map.has(Number(id))) map.set(Number(id), []);
    return map;
  }, [critical]);
  const whereMatches = useMemo(() => {
    if (!data.matchedSpanIds) return null;
    const set = new Set<number>();
    for (const id of data.matchedSpanIds) {
      const i = tree.byId.get(id);
      if (i !== undefined) set.add(i);
    }
    return set;
  }, [data.matchedSpanIds, tree]);

  // ---------------------------------------------------------------- search
  const query = state.q;
  const deferredQuery = useDeferredValue(query);
  const searching = deferredQuery.trim() !== '';
  const haystacks = useMemo(() => (searching ? tree.nodes.map((n) => searchHaystack(n.span)) : null), [tree, searching]);
  const searchResult = useMemo(() => (haystacks ? searchSpans(haystacks, deferredQuery) : null), [haystacks, deferredQuery]);
  const searchSet = useMemo(() => (searchResult ? new Set(searchResult) : null), [searchResult]);

  // ---------------------------------------------------------------- collapse
  const collapsedList = state.collapsed ?? [];
  const expandedList = state.expanded ?? [];
  const allCollapsed = collapsedList.includes(ALL);
  const collapsedKey = collapsedList.join(',');
  const expandedKey = expandedList.join(',');
  const isCollapsed = useMemo(() => {
    const c = new Set(collapsedKey ? collapsedKey.split(',') : []);
    const x = new Set(expandedKey ? expandedKey.split(',') : []);
    return c.has(ALL) ? (id: string) => !x.has(id) : (id: string) => c.has(id);
  }, [collapsedKey, expandedKey]);

  const keep = useMemo(() => (state.only && searchResult ? withAncestors(tree, searchResult) : null), [state.only, searchResult, tree]);
  const rows = useMemo(() => visibleRows(tree, isCollapsed, keep), [tree, isCollapsed, keep]);

  const selectedIndex = state.span ? (tree.byId.get(state.span) ?? -1) : -1;
  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const requestScroll = useCallback((index: number, center = false) => setScrollRequest((prev) => ({ index, center, seq: (prev?.seq ?? 0) + 1 })), []);

  /** URL patch that expands every collapsed ancestor of `index`, or {} when none is. */
  const revealPatch = useCallback(
    (index: number) => {
      const hidden = ancestorsOf(tree, index).map((a) => tree.nodes[a].span.spanId).filter(isCollapsed);
      if (hidden.length === 0) return {};
      if (allCollapsed) return { expanded: [...expandedList, ...hidden] };
      const drop = new Set(hidden);
      const next = collapsedList.filter((id) => !drop.has(id));
      return { collapsed: next.length ? next : null };
    },
    [tree, isCollapsed, allCollapsed, expandedList, collapsedList],
  );

  const latest = useRef({ rows, selectedIndex, span: state.span, tree, isCollapsed, revealPatch, searchResult, allCollapsed, collapsedList, expandedList });
  latest.current = { rows, selectedIndex, span: state.span, tree, isCollapsed, revealPatch, searchResult, allCollapsed, collapsedList, expandedList };

  const select = useCallback(
    (index: number, scroll: 'none' | 'nearest' | 'center' = 'none') => {
      const { tree: t, revealPatch: reveal } = latest.current;
      const node = t.nodes[index];
      if (!node) return;
      void setState({ span: node.span.spanId, ...reveal(index) });
      if (scroll !== 'none') requestScroll(index, scroll === 'center');
    },
    [setState, requestScroll],
  );
  const onRowSelect = useCallback((index: number) => select(index), [select]);

  const setCollapsed = useCallback(
    (index: number, collapse: boolean) => {
      const { tree: t, isCollapsed: collapsedNow, allCollapsed: all, collapsedList: c, expandedList: x } = latest.current;
      const id = t.nodes[index]?.span.spanId;
      if (!id || collapsedNow(id) === collapse) return;
      if (all) void setState({ expanded: collapse ? x.filter((e) => e !== id) : [...x, id] });
      else {
        const next = collapse ? [...c, id] : c.filter((e) => e !== id);
        void setState({ collapsed: next.length ? next : null });
      }
    },
    [setState],
  );
  const onToggle = useCallback((index: number) => setCollapsed(index, !latest.current.isCollapsed(latest.current.tree.nodes[index].span.spanId)), [setCollapsed]);

  const closePanel = useCallback(() => void setState({ span: null }), [setState]);
  const expandAll = () => void setState({ collapsed: null, expanded: null });
  const collapseAll = () => void setState({ collapsed: [ALL], expanded: null });

  // A shared link may select a span inside a collapsed subtree: reveal it and scroll it into view, once.
  const didMount = useRef(false);
  useEffect(() => {
    if (didMount.current) return;
    didMount.current = true;
    if (selectedIndex >= 0) {
      const patch = revealPatch(selectedIndex);
      if (Object.keys(patch).length > 0) void setState(patch);
      requestScroll(selectedIndex, true);
    }
  }, [selectedIndex, revealPatch, setState, requestScroll]);

  // ---------------------------------------------------------------- keyboard
  const searchRef = useRef<HTMLInputElement>(null);
  const gotoMatch = useCallback(
    (direction: 1 | -1) => {
      const { searchResult: matches, selectedIndex: current } = latest.current;
      if (!matches || matches.length === 0) return;
      // Matches are in tree order (node indices ascending).
      let target = direction > 0 ? matches.find((i) => i > current) : [...matches].reverse().find((i) => i < current);
      if (target === undefined) target = direction > 0 ? matches[0] : matches[matches.length - 1];
      select(target, 'center');
    },
    [select],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const tag = target?.tagName ?? '';
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) {
        if (e.key === 'Escape' && target === searchRef.current) searchRef.current?.blur();
        return;
      }
      if ((tag === 'BUTTON' || tag === 'A') && (e.key === 'Enter' || e.key === ' ')) return;
      const { rows: visible, selectedIndex: current, tree: t, isCollapsed: collapsedNow } = latest.current;
      const pos = current >= 0 ? visible.indexOf(current) : -1;
      const node = current >= 0 ? t.nodes[current] : undefined;
      const move = (delta: number) => {
        if (visible.length === 0) return;
        const next = pos < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.min(Math.max(pos + delta, 0), visible.length - 1);
        select(visible[next], 'nearest');
      };
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          move(1);
          break;
        case 'k':
        case 'ArrowUp':
          move(-1);
          break;
        case 'PageDown':
          move(20);
          break;
        case 'PageUp':
          move(-20);
          break;
        case 'Home':
          if (visible.length) select(visible[0], 'nearest');
          break;
        case 'End':
          if (visible.length) select(visible[visible.length - 1], 'nearest');
          break;
        case 'Enter':
        case 'ArrowRight':
          if (!node) return;
          if (node.children.length > 0 && collapsedNow(node.span.spanId)) setCollapsed(node.index, false);
          else if (e.key === 'ArrowRight' && node.children.length > 0 && pos >= 0 && pos + 1 < visible.length) select(visible[pos + 1], 'nearest');
          break;
        case 'ArrowLeft':
          if (!node) return;
          if (node.children.length > 0 && !collapsedNow(node.span.spanId)) setCollapsed(node.index, true);
          else if (node.parent >= 0) select(node.parent, 'nearest');
          break;
        case 'Escape':
          if (!latest.current.span) return;
          closePanel();
          break;
        case '/':
          searchRef.current?.focus();
          searchRef.current?.select();
          break;
        case 'n':
          gotoMatch(1);
          break;
        case 'N':
          gotoMatch(-1);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select, setCollapsed, closePanel, gotoMatch]);

  // ---------------------------------------------------------------- render
  const root = tree.roots.length ? tree.nodes[tree.roots[0]] : undefined;
  const selected = selectedIndex >= 0 ? tree.nodes[selectedIndex] : undefined;
  const matchPosition = searchResult && selectedIndex >= 0 ? searchResult.indexOf(selectedIndex) : -1;
  const orphanCount = tree.nodes.reduce((n, node) => n + (node.parentMissing ? 1 : 0), 0);
  const palette = styles.palette;

  return (
    <div className={`${styles.page} ${palette}`} data-testid="trace-view">
      <header className={styles.header}>
        <div className={styles.titleRow}>
          <a href={traceListHref(data.list)} className={styles.back} data-testid="back-to-list">
            ← Traces
          </a>
          <h1 className={styles.title}>
            {root ? (
              <>
                <span className={styles.titleService} style={{ '--svc': `var(--svc-${colors.get(root.span.service) ?? 0})` } as CSSProperties}>
                  {root.span.service}
                </span>
                <span className={styles.titleName}>{root.span.name}</span>
              </>
            ) : null}
          </h1>
          <span className={styles.traceId}>
            <span className={styles.mono} title="Trace id">
              {data.traceId}
            </span>
            <CopyButton text={data.traceId} label="Copy trace id" />
          </span>
        </div>
        <dl className={styles.meta}>
          <div>
            <dt>Start</dt>
            <dd className={styles.mono}>{formatEpochNs(tree.startNs.toString()).slice(0, 23)} UTC</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="trace-duration">{formatNs(tree.durationNs)}</dd>
          </div>
          <div>
            <dt>Spans</dt>
            <dd data-testid="trace-span-count">{tree.nodes.length.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{colors.size}</dd>
          </div>
          <div>
            <dt>Depth</dt>
            <dd>{tree.nodes.reduce((d, n) => Math.max(d, n.depth + 1), 0)}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd className={errorIndices.length ? styles.errorText : undefined}>{errorIndices.length}</dd>
          </div>
          {orphanCount > 0 ? (
            <div>
              <dt>Parent missing</dt>
              <dd className={styles.warnText}>{orphanCount}</dd>
            </div>
          ) : null}
          {data.tenants.some((t) => t !== '') ? (
            <div>
              <dt>Tenant</dt>
              <dd>{data.tenants.filter((t) => t !== '').join(', ')}</dd>
            </div>
          ) : null}
        </dl>
      </header>

      <div className={styles.toolbar} role="toolbar" aria-label="Trace view">
        <div className={styles.search}>
          <input
            ref={searchRef}
            type="search"
            className={styles.searchInput}
            placeholder="Search spans: name, service, attribute value  ( / )"
            aria-label="Search spans in this trace"
            value={query}
            data-testid="trace-search"
            onChange={(e) => void setState({ q: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                gotoMatch(e.shiftKey ? -1 : 1);
              }
            }}
          />
          <span className={styles.matchCount} data-testid="search-count" aria-live="polite">
            {searchResult ? (searchResult.length === 0 ? 'no match' : `${matchPosition >= 0 ? `${matchPosition + 1} of ` : ''}${searchResult.length} match${searchResult.length === 1 ? '' : 'es'}`) : ''}
          </span>
          <button type="button" className={styles.iconButton} onClick={() => gotoMatch(-1)} disabled={!searchResult?.length} aria-label="Previous match (Shift+Enter)" title="Previous match (Shift+Enter)">
            ↑
          </button>
          <button type="button" className={styles.iconButton} onClick={() => gotoMatch(1)} disabled={!searchResult?.length} aria-label="Next match (Enter)" title="Next match (Enter)">
            ↓
          </button>
          <label className={styles.check}>
            <input type="checkbox" checked={state.only} onChange={(e) => void setState({ only: e.target.checked })} data-testid="only-matches" />
            Only matches
          </label>
        </div>
        <div className={styles.actions}>
          <button type="button" className={styles.button} aria-pressed={state.cp} onClick={() => void setState({ cp: !state.cp })} data-testid="toggle-critical-path" title="Highlight the spans that determine when the trace ends">
            Critical path
          </button>
          <span className={styles.group}>
            <button type="button" className={styles.button} onClick={expandAll} data-testid="expand-all">
              Expand all
            </button>
            <button type="button" className={styles.button} onClick={collapseAll} data-testid="collapse-all">
              Collapse all
            </button>
          </span>
          <CopyButton getText={() => window.location.href} label="Copy a link to this view" testId="copy-link">
            Copy link
          </CopyButton>
          <a className={styles.button} href={`/api/traces/${data.traceId}/otlp`} download={`trace-${data.traceId}.json`} data-testid="download-otlp" title="Download the trace as OTLP/JSON (ExportTraceServiceRequest)">
            Download OTLP JSON
          </a>
        </div>
      </div>

      <WhereBanner wheres={data.wheres} canonical={data.whereCanonical} matched={whereMatches?.size ?? null} error={data.whereError} list={data.list} />

      <div className={styles.body}>
        <div className={styles.main}>
          <Waterfall
            tree={tree}
            rows={rows}
            colors={colors}
            selectedIndex={selectedIndex}
            whereMatches={whereMatches}
            searchMatches={searchSet}
            searchQuery={deferredQuery}
            critical={criticalByIndex}
            isCollapsed={isCollapsed}
            onSelect={onRowSelect}
            onToggle={onToggle}
            scrollRequest={scrollRequest}
          />
        </div>
        <div className={styles.side}>
          {selected ? (
            <SpanDetail
              key={selected.index}
              node={selected}
              traceStartNs={tree.startNs}
              selfNs={self[selected.index]}
              slot={colors.get(selected.span.service) ?? 0}
              onCritical={criticalByIndex ? criticalByIndex.has(selected.index) : null}
              list={data.list}
              parentName={selected.parent >= 0 ? tree.nodes[selected.parent].span.name : null}
              onClose={closePanel}
              onSelectSpan={(id) => {
                const i = tree.byId.get(id);
                if (i !== undefined) select(i, 'center');
              }}
            />
          ) : (
            <>
              {state.span ? (
                <p className={styles.notice} role="status">
                  Span <span className={styles.mono}>{state.span}</span> is not in this trace.
                </p>
              ) : null}
              <TraceInsights
                tree={tree}
                colors={colors}
                slowest={slowest}
                errorIndices={errorIndices}
                criticalCount={critical ? critical.spanIds.length : null}
                criticalShown={state.cp}
                onSelect={(i) => select(i, 'center')}
                onSearch={(text) => void setState({ q: text })}
                onToggleCritical={() => void setState({ cp: !state.cp })}
              />
            </>
          )}
        </div>
      </div>
    </div>
  );
}
