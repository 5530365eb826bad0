'use client';
/** The side panel when no span is selected: services, slowest spans by self time, errors, critical path. */
import type { CSSProperties } from 'react';
import type { StoredSpan } from '@/lib/trace/wire';
import type { SlowSpan } from '@/lib/trace/self-time';
import { errorMessage } from '@/lib/trace/format';
import { formatNs } from '@/lib/trace/time-axis';
import type { TraceTree } from '@/lib/trace/tree';
import styles from './trace-insights.module.css';

export type InsightsProps = {
  tree: TraceTree<StoredSpan>;
  colors: ReadonlyMap<string, number>;
  slowest: SlowSpan[];
  errorIndices: number[];
  /** Spans on the critical path; null while it is not computed (not shown). */
  criticalCount: number | null;
  criticalShown: boolean;
  onSelect(index: number): void;
  onSearch(text: string): void;
  onToggleCritical(): void;
};

export function TraceInsights({ tree, colors, slowest, errorIndices, criticalCount, criticalShown, onSelect, onSearch, onToggleCritical }: InsightsProps) {
  const services = new Map<string, { count: number; errors: number }>();
  for (const n of tree.nodes) {
    const s = services.get(n.span.service) ?? { count: 0, errors: 0 };
    s.count++;
    if (n.span.status.code === 2) s.errors++;
    services.set(n.span.service, s);
  }
  const swatch = (service: string) => ({ '--svc': `var(--svc-${colors.get(service) ?? 0})` }) as CSSProperties;

  return (
    <aside className={styles.panel} aria-label="Trace overview" data-testid="trace-insights">
      <p className={styles.hint}>
        Select a span to see its details. Keys: j/k or ↑/↓ move, → expand, ← collapse, / search, n/N next/previous match, Esc close.
      </p>

      <section className={styles.section}>
        <h3 className={styles.title}>
          Services <span className={styles.count}>{services.size}</span>
        </h3>
        <ul className={styles.list}>
          {[...services.entries()]
            .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
            .map(([service, s]) => (
              <li key={service}>
                <button type="button" className={styles.item} onClick={() => onSearch(service)} title={`Search spans of ${service}`} style={swatch(service)}>
                  <span className={styles.swatch} aria-hidden="true" />
                  <span className={styles.itemName}>{service}</span>
                  {s.errors > 0 ? <span className={styles.errors}>{s.errors} err</span> : null}
                  <span className={styles.metric}>
                    {s.count} <span className={styles.of}>span{s.count === 1 ? '' : 's'}</span>
                  </span>
                </button>
              </li>
            ))}
        </ul>
      </section>

      <section className={styles.section} data-testid="slowest-spans">
        <h3 className={styles.title}>Slowest spans by self time</h3>
        <ol className={styles.list}>
          {slowest.map((s) => {
            const span = tree.nodes[s.index].span;
            return (
              <li key={s.index}>
                <button type="button" className={styles.item} onClick={() => onSelect(s.index)} style={swatch(span.service)} data-span-id={span.spanId}>
                  <span className={styles.swatch} aria-hidden="true" />
                  <span className={styles.itemName} title={`${span.service} · ${span.name}`}>
                    {span.name}
                  </span>
                  <span className={styles.metric} title={`self ${formatNs(s.selfNs)} of ${formatNs(s.durationNs)}`}>
                    {formatNs(s.selfNs)}
                    <span className={styles.of}> / {formatNs(s.durationNs)}</span>
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      </section>

      <section className={styles.section}>
        <h3 className={styles.title}>Critical path</h3>
        <p className={styles.text}>
          {criticalCount === null
            ? 'The chain of spans that determines when the trace ends.'
            : `${criticalCount} span${criticalCount === 1 ? ' determines' : 's determine'} when the trace ends.`}{' '}
          <button type="button" className={styles.inlineButton} onClick={onToggleCritical} aria-pressed={criticalShown}>
            {criticalShown ? 'Hide' : 'Show'} in the waterfall
          </button>
        </p>
      </section>

      {errorIndices.length > 0 ? (
        <section className={styles.section} data-testid="error-spans">
          <h3 className={styles.title}>
            Errors <span className={styles.count}>{errorIndices.length}</span>
          </h3>
          <ul className={styles.list}>
            {errorIndices.slice(0, 8).map((i) => {
              const span = tree.nodes[i].span;
              return (
                <li key={i}>
                  <button type="button" className={`${styles.item} ${styles.errorItem}`} onClick={() => onSelect(i)}>
                    <span className={styles.itemName}>
                      {span.name}
                      <span className={styles.errorMessage}>{errorMessage(span) ?? 'error'}</span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
          {errorIndices.length > 8 ? <p className={styles.text}>and {errorIndices.length - 8} more (search for them, or use the j/k keys)</p> : null}
        </section>
      ) : null}
    </aside>
  );
}
