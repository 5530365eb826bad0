'use client';
/** The trace page's header: back to the list, the root span, the trace id, and the trace's figures. */
import type { CSSProperties } from 'react';
import { traceListHref } from '@/lib/trace/filter-link';
import { formatEpochNs } from '@/lib/trace/format';
import { formatNs } from '@/lib/trace/time-axis';
import type { TraceTree } from '@/lib/trace/tree';
import type { StoredSpan } from '@/lib/trace/wire';
import { costText } from '@/lib/pricing/label';
import { CompareWith } from './compare-with';
import { CopyButton } from './copy-button';
import type { TracePageData } from './types';
import styles from './trace-view.module.css';

export type TraceHeaderProps = {
  data: TracePageData;
  tree: TraceTree<StoredSpan>;
  colors: ReadonlyMap<string, number>;
  errorCount: number;
  /** Gateway-internal spans folded out of `tree`. */
  folded?: number;
};

export function TraceHeader({ data, tree, colors, errorCount, folded = 0 }: TraceHeaderProps) {
  const root = tree.roots.length ? tree.nodes[tree.roots[0]] : undefined;
  return (
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
        <CompareWith traceId={data.traceId} />
      </div>
      <TraceFigures
        tree={tree}
        folded={folded}
        serviceCount={colors.size}
        errorCount={errorCount}
        tenants={data.tenants}
        cost={data.cost}
        unpricedSpans={data.unpricedSpans}
      />
    </header>
  );
}

function TraceFigures({
  tree,
  folded,
  serviceCount,
  errorCount,
  tenants,
  cost,
  unpricedSpans,
}: {
  tree: TraceTree<StoredSpan>;
  /** Gateway-internal spans folded out of the tree (still counted: they are part of the trace). */
  folded: number;
  serviceCount: number;
  errorCount: number;
  tenants: string[];
  cost: TracePageData['cost'];
  unpricedSpans: number;
}) {
  const orphanCount = tree.nodes.reduce((n, node) => n + (node.parentMissing ? 1 : 0), 0);
  const named = tenants.filter((t) => t !== '');
  return (
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
        <dd data-testid="trace-span-count">
          {(tree.nodes.length + folded).toLocaleString('en-US')}
          {folded > 0 ? <span className={styles.foldedNote}> ({folded.toLocaleString('en-US')} internal folded)</span> : null}
        </dd>
      </div>
      <div>
        <dt>Services</dt>
        <dd>{serviceCount}</dd>
      </div>
      <div>
        <dt>Depth</dt>
        <dd>{tree.nodes.reduce((d, n) => Math.max(d, n.depth + 1), 0)}</dd>
      </div>
      <div>
        <dt>Errors</dt>
        <dd className={errorCount ? styles.errorText : undefined}>{errorCount}</dd>
      </div>
      {orphanCount > 0 ? (
        <div>
          <dt>Parent missing</dt>
          <dd className={styles.warnText}>{orphanCount}</dd>
        </div>
      ) : null}
      {cost ? (
        <div>
          <dt>Cost</dt>
          <dd
            data-testid="trace-cost"
            data-source={cost.source}
            title={unpricedSpans > 0 ? `${unpricedSpans} LLM span(s) have no price for their model: not counted` : undefined}
          >
            {costText(cost)}
            {unpricedSpans > 0 && cost.source !== 'unknown' ? ` + ${unpricedSpans} unpriced` : ''}
          </dd>
        </div>
      ) : null}
      {named.length > 0 ? (
        <div>
          <dt>Tenant</dt>
          <dd>{named.join(', ')}</dd>
        </div>
      ) : null}
    </dl>
  );
}
