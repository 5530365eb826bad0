/**
 * "Compare with…" on a trace page: a GET form to /compare with this trace as A and the
 * typed id as B, so it works before hydration and lands on the shareable URL.
 */
import controls from '@/components/ui/controls.module.css';
import styles from './trace-view.module.css';

const button = `${controls.button} ${styles.button}`;

export function CompareWith({ traceId }: { traceId: string }) {
  return (
    <details className={styles.compareWith} data-testid="compare-with">
      <summary className={button}>Compare with…</summary>
      <form action="/compare" method="get" className={styles.compareForm}>
        <input type="hidden" name="a" value={traceId} />
        <input
          name="b"
          required
          placeholder="other trace id (8 or 32 hex)"
          aria-label="Trace id to compare with"
          spellCheck={false}
          className={`${controls.monoInput} ${styles.compareInput}`}
          data-testid="compare-with-input"
        />
        <button type="submit" className={button} data-testid="compare-with-submit">
          Compare
        </button>
      </form>
    </details>
  );
}
