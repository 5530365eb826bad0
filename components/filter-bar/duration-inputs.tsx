'use client';
/**
 * Min / max trace duration: two small inputs taking duration literals
 * (`250ms`, `1.5s`, `2m`). Applied on Enter or blur when valid; an invalid
 * entry (or min above max) gets a red border and a tooltip and is not applied.
 * Esc puts back the applied value.
 */
import { useState } from 'react';
import { durationProblems, normDuration as norm } from './derive';
import styles from './filter-bar.module.css';

export type DurationBounds = { minDuration: string | null; maxDuration: string | null };

export type DurationInputsProps = DurationBounds & { onChange: (next: DurationBounds) => void };

export function DurationInputs({ minDuration, maxDuration, onChange }: DurationInputsProps) {
  const [minText, setMinText] = useState(minDuration ?? '');
  const [maxText, setMaxText] = useState(maxDuration ?? '');
  const [synced, setSynced] = useState<DurationBounds>({ minDuration, maxDuration });
  // The applied values changed from outside (URL, back button): show them.
  if (synced.minDuration !== minDuration || synced.maxDuration !== maxDuration) {
    setSynced({ minDuration, maxDuration });
    setMinText(minDuration ?? '');
    setMaxText(maxDuration ?? '');
  }

  const problems = durationProblems(minText, maxText);

  const commit = () => {
    if (problems.min || problems.max) return;
    const next = { minDuration: norm(minText), maxDuration: norm(maxText) };
    if (next.minDuration !== minDuration || next.maxDuration !== maxDuration) onChange(next);
  };

  const revert = () => {
    setMinText(minDuration ?? '');
    setMaxText(maxDuration ?? '');
  };

  const field = (which: 'min' | 'max') => {
    const isMin = which === 'min';
    const problem = isMin ? problems.min : problems.max;
    return (
      <input
        type="text"
        className={`${styles.durationInput} ${problem ? styles.invalid : ''}`}
        value={isMin ? minText : maxText}
        placeholder={isMin ? '≥ min' : '≤ max'}
        aria-label={isMin ? 'Minimum trace duration' : 'Maximum trace duration'}
        aria-invalid={problem ? true : undefined}
        title={problem ?? (isMin ? 'Minimum trace duration, e.g. 250ms or 1.5s' : 'Maximum trace duration, e.g. 2s or 1m')}
        data-testid={isMin ? 'min-duration' : 'max-duration'}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => (isMin ? setMinText(e.target.value) : setMaxText(e.target.value))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            revert();
          }
        }}
        onBlur={commit}
      />
    );
  };

  return (
    <div className={styles.durations} role="group" aria-label="Trace duration">
      <span className={styles.durationLabel} aria-hidden="true">
        Duration
      </span>
      {field('min')}
      <span className={styles.durationDash} aria-hidden="true">
        –
      </span>
      {field('max')}
    </div>
  );
}
