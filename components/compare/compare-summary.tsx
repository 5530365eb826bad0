/** The head of a comparison: each trace's figures side by side, the change from A to B, and what the alignment found. */
import type { ComparedTrace, TraceComparison } from '@/lib/trace/compare';
import { formatDurationMs } from '@/lib/format';
import { traceHref } from '@/lib/links';
import { costText } from '@/lib/pricing/label';
import { deltaText, deltaTone } from './delta';
import styles from './compare.module.css';

function TraceHead({ label, trace }: { label: string; trace: ComparedTrace }) {
  const s = trace.summary;
  const href = s ? traceHref(s) : `/traces/${trace.traceId}`;
  return (
    <div className={styles.head} data-testid={`compare-head-${label.toLowerCase()}`}>
      <div className={styles.headTitle}>
        <span className={styles.sideTag}>{label}</span>
        <a href={href} className="mono" data-testid="compare-trace-link">
          {trace.traceId}
        </a>
      </div>
      <div className={styles.headRoot}>{s ? `${s.rootService ?? '?'} · ${s.rootName ?? '?'}` : ''}</div>
      <dl className={styles.figures}>
        <dt>Duration</dt>
        <dd>{s ? formatDurationMs(s.durationMs) : '—'}</dd>
        <dt>Spans</dt>
        <dd>{trace.spanCount}</dd>
        <dt>Errors</dt>
        <dd>{trace.errorCount}</dd>
        <dt>Cost</dt>
        <dd>{trace.cost ? costText(trace.cost) : '—'}</dd>
      </dl>
    </div>
  );
}

export function CompareSummary({ a, b, comparison }: { a: ComparedTrace; b: ComparedTrace; comparison: TraceComparison }) {
  const delta = a.summary && b.summary ? b.summary.durationMs - a.summary.durationMs : null;
  const differing = comparison.rows.filter((r) => r.differences.length > 0).length;
  return (
    <section className={styles.summary} data-testid="compare-summary">
      <TraceHead label="A" trace={a} />
      <TraceHead label="B" trace={b} />
      <div className={styles.head}>
        <div className={styles.headTitle}>B − A</div>
        <dl className={styles.figures}>
          <dt>Duration</dt>
          <dd className={delta === null ? undefined : styles[deltaTone(delta)]} data-testid="compare-total-delta">
            {delta === null ? '—' : deltaText(delta, a.summary?.durationMs ?? 0)}
          </dd>
          <dt>Aligned</dt>
          <dd data-testid="compare-matched">{comparison.matched}</dd>
          <dt>Only in A</dt>
          <dd data-testid="compare-only-a">{comparison.onlyA}</dd>
          <dt>Only in B</dt>
          <dd data-testid="compare-only-b">{comparison.onlyB}</dd>
          <dt>Differing</dt>
          <dd data-testid="compare-differing">{differing}</dd>
        </dl>
      </div>
    </section>
  );
}
