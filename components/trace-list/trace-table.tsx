'use client';
/**
 * The trace table: TanStack Table for columns and visibility, server-side sort
 * (header clicks change the URL's `sort`), j/k to move, Enter to open.
 */
import { useTable } from '@tanstack/react-table';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TraceSummary } from '@/lib/trace/wire';
import { type AddFilter, SORTABLE, tableFeatureSet, traceColumns } from './columns';
import tableStyles from '@/components/ui/table.module.css';
import styles from './trace-list.module.css';

export type TraceTableProps = {
  traces: TraceSummary[];
  tenantKey: string;
  columnVisibility: Record<string, boolean>;
  sort: string;
  onSortChange: (sort: string) => void;
  addFilter: AddFilter;
  onOpen: (trace: TraceSummary, newTab: boolean) => void;
  /** Trace ids ticked for comparison, and how a tick toggles (the checkbox column shows only with it). */
  selected?: ReadonlySet<string>;
  onToggleSelected?: (traceId: string) => void;
};

function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function TraceTable({ traces, tenantKey, columnVisibility, sort, onSortChange, addFilter, onOpen, selected, onToggleSelected }: TraceTableProps) {
  const maxDurationMs = useMemo(() => traces.reduce((m, t) => Math.max(m, t.durationMs), 0), [traces]);
  const columns = useMemo(() => traceColumns({ addFilter, tenantKey, maxDurationMs }), [addFilter, tenantKey, maxDurationMs]);
  const table = useTable({
    features: tableFeatureSet,
    columns,
    data: traces,
    getRowId: (row) => `${row.tenantId}/${row.traceId}`,
    state: { columnVisibility },
  });

  const [active, setActive] = useState(-1);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((i) => Math.min(traces.length - 1, i + 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((i) => Math.max(0, i - 1));
      } else if (e.key === 'Enter' && active >= 0 && traces[active]) {
        onOpen(traces[active], false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [traces, active, onOpen]);
  useEffect(() => {
    bodyRef.current?.querySelector<HTMLElement>(`tr[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const sortKey = sort.replace(/^-/, '');
  const descending = sort.startsWith('-');

  return (
    <table className={`${tableStyles.table} ${tableStyles.oneLine} ${styles.table}`} data-testid="trace-table">
      <thead>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {onToggleSelected ? <th className={styles.selectCell} aria-label="Select to compare" /> : null}
            {group.headers.map((header) => {
              const serverSort = SORTABLE[header.column.id];
              const activeSort = serverSort === sortKey;
              return (
                <th
                  key={header.id}
                  className={serverSort ? styles.sortable : undefined}
                  aria-sort={activeSort ? (descending ? 'descending' : 'ascending') : undefined}
                  data-column={header.column.id}
                  onClick={serverSort ? () => onSortChange(activeSort && descending ? serverSort : `-${serverSort}`) : undefined}
                >
                  <table.FlexRender header={header} />
                  {activeSort ? <span className={styles.sortMark}>{descending ? '↓' : '↑'}</span> : null}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody ref={bodyRef}>
        {table.getRowModel().rows.map((row, index) => (
          <tr
            key={row.id}
            data-index={index}
            data-trace-id={row.original.traceId}
            className={index === active ? styles.active : undefined}
            onClick={(e) => onOpen(row.original, e.metaKey || e.ctrlKey)}
          >
            {onToggleSelected ? (
              <td className={styles.selectCell} onClick={(e) => e.stopPropagation()}>
                <input
                  type="checkbox"
                  aria-label={`Select trace ${row.original.traceId.slice(0, 8)} to compare`}
                  checked={selected?.has(row.original.traceId) ?? false}
                  onChange={() => onToggleSelected(row.original.traceId)}
                  data-testid="compare-select"
                />
              </td>
            ) : null}
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} data-column={cell.column.id}>
                <table.FlexRender cell={cell} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
