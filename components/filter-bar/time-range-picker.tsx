'use client';
/**
 * Time range picker: a button showing the active range, opening a panel with
 * the presets (set `since`, clear from/to) and a custom UTC range (two
 * datetime-local inputs setting `from`/`to`, clearing `since`).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { parseSince } from '@/lib/where/duration';
import styles from './filter-bar.module.css';
import { SINCE_PRESETS, customRange, describeRange, msToDateTimeLocalUtc, toDateTimeLocalUtc } from './time-format';

export type TimeRange = { since: string | null; from: string | null; to: string | null };

export type TimeRangePickerProps = TimeRange & { onChange: (next: TimeRange) => void };

const MINUTE = 60_000;

export function TimeRangePicker({ since, from, to, onChange }: TimeRangePickerProps) {
  const id = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [fromLocal, setFromLocal] = useState('');
  const [toLocal, setToLocal] = useState('');
  const [error, setError] = useState<string | null>(null);

  const label = describeRange({ since, from, to });
  const custom = from !== null || to !== null;

  const close = (refocus: boolean) => {
    setOpen(false);
    setError(null);
    if (refocus) triggerRef.current?.focus();
  };

  const openPanel = () => {
    // Prefill the custom range with the active one (a relative range as of now).
    if (custom) {
      setFromLocal(toDateTimeLocalUtc(from));
      setToLocal(toDateTimeLocalUtc(to));
    } else {
      const now = Math.floor(Date.now() / MINUTE) * MINUTE;
      const span = (since ? parseSince(since) : null) ?? 3_600_000;
      setFromLocal(msToDateTimeLocalUtc(now - span));
      setToLocal(msToDateTimeLocalUtc(now));
    }
    setError(null);
    setOpen(true);
  };

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: MouseEvent) => {
      if (rootRef.current && e.target instanceof Node && !rootRef.current.contains(e.target)) close(false);
    };
    document.addEventListener('mousedown', onPointer);
    const first = panelRef.current?.querySelector<HTMLElement>('[aria-pressed="true"]') ?? panelRef.current?.querySelector<HTMLElement>('button');
    first?.focus();
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const choosePreset = (preset: string) => {
    onChange({ since: preset, from: null, to: null });
    close(true);
  };

  const applyCustom = () => {
    const r = customRange(fromLocal, toLocal);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    onChange({ since: null, from: r.from, to: r.to });
    close(true);
  };

  return (
    <div
      ref={rootRef}
      className={styles.range}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          close(true);
        }
      }}
      onBlur={(e) => {
        // Focus moved to something outside the picker (Tab past the panel): close it.
        // (A click on a non-focusable spot gives no relatedTarget; the mousedown handler covers clicks.)
        if (open && e.relatedTarget instanceof Node && !e.currentTarget.contains(e.relatedTarget)) close(false);
      }}
    >
      <button
        ref={triggerRef}
        type="button"
        className={styles.rangeButton}
        aria-label={`Time range: ${label}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? `${id}-panel` : undefined}
        title={label}
        data-testid="time-range"
        onClick={() => (open ? close(false) : openPanel())}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <circle cx="8" cy="8" r="5.8" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M8 4.8V8l2.2 1.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
        </svg>
        <span className={styles.rangeLabel}>{label}</span>
        <span className={styles.caret} aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <div ref={panelRef} id={`${id}-panel`} role="dialog" aria-label="Choose a time range" className={styles.rangePanel}>
          <div className={styles.presets} role="group" aria-label="Relative ranges">
            {SINCE_PRESETS.map((p) => {
              const activePreset = !custom && since === p.since;
              return (
                <button
                  key={p.since}
                  type="button"
                  className={`${styles.preset} ${activePreset ? styles.presetActive : ''}`}
                  aria-pressed={activePreset}
                  data-testid={`time-range-preset-${p.since}`}
                  onClick={() => choosePreset(p.since)}
                >
                  {p.label}
                </button>
              );
            })}
          </div>
          <form
            className={styles.custom}
            onSubmit={(e) => {
              e.preventDefault();
              applyCustom();
            }}
          >
            <div className={styles.customTitle}>Custom… (UTC)</div>
            <label className={styles.customField}>
              <span>From (UTC)</span>
              <input
                type="datetime-local"
                step={60}
                value={fromLocal}
                aria-label="From (UTC)"
                data-testid="time-range-from"
                onChange={(e) => setFromLocal(e.target.value)}
              />
            </label>
            <label className={styles.customField}>
              <span>To (UTC)</span>
              <input
                type="datetime-local"
                step={60}
                value={toLocal}
                aria-label="To (UTC)"
                data-testid="time-range-to"
                onChange={(e) => setToLocal(e.target.value)}
              />
            </label>
            <div className={styles.customActions}>
              <span className={styles.customError} role={error ? 'alert' : undefined}>
                {error ?? ''}
              </span>
              <button type="submit" className={styles.applyButton} data-testid="time-range-apply">
                Apply
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </div>
  );
}
