/**
 * Whether a metrics request can be answered from the chart rollups
 * (db/queries/metrics-rollup.ts): its filter must be nothing but the tenant —
 * `tenant.id=X` terms, and/or a tenant-scoped reader's tenant — because the rollups
 * keep no other dimension. Everything else takes the exact traces path.
 */
import type { RollupScope } from './metrics-query';
import { isMetricName, isRolledUp } from '../../lib/metrics/registry';
import type { WhereExpr } from '../../lib/where/ast';

/** The tenant a filter keeps when it is only ANDed `tenantKey=X` terms (null: no filter); undefined otherwise. */
export function onlyTenant(ast: WhereExpr | null, tenantKey: string): string | null | undefined {
  if (ast === null) return null;
  // The compiler turns this into `t.tenant_id = X` (the literal's text, as written).
  if (ast.type === 'compare') return ast.op === '=' && ast.field.kind === 'attribute' && ast.field.key === tenantKey ? ast.value.text : undefined;
  if (ast.type !== 'and') return undefined;
  const left = onlyTenant(ast.left, tenantKey);
  const right = onlyTenant(ast.right, tenantKey);
  if (left === undefined || right === undefined) return undefined;
  if (left === null || left === right) return right;
  return right === null ? left : undefined; // two different tenants: nothing matches, the traces path says so
}

/** Whether `values` (the `metrics=` tokens) name a metric the rollups do not store (`metrics=users`), not only the default "all". */
export function namesUnrolledMetric(values: readonly string[]): boolean {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .some((v) => isMetricName(v) && !isRolledUp(v));
}

export function rollupScope(ast: WhereExpr | null, tenantKey: string, tenantScope: string | null, metricValues: readonly string[]): RollupScope | null {
  const tenant = onlyTenant(ast, tenantKey);
  if (tenant === undefined) return null;
  if (tenantScope !== null && tenant !== null && tenant !== tenantScope) return null;
  return { tenantId: tenantScope ?? tenant, unrolledOptional: !namesUnrolledMetric(metricValues) };
}
