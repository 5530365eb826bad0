'use client';
/** "What's different" about a brushed region: values ranked by how much more often the selected requests carry them; a click adds one to the where. */
import type { DifferencesResponse } from '@/lib/query/heatmap';
import { pct } from './heatmap-data';
import styles from './heatmap.module.css';

type Props = { data: DifferencesResponse | null; error: string | null; loading: boolean; onAdd: (key: string, value: string) => void; onClose: () => void };

export function DifferencesPanel({ data, error, loading, onAdd, onClose }: Props) {
  const estimate = data && (data.selectedSampled < 1 || data.restSampled < 1) ? '≈ ' : '';
  return (
    <section className={styles.differences} data-testid="differences" aria-live="polite">
      <div className={styles.differencesHead}>
        <span className={styles.differencesTitle}>What’s different</span>
        {data ? (
          <span className={styles.muted}>
            {data.selectedTotal.toLocaleString('en-US')} selected vs {data.restTotal.toLocaleString('en-US')} others
            {estimate ? ' · estimated from a sample' : ''}
          </span>
        ) : null}
        <button type="button" className={styles.close} onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {loading ? <div className={styles.muted}>Comparing…</div> : null}
      {error ? <div className={styles.error}>{error}</div> : null}
      {data && data.selectedTotal === 0 ? <div className={styles.muted}>No requests in the selection.</div> : null}
      {data && data.selectedTotal > 0 && data.values.length === 0 ? (
        <div className={styles.muted}>Nothing is more common in the selection than in the rest.</div>
      ) : null}
      {data && data.values.length > 0 ? (
        <ul className={styles.values}>
          {data.values.map((v) => (
            <li key={`${v.key}\u0000${v.value}`}>
              <button
                type="button"
                className={styles.value}
                onClick={() => onAdd(v.key, v.value)}
                data-testid="difference-item"
                title={`Add ${v.key} = ${v.value} to the filter`}
              >
                <span className={styles.bar} style={{ width: `${v.selectedShare * 100}%` }} />
                <span className={styles.valueText}>
                  <code>
                    {v.key} = {v.value}
                  </code>
                  : {estimate}
                  {pct(v.selectedShare)} of selected vs {pct(v.restShare)} of the rest
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
