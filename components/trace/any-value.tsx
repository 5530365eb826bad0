'use client';
/**
 * Typed OTLP values rendered as text (React escapes it; nothing is ever parsed as
 * HTML): strings as is (long ones folded), numbers and booleans in mono, bytes as
 * hex, arrays and kvlists as nested lists.
 */
import { useState } from 'react';
import type { OtlpAnyValue } from '@/lib/otlp/span-record';
import { anyValueKind, anyValueToText, bytesPreview } from '@/lib/trace/any-value';
import styles from './any-value.module.css';

const LONG_TEXT = 280;

export function AnyValueView({ value }: { value: OtlpAnyValue }) {
  const kind = anyValueKind(value);
  if ('stringValue' in value) return <LongText text={value.stringValue} />;
  if ('intValue' in value) return <span className={styles.num}>{value.intValue}</span>;
  if ('doubleValue' in value) return <span className={styles.num}>{String(value.doubleValue)}</span>;
  if ('boolValue' in value) return <span className={styles.bool}>{String(value.boolValue)}</span>;
  if ('bytesValue' in value) {
    return (
      <span className={styles.bytes} title={`base64: ${value.bytesValue}`}>
        {bytesPreview(value.bytesValue)}
      </span>
    );
  }
  if ('arrayValue' in value) {
    const items = value.arrayValue.values ?? [];
    const flat = items.every((v) => anyValueKind(v) !== 'array' && anyValueKind(v) !== 'kvlist');
    const inline = anyValueToText(value);
    if (flat && inline.length <= 80) return <span className={styles.inline}>{inline}</span>;
    return (
      <ol className={styles.list} start={0}>
        {items.map((v, i) => (
          <li key={i}>
            <AnyValueView value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if ('kvlistValue' in value) {
    const entries = value.kvlistValue.values ?? [];
    if (entries.length === 0) return <span className={styles.empty}>{'{}'}</span>;
    return (
      <dl className={styles.kv}>
        {entries.map((kv, i) => (
          <div key={i} className={styles.kvRow}>
            <dt>{kv.key}</dt>
            <dd>
              <AnyValueView value={kv.value} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className={styles.empty}>{kind === 'empty' ? '(empty)' : ''}</span>;
}

function LongText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text === '') return <span className={styles.empty}>(empty string)</span>;
  if (text.length <= LONG_TEXT && !text.includes('\n')) return <span className={styles.text}>{text}</span>;
  return (
    <span className={styles.long}>
      <span className={open ? styles.textOpen : styles.textFolded}>{text}</span>
      <button
        type="button"
        className={styles.more}
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          setOpen(!open);
        }}
      >
        {open ? 'show less' : `show all ${text.length.toLocaleString('en-US')} chars`}
      </button>
    </span>
  );
}

/** The small type tag shown next to a key for non-string values. */
export function typeTag(value: OtlpAnyValue): string | null {
  const kind = anyValueKind(value);
  if (kind === 'string') return null;
  if (kind === 'array' && 'arrayValue' in value) return `array[${value.arrayValue.values?.length ?? 0}]`;
  return kind;
}
