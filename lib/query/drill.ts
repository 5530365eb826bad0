/**
 * From a row of an aggregate query's answer (lib/query/response.ts) to the trace list
 * showing the requests it counted: the query's filter, ANDed with one term per `by`
 * key (`key = value`, or `key not exists` for the "(none)" group; the folded "other"
 * row is NOT any of the named groups), over the answer's range or the row's bucket.
 * Every term is built as an AST and written by the where serializer. Pure.
 */
import { type FilterState, toSearchParams } from '../filter-state';
import { parseBucket } from '../metrics/bucket';
import type { WhereExpr } from '../where/ast';
import { termExpr, topLevelConjuncts } from '../where/edit';
import { parseQuery } from '../where/pipeline';
import { serializeWhere } from '../where/serializer';
import type { Cell, QueryResponse } from './response';

const NO_LOC = { start: 0, end: 0 };
const and = (items: WhereExpr[]): WhereExpr => items.reduce((left, right) => ({ type: 'and', left, right, loc: NO_LOC }));
const or = (items: WhereExpr[]): WhereExpr => items.reduce((left, right) => ({ type: 'or', left, right, loc: NO_LOC }));

/** The terms selecting one named group: each key equal to its value, or absent for a null cell. */
function groupExpr(keys: readonly string[], values: readonly Cell[]): WhereExpr {
  return and(keys.map((key, j) => (values[j] === null ? termExpr(key, 'not exists') : termExpr(key, '=', String(values[j])))));
}

/** Indexes of the `by` key columns (between the time column and the aggregates). */
export function keyColumns(answer: Pick<QueryResponse, 'units'>): number[] {
  return answer.units.flatMap((u, i) => (u === 'key' ? [i] : []));
}

/**
 * The where expression of a row's group: undefined without `by` keys (every row is the
 * one group), null when nothing can select it (a key not writable in a filter).
 */
function groupExprOf(answer: Pick<QueryResponse, 'units' | 'columns' | 'rows' | 'otherRows'>, rowIndex: number): WhereExpr | null | undefined {
  const cols = keyColumns(answer);
  if (cols.length === 0) return undefined;
  const keys = cols.map((c) => answer.columns[c]);
  const valuesOf = (row: Cell[]) => cols.map((c) => row[c]);
  const row = answer.rows[rowIndex];
  if (!row) return null;
  try {
    if (!answer.otherRows.includes(rowIndex)) return groupExpr(keys, valuesOf(row));
    // "other": none of the named groups (stepped answers repeat them per bucket: once each).
    const named = new Map<string, WhereExpr>();
    answer.rows.forEach((r, i) => {
      if (answer.otherRows.includes(i)) return;
      const values = valuesOf(r);
      named.set(JSON.stringify(values), groupExpr(keys, values));
    });
    if (named.size === 0) return null;
    return { type: 'not', operand: or([...named.values()]), loc: NO_LOC };
  } catch {
    return null;
  }
}

/** The where text of a row's group ('' without `by` keys), null when nothing can select it. */
export function groupWhere(answer: Pick<QueryResponse, 'units' | 'columns' | 'rows' | 'otherRows'>, rowIndex: number): string | null {
  const expr = groupExprOf(answer, rowIndex);
  return expr === undefined ? '' : expr === null ? null : serializeWhere(expr);
}

/** The time range a row covers: its bucket when stepped, else the answer's range. */
export function rowRange(answer: Pick<QueryResponse, 'units' | 'rows' | 'range' | 'step'>, rowIndex: number): { from: string; to: string } {
  const timeCol = answer.units.indexOf('time');
  const start = timeCol >= 0 ? answer.rows[rowIndex]?.[timeCol] : null;
  const stepMs = answer.step ? parseBucket(answer.step) : null;
  if (typeof start !== 'string' || typeof stepMs !== 'number') return answer.range;
  const endMs = Math.min(Date.parse(start) + stepMs, Date.parse(answer.range.to));
  return { from: start, to: new Date(endMs).toISOString() };
}

/**
 * The trace list URL for a row of `answer` (its `query` is the canonical query text), or
 * null when the group cannot be written as a filter.
 */
export function rowTraceListHref(answer: QueryResponse, rowIndex: number): string | null {
  const parsed = parseQuery(answer.query);
  if (!parsed.ast) return null;
  const group = groupExprOf(answer, rowIndex);
  if (group === null) return null;
  // Left-deep, so the text reads flat: `f AND k1 = a AND k2 = b`.
  const terms = [...topLevelConjuncts(parsed.ast.filter), ...(group === undefined ? [] : topLevelConjuncts(group))];
  const where = terms.length > 0 ? and(terms) : null;
  const { from, to } = rowRange(answer, rowIndex);
  const state: FilterState = { where: where ? serializeWhere(where) : '', since: null, from, to, minDuration: null, maxDuration: null };
  return `/?${toSearchParams(state).toString()}`;
}
