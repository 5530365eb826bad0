'use client';
/** The answer of an aggregate query as a table; a group row opens the trace list for its group and range. */
import type { QueryResponse } from '@/lib/query/response';
import styles from './explore.module.css';
import { formatCell } from './cell-format';

export function ResultTable({ answer, hrefOf, onOpen }: { answer: QueryResponse; hrefOf: (row: number) => string | null; onOpen: (href: string) => void }) {
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="explore-table">
        <thead>
          <tr>
            {answer.columns.map((c, i) => (
              <th key={i} className={answer.units[i] === 'key' || answer.units[i] === 'time' ? '' : styles.num}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.rows.map((row, r) => {
            const href = hrefOf(r);
            return (
              <tr
                key={r}
                className={href ? styles.clickable : ''}
                data-other={answer.otherRows.includes(r) ? 'true' : undefined}
                title={href ? 'Open these requests in the trace list' : undefined}
                onClick={href ? () => onOpen(href) : undefined}
              >
                {row.map((cell, i) => (
                  <td key={i} className={answer.units[i] === 'key' || answer.units[i] === 'time' ? styles.key : styles.num}>
                    {i === 0 && href ? (
                      <a
                        href={href}
                        data-testid="explore-row-link"
                        onClick={(e) => {
                          // A plain click goes through the router; a modified one opens a tab as links do.
                          e.stopPropagation();
                          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                          e.preventDefault();
                          onOpen(href);
                        }}
                      >
                        {formatCell(cell, answer.units[i])}
                      </a>
                    ) : (
                      formatCell(cell, answer.units[i])
                    )}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
