'use client';
import { useEffect, useRef, useState } from 'react';
import { COLUMN_LABELS } from './columns';
import styles from './trace-list.module.css';

/** A menu of checkboxes choosing the visible columns. */
export function ColumnPicker({ visible, onChange }: { visible: Record<string, boolean>; onChange: (next: Record<string, boolean>) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div className={styles.picker} ref={ref}>
      <button
        type="button"
        className={styles.button}
        aria-expanded={open}
        aria-label="choose columns"
        data-testid="column-picker"
        onClick={() => setOpen((o) => !o)}
      >
        Columns ▾
      </button>
      {open ? (
        <div className={styles.pickerMenu} role="menu">
          {Object.entries(COLUMN_LABELS).map(([id, label]) => (
            <label key={id}>
              <input
                type="checkbox"
                checked={visible[id] !== false}
                onChange={(e) => onChange({ ...visible, [id]: e.target.checked })}
                data-column-toggle={id}
              />
              {label}
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}
