/**
 * The two ids of a comparison, as a plain GET form to /compare: it works before the page
 * hydrates and the resulting URL is the shareable link.
 */
import controls from '@/components/ui/controls.module.css';
import styles from './compare.module.css';

const button = `${controls.button} ${styles.button}`;
const idInput = `${controls.monoInput} ${styles.idInput}`;

export function CompareForm({ a, b }: { a: string; b: string }) {
  return (
    <form action="/compare" method="get" className={styles.form} data-testid="compare-form">
      <label>
        A <input name="a" defaultValue={a} placeholder="trace id" className={idInput} spellCheck={false} data-testid="compare-input-a" />
      </label>
      <label>
        B <input name="b" defaultValue={b} placeholder="trace id" className={idInput} spellCheck={false} data-testid="compare-input-b" />
      </label>
      <button type="submit" className={button} data-testid="compare-submit">
        Compare
      </button>
      {a && b ? (
        <a href={`/compare?${new URLSearchParams({ a: b, b: a }).toString()}`} className={button} data-testid="compare-swap">
          Swap A and B
        </a>
      ) : null}
    </form>
  );
}
