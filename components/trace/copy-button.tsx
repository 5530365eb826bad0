'use client';
import { useEffect, useState } from 'react';
import { copyText } from './clipboard';
import styles from './copy-button.module.css';

/** A small button that copies `text` (or `getText()` at click time) and says so for a moment. */
export function CopyButton({
  text,
  getText,
  label,
  children,
  testId,
}: {
  text?: string;
  getText?: () => string;
  label: string;
  children?: React.ReactNode;
  testId?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1400);
    return () => clearTimeout(t);
  }, [state]);
  const onClick = async () => {
    const ok = await copyText(getText ? getText() : (text ?? ''));
    setState(ok ? 'copied' : 'failed');
  };
  const shown = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : (children ?? 'Copy');
  return (
    <button
      type="button"
      className={children ? styles.button : styles.small}
      onClick={onClick}
      aria-label={label}
      title={label}
      data-testid={testId}
      data-state={state}
    >
      <span className={styles.text} aria-live="polite">
        {shown}
      </span>
    </button>
  );
}
