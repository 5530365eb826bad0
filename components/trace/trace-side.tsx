'use client';
/** The side of the trace page: the selected span's details, or (with none selected) the trace's overview. */
import type { ListContext } from '@/lib/trace/filter-link';
import type { SlowSpan } from '@/lib/trace/self-time';
import type { TraceTree, TreeNode } from '@/lib/trace/tree';
import type { StoredSpan } from '@/lib/trace/wire';
import { SpanDetail } from './span-detail';
import { TraceInsights } from './trace-insights';
import type { ScrollTo } from './use-trace-view';
import styles from './trace-view.module.css';

export type TraceSideProps = {
  tree: TraceTree<StoredSpan>;
  colors: ReadonlyMap<string, number>;
  self: readonly number[];
  slowest: SlowSpan[];
  errorIndices: number[];
  list: ListContext;
  selected: TreeNode<StoredSpan> | undefined;
  /** The `span` URL parameter (it may name a span that is not in this trace). */
  spanParam: string | null;
  /** Critical path sections by node index while it is shown, and how many spans it has. */
  criticalByIndex: ReadonlyMap<number, unknown> | null;
  criticalCount: number | null;
  criticalShown: boolean;
  select(index: number, scroll?: ScrollTo): void;
  onClose(): void;
  onSearch(text: string): void;
  onToggleCritical(): void;
};

export function TraceSide(props: TraceSideProps) {
  const { tree, colors, selected, select } = props;
  if (selected) {
    return (
      <SpanDetail
        key={selected.index}
        node={selected}
        traceStartNs={tree.startNs}
        selfNs={props.self[selected.index]}
        slot={colors.get(selected.span.service) ?? 0}
        onCritical={props.criticalByIndex ? props.criticalByIndex.has(selected.index) : null}
        list={props.list}
        parentName={selected.parent >= 0 ? tree.nodes[selected.parent].span.name : null}
        onClose={props.onClose}
        onSelectSpan={(id) => {
          const i = tree.byId.get(id);
          if (i !== undefined) select(i, 'center');
        }}
      />
    );
  }
  return (
    <>
      {props.spanParam ? (
        <p className={styles.notice} role="status">
          Span <span className={styles.mono}>{props.spanParam}</span> is not in this trace.
        </p>
      ) : null}
      <TraceInsights
        tree={tree}
        colors={colors}
        slowest={props.slowest}
        errorIndices={props.errorIndices}
        criticalCount={props.criticalCount}
        criticalShown={props.criticalShown}
        onSelect={(i) => select(i, 'center')}
        onSearch={props.onSearch}
        onToggleCritical={props.onToggleCritical}
      />
    </>
  );
}
