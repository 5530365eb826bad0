'use client';
/** Above the trace table: how many rows are ticked and "Compare", which opens /compare for exactly two. */
import { compareHref } from '@/lib/links';
import styles from './trace-list.module.css';

export function CompareBar({ selected, onClear }: { selected: string[]; onClear: () => void }) {
  const [a, b] = selected;
  return (
    <div className={styles.compareBar}>
      <span className={styles.status} data-testid="compare-selection">
        {selected.length === 0 ? 'Tick two traces to compare them' : `${selected.length} of 2 selected`}
      </span>
      {a && b ? (
        <a className={styles.button} href={compareHref(a, b)} data-testid="compare-selected">
          Compare
        </a>
      ) : (
        <button type="button" className={styles.button} disabled data-testid="compare-selected">
          Compare
        </button>
      )}
      {selected.length > 0 ? (
        <button type="button" className={styles.button} onClick={onClear}>
          Clear
        </button>
      ) : null}
    </div>
  );
}
