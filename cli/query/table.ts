/**
 * An aggregate query's answer (lib/query/response.ts) as a plain-text table: a header,
 * a rule, one line per row; numbers right-aligned, text left-aligned.
 */
import type { Cell, ColumnUnit, QueryResponse } from '../../lib/query/response';
import { NONE_LABEL } from '../../lib/metrics/types';
import type { Painter } from '../trace/style';

/** A cell as text: a missing key reads "(none)", a missing figure "-", ratios as percentages, others to 3 decimals. */
export function formatCell(value: Cell, unit: ColumnUnit): string {
  if (value === null) return unit === 'key' ? NONE_LABEL : '-';
  if (typeof value === 'string') return value;
  if (unit === 'ratio') return `${(value * 100).toFixed(2)}%`;
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(3)));
}

const isText = (unit: ColumnUnit) => unit === 'key' || unit === 'time';

/** Cost read per request is priced at query time when not reported; requests no price covers are left out. */
function costNote(answer: QueryResponse): string {
  if (!answer.cost) return '';
  const n = answer.cost.unpricedRequests;
  return ` · cost: reported or priced now${n > 0 ? `, ${n} request${n === 1 ? '' : 's'} without a price left out` : ''}`;
}

export function renderQueryTable(answer: QueryResponse, painter: Painter): string[] {
  const cells = answer.rows.map((row) => row.map((v, i) => formatCell(v, answer.units[i] ?? null)));
  const widths = answer.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (isText(answer.units[i] ?? null) ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const footer = `${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'} · ${answer.unit} · source: ${answer.source} · ${answer.range.from} → ${answer.range.to}${answer.step ? ` · step ${answer.step}` : ''}${costNote(answer)}`;
  return [
    painter.paint(line(answer.columns), { bold: true }),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    painter.paint(footer, { dim: true }),
  ];
}
