/**
 * The aligned spans of two traces, one row per span pair in tree order: each side's
 * duration, the change, and the compared values (model, route, tokens, cost, status)
 * that differ. A span of one trace only is marked with its side.
 */
import type { CSSProperties } from 'react';
import type { CompareRow } from '@/lib/trace/compare';
import { formatDurationMs } from '@/lib/format';
import { deltaText, deltaTone } from './delta';
import tableStyles from '@/components/ui/table.module.css';
import styles from './compare.module.css';

const INDENT_PX = 14;

function rowSide(row: CompareRow): 'both' | 'a' | 'b' {
  return row.a && row.b ? 'both' : row.a ? 'a' : 'b';
}

function Differences({ row }: { row: CompareRow }) {
  if (row.differences.length === 0) return null;
  return (
    <ul className={styles.diffs}>
      {row.differences.map((d) => (
        <li key={d.field} data-field={d.field}>
          <span className={styles.diffKey}>{d.field}</span> <span className={styles.diffA}>{d.a ?? '(none)'}</span> →{' '}
          <span className={styles.diffB}>{d.b ?? '(none)'}</span>
        </li>
      ))}
    </ul>
  );
}

function Row({ row }: { row: CompareRow }) {
  const side = rowSide(row);
  return (
    <tr data-testid="compare-row" data-side={side} data-name={row.name} data-service={row.service} className={side === 'both' ? undefined : styles.oneSide}>
      <td>
        <span className={styles.spanName} style={{ '--indent': `${row.depth * INDENT_PX}px` } as CSSProperties}>
          <span className={styles.service}>{row.service}</span> {row.name}
          {row.nameB ? <span className={styles.nameB}> → {row.nameB}</span> : null}
        </span>
        {side === 'both' ? null : <span className={styles.onlyTag}>only in {side.toUpperCase()}</span>}
      </td>
      <td className={styles.num}>{row.a ? formatDurationMs(row.a.durationMs) : ''}</td>
      <td className={styles.num}>{row.b ? formatDurationMs(row.b.durationMs) : ''}</td>
      <td className={`${styles.num} ${row.deltaMs === null ? '' : styles[deltaTone(row.deltaMs)]}`} data-testid="compare-delta">
        {row.deltaMs === null || !row.a ? '' : deltaText(row.deltaMs, row.a.durationMs)}
      </td>
      <td>
        <Differences row={row} />
      </td>
    </tr>
  );
}

export function CompareTable({ rows }: { rows: CompareRow[] }) {
  return (
    <div className={tableStyles.wrap}>
      <table className={`${tableStyles.table} ${styles.table}`} data-testid="compare-table">
        <thead>
          <tr>
            <th>Span</th>
            <th className={styles.num}>A</th>
            <th className={styles.num}>B</th>
            <th className={styles.num}>B − A</th>
            <th>Differences</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            // Spans of one trace may repeat ids (one trace id in two tenants): the position is the key.
            <Row key={i} row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
