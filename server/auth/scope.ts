/**
 * The server-side tenant filter of a scoped principal: a condition over the trace
 * summary table (alias `t`, as every trace-level query names it), ANDed to whatever
 * the request asked for. A request cannot widen it: user filters only narrow further.
 */
import { type SQL, sql } from 'drizzle-orm';

export function tenantCondition(tenant: string): SQL {
  return sql`t.tenant_id = ${tenant}::text`;
}

/** `filter` confined to `tenant` (null: unchanged). */
export function scopeTraceFilter(filter: SQL | null, tenant: string | null): SQL | null {
  if (tenant === null) return filter;
  return filter ? sql`(${tenantCondition(tenant)} AND (${filter}))` : sql`(${tenantCondition(tenant)})`;
}

/** A span-level filter (over `spans s`, an aggregate query's `| spans`) confined to `tenant` (null: unchanged). */
export function scopeSpanFilter(filter: SQL | null, tenant: string | null): SQL | null {
  if (tenant === null) return filter;
  const own = sql`s.tenant_id = ${tenant}::text`;
  return filter ? sql`(${own} AND (${filter}))` : sql`(${own})`;
}
