/**
 * Turns the `where` query parameters of an API request into a compiled SQL
 * filter, or a 400 naming the problem and its column (and which `where` it was).
 */
import type { SQL } from 'drizzle-orm';
import { scopeTraceFilter } from '../auth/scope';
import { ApiError } from './errors';
import { checkWhereList } from '../../lib/where';
import type { WhereExpr } from '../../lib/where/ast';
import { compileTraceFilter } from '../../lib/where/sql-compiler';

/**
 * The filters parsed and validated one by one, then ANDed; a syntax, type or
 * enum problem is a 400 with its column (and, among several, its filter).
 */
export function parseWhereParams(wheres: string[]): WhereExpr | null {
  const nonEmpty = wheres.filter((w) => w.trim() !== '');
  const checked = checkWhereList(nonEmpty);
  const first = checked.diagnostics[0];
  if (first) {
    throw new ApiError(400, first.message, {
      column: first.column,
      length: first.length,
      ...(nonEmpty.length > 1 ? { filterIndex: first.filterIndex, where: nonEmpty[first.filterIndex] } : {}),
    });
  }
  return checked.ast;
}

/**
 * `tenantScope` (a tenant-scoped reader's tenant, see server/auth) is ANDed to the
 * compiled filter, so the SQL never reaches past that tenant whatever the `where`
 * says; `ast` stays the request's own filter (what the API echoes back).
 */
export function traceFilterFromParams(wheres: string[], tenantKey: string, tenantScope: string | null = null): { ast: WhereExpr | null; sql: SQL | null } {
  const ast = parseWhereParams(wheres);
  if (!ast) return { ast: null, sql: scopeTraceFilter(null, tenantScope) };
  const compiled = compileTraceFilter(ast, { tenantKey });
  if (!compiled.ok) throw new Error(`trace filter refused after validation: ${compiled.error.message}`);
  return { ast, sql: scopeTraceFilter(compiled.sql, tenantScope) };
}
