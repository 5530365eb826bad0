'use client';
/** The line under the where box: the problem (an alert), else a hint about the planoai reading or what a key does. */
import type { WhereProblem } from './derive';
import styles from './filter-bar.module.css';

export type WhereMessageProps = {
  id: string;
  problem: WhereProblem | null;
  /** Canonical text when only planoai's key=value fallback reads the text. */
  fallback: string | null;
  dirty: boolean;
  focused: boolean;
};

export function WhereMessage({ id, problem, fallback, dirty, focused }: WhereMessageProps) {
  return (
    <div id={id} className={styles.message}>
      {problem ? (
        <span role="alert" className={styles.error} data-testid="where-error" title={problem.message}>
          {problem.message}
        </span>
      ) : (
        <span className={styles.hint} title={fallback ? `Read as ${fallback}` : undefined}>
          {hint(fallback, dirty, focused)}
        </span>
      )}
    </div>
  );
}

function hint(fallback: string | null, dirty: boolean, focused: boolean): string {
  if (fallback) return `Read as ${fallback} (planoai key=value form)`;
  if (dirty) return 'Press Enter to apply';
  return focused ? 'Enter applies · ↑↓ suggestions · Esc closes them' : '';
}
