'use client';
/** The clock button beside the where box: lists the recent filters (disabled until there are some). */
import styles from './filter-bar.module.css';

export type HistoryButtonProps = {
  hasHistory: boolean;
  /** The history list is showing. */
  pressed: boolean;
  onToggle: () => void;
};

export function HistoryButton({ hasHistory, pressed, onToggle }: HistoryButtonProps) {
  return (
    <button
      type="button"
      className={styles.historyButton}
      aria-label="Recent filters"
      title={hasHistory ? 'Recent filters' : 'No recent filters yet'}
      aria-pressed={pressed}
      disabled={!hasHistory}
      data-testid="where-history"
      // Keep the focus in the input (the click focuses it anyway).
      onMouseDown={(e) => e.preventDefault()}
      onClick={onToggle}
    >
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
        <path
          d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7M2.5 2.8v3.4h3.4M8 5v3.2l2.2 1.4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.4"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    </button>
  );
}
