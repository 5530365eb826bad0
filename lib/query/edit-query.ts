/**
 * Edits of an aggregate query's text that keep its pipeline: the filter part read alone,
 * and a `key = value` term ANDed to it (a "what's different" value clicked on /explore).
 * Parse → edit the AST → serializeQuery, so the result is canonical. Pure.
 */
import { addConjunct, termExpr } from '../where/edit';
import { parseQuery } from '../where/pipeline';
import { serializeQuery, serializeWhere } from '../where/serializer';

/** The filter of a query as where text ('' without one), or null when the query does not parse. */
export function queryFilterText(queryText: string): string | null {
  const parsed = parseQuery(queryText);
  return parsed.ast ? serializeWhere(parsed.ast.filter) : null;
}

/** The query with `key = value` ANDed to its filter; null when it does not parse or the key cannot be written. */
export function addQueryTerm(queryText: string, key: string, value: string): string | null {
  const parsed = parseQuery(queryText);
  if (!parsed.ast) return null;
  try {
    return serializeQuery({ ...parsed.ast, filter: addConjunct(parsed.ast.filter, termExpr(key, '=', value)) });
  } catch {
    return null;
  }
}
