/**
 * The `where` filters of a trace page or `GET /api/traces/{id}?where=…`,
 * compiled at span level (which spans of the trace match, for highlighting).
 * Unlike the list, a bad filter is not fatal here: the caller still shows the trace.
 */
import type { SQL } from 'drizzle-orm';
import { parseWhere, parseWhereList, serializeWhere } from '../where';
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

export type SpanWhere =
  | { status: 'none' }
  | { status: 'ok'; sql: SQL; where: string }
  | { status: 'error'; error: WhereProblem };

export function compileSpanWhere(wheres: readonly string[], tenantKey: string): SpanWhere {
  const nonEmpty = wheres.filter((w) => w.trim() !== '');
  if (nonEmpty.length === 0) return { status: 'none' };
  const parsed = parseWhereList(nonEmpty);
  const first = parsed.diagnostics[0];
  if (first) {
    return {
      status: 'error',
      error: { message: first.message, column: first.column, length: first.length, filterIndex: first.filterIndex, where: nonEmpty[first.filterIndex] ?? '' },
    };
  }
  if (!parsed.ast) return { status: 'none' };
  const compiled = compileSpanFilter(parsed.ast, { tenantKey });
  if (!compiled.ok) {
    // Columns are relative to one filter's text: compile each alone to tell which one fails.
    for (let i = 0; i < nonEmpty.length; i++) {
      const one = parseWhere(nonEmpty[i]);
      const alone = one.ast ? compileSpanFilter(one.ast, { tenantKey }) : null;
      if (alone && !alone.ok) {
        return { status: 'error', error: { message: alone.error.message, column: alone.error.column, length: alone.error.length, filterIndex: i, where: nonEmpty[i] } };
      }
    }
    return { status: 'error', error: { message: compiled.error.message, column: 1, length: 1, filterIndex: 0, where: nonEmpty[0] } };
  }
  return { status: 'ok', sql: compiled.sql, where: serializeWhere(parsed.ast) };
}
