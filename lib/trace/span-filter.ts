/**
 * The `where` filters of a trace page or `GET /api/traces/{id}?where=…`,
 * compiled at span level (which spans of the trace match, for highlighting).
 * Unlike the list, a bad filter is not fatal here: the caller still shows the trace.
 */
import type { SQL } from 'drizzle-orm';
import { checkWhereList, serializeWhere } from '../where';
import { compileSpanFilter } from '../where/sql-compiler';

export type WhereProblem = {
  message: string;
  /** 1-based column in the filter text `where`. */
  column: number;
  length: number;
  /** Which of the `where` parameters it is in (0-based) and its text. */
  filterIndex: number;
  where: string;
};

export type SpanWhere = { status: 'none' } | { status: 'ok'; sql: SQL; where: string } | { status: 'error'; error: WhereProblem };

export function compileSpanWhere(wheres: readonly string[], tenantKey: string): SpanWhere {
  const nonEmpty = wheres.filter((w) => w.trim() !== '');
  if (nonEmpty.length === 0) return { status: 'none' };
  // Parsed and validated filter by filter, so a problem names the filter it is in.
  const checked = checkWhereList(nonEmpty);
  const first = checked.diagnostics[0];
  if (first) {
    return {
      status: 'error',
      error: { message: first.message, column: first.column, length: first.length, filterIndex: first.filterIndex, where: nonEmpty[first.filterIndex] ?? '' },
    };
  }
  if (!checked.ast) return { status: 'none' };
  const compiled = compileSpanFilter(checked.ast, { tenantKey });
  if (!compiled.ok) throw new Error(`span filter refused after validation: ${compiled.error.message}`);
  return { status: 'ok', sql: compiled.sql, where: serializeWhere(checked.ast) };
}
