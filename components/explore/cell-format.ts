/** How a cell of an aggregate answer reads, by its column's unit (lib/query/response.ts). Pure. */
import type { Cell, ColumnUnit } from '@/lib/query/response';
import { fmtCost, fmtInt, fmtMsShort, fmtPct } from '@/components/charts/format';

const SIG3 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** The text of a key cell: `(none)` for requests without the key. */
export function keyText(cell: Cell): string {
  return cell === null ? '(none)' : String(cell);
}

export function formatCell(cell: Cell, unit: ColumnUnit): string {
  if (unit === 'key') return keyText(cell);
  if (unit === 'time') return typeof cell === 'string' ? cell.replace('T', ' ').slice(0, 16) : '–';
  if (cell === null || typeof cell !== 'number') return cell === null ? '–' : String(cell);
  switch (unit) {
    case 'count':
    case 'tokens':
      return fmtInt(cell);
    case 'ms':
      return fmtMsShort(cell);
    case 'usd':
      return fmtCost(cell);
    case 'ratio':
      return fmtPct(cell);
    case 'per_second':
      return `${SIG3.format(cell)}/s`;
    default:
      return SIG3.format(cell);
  }
}
