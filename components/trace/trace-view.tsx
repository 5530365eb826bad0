'use client';
/**
 * The trace page's interactive part: header, toolbar, the filter banner, and the
 * waterfall beside the span panel (or the trace overview). The view state lives in
 * the URL (see ./use-trace-view.ts); the keyboard is ./use-trace-keys.ts.
 */
import { parseAsBoolean, useQueryState } from 'nuqs';
import { useRef } from 'react';
import { TraceHeader } from './trace-header';
import { TraceSide } from './trace-side';
import { TraceToolbar } from './trace-toolbar';
import type { TracePageData } from './types';
import { useCriticalPath, useTraceData } from './use-trace-data';
import { useTraceKeys } from './use-trace-keys';
import { useTraceView } from './use-trace-view';
import { Waterfall } from './waterfall';
import { WhereBanner } from './where-banner';
import styles from './trace-view.module.css';

export function TraceView({ data }: { data: TracePageData }) {
  // fold=true: gateway-internal spans folded into their parents (kept in the URL like the rest of the view).
  const [foldInternal, setFoldInternal] = useQueryState('fold', parseAsBoolean.withDefault(false));
  const { tree, colors, self, slowest, errorIndices, whereMatches, fold } = useTraceData(data, foldInternal);
  const view = useTraceView(tree);
  const { state, setState, search, selectedIndex } = view;
  const critical = useCriticalPath(tree, state.cp);
  const searchRef = useRef<HTMLInputElement>(null);
  useTraceKeys(view, searchRef);

  const toggleCritical = () => void setState({ cp: !state.cp });
  const setQuery = (text: string) => void setState({ q: text });
  const selected = selectedIndex >= 0 ? tree.nodes[selectedIndex] : undefined;

  return (
    <div className={`${styles.page} ${styles.palette}`} data-testid="trace-view">
      <TraceHeader data={data} tree={tree} colors={colors} errorCount={errorIndices.length} folded={fold.by ? fold.count : 0} />
      <TraceToolbar
        traceId={data.traceId}
        searchRef={searchRef}
        query={state.q}
        matches={search.result}
        matchPosition={search.result && selectedIndex >= 0 ? search.result.indexOf(selectedIndex) : -1}
        onlyMatches={state.only}
        criticalShown={state.cp}
        onQuery={setQuery}
        onOnlyMatches={(only) => void setState({ only })}
        onGotoMatch={view.gotoMatch}
        onToggleCritical={toggleCritical}
        onExpandAll={view.expandAll}
        onCollapseAll={view.collapseAll}
        internalCount={fold.count}
        internalFolded={foldInternal}
        onToggleInternal={() => void setFoldInternal(foldInternal ? null : true)}
      />
      <WhereBanner wheres={data.wheres} canonical={data.whereCanonical} matched={whereMatches?.size ?? null} error={data.whereError} list={data.list} />
      <div className={styles.body}>
        <div className={styles.main}>
          <Waterfall
            tree={tree}
            rows={view.rows}
            colors={colors}
            selectedIndex={selectedIndex}
            whereMatches={whereMatches}
            searchMatches={search.matchSet}
            searchQuery={search.deferredQuery}
            critical={critical.byIndex}
            isCollapsed={view.isCollapsed}
            foldedBy={fold.by}
            onSelect={view.onRowSelect}
            onToggle={view.onToggle}
            scrollRequest={view.scrollRequest}
          />
        </div>
        <div className={styles.side}>
          <TraceSide
            tree={tree}
            colors={colors}
            self={self}
            slowest={slowest}
            errorIndices={errorIndices}
            list={data.list}
            selected={selected}
            spanParam={state.span}
            criticalByIndex={critical.byIndex}
            criticalCount={critical.spanCount}
            criticalShown={state.cp}
            select={view.select}
            onClose={view.closePanel}
            onSearch={setQuery}
            onToggleCritical={toggleCritical}
          />
        </div>
      </div>
    </div>
  );
}
