/**
 * Reading values out of a trace's attribute set (`traces.attribute_set`: per key, every
 * distinct value the trace's spans carry, as `{s, n?}`; db/trace-attribute-set.ts) in SQL
 * over `traces t`. The queries that need a value rather than a predicate (cost, live
 * traffic) read it here, so a change of the set's layout is made in one place; predicates
 * go through the `where` compiler (lib/where/sql-compiler.ts) instead.
 */
import { type SQL, sql } from 'drizzle-orm';
import { parseWhere } from '../../lib/where';
import { compileTraceFilter } from '../../lib/where/sql-compiler';

/** The first stored value of `key` as text (a request carries one route, one strategy), NULL when absent. */
export function setText(key: string): SQL {
  return sql`(t.attribute_set -> ${key}::text -> 0 ->> 's')`;
}

/**
 * A `where` text (a constant of the caller, never user input) as a boolean over `traces t`:
 * the compiler's own trace-level semantics ("some span of the trace matches").
 */
export function traceCondition(text: string, tenantKey = 'tenant.id'): SQL {
  const { ast, diagnostics } = parseWhere(text);
  if (!ast || diagnostics.length > 0) throw new Error(`bad built-in condition '${text}': ${diagnostics[0]?.message ?? 'empty'}`);
  const compiled = compileTraceFilter(ast, { tenantKey });
  if (!compiled.ok) throw new Error(`bad built-in condition '${text}': ${compiled.error.message}`);
  return compiled.sql;
}
