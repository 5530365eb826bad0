/**
 * Data of the chart pages (/tenants, /tenants/{id}, /users/{id}), loaded on the
 * server from the page URL: the same parameters as the trace list (where, since |
 * from/to, minDur/maxDur) plus `by` (what the charts stack by). Everything goes
 * through metricsFromParams, i.e. the same code and errors as GET /api/metrics.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { IS_ERROR } from '../../db/queries/metrics';
import { listTraces } from '../../db/queries/list-traces';
import type { TraceSummary } from '../../lib/trace/wire';
import { serverConfig } from '../config';
import { ApiError } from '../http/errors';
import { type FilterState, type SearchParamsRecord, effectiveWheres, fromSearchParams, rangeParams } from '../../lib/filter-state';
import { traceFilterFromParams } from '../http/where-params';
import { equalsTerm } from '../../lib/metrics/links';
import { metricsFromParams } from './request';
import { type DashboardData, type DashboardScope, DEFAULT_DASHBOARD_SINCE, STACK_OPTIONS, STACK_TOP, type StackBy, stackKey } from '../../lib/metrics/scope';

export type { DashboardData, DashboardScope, StackBy };

function metricsParams(filter: FilterState, restriction: string[], extra: Record<string, string>): URLSearchParams {
  const params = new URLSearchParams();
  for (const w of [...effectiveWheres(filter), ...restriction]) params.append('where', w);
  for (const [k, v] of Object.entries({ ...rangeParams(filter), ...extra })) params.set(k, v);
  return params;
}

export async function loadDashboard(
  db: Pick<Db, 'rows'>,
  searchParams: SearchParamsRecord,
  scope: DashboardScope,
  tenantKey: string,
  /** A tenant-scoped reader's tenant (server/auth): every query of the page is confined to it. */
  tenantScope: string | null = null,
): Promise<DashboardData> {
  const parsed = fromSearchParams(searchParams);
  const filter: FilterState = parsed.since || parsed.from || parsed.to ? parsed : { ...parsed, since: DEFAULT_DASHBOARD_SINCE };
  const restriction = scope.kind === 'tenant' ? [equalsTerm(tenantKey, scope.id)] : scope.kind === 'user' ? [equalsTerm('user.id', scope.id)] : [];
  const stackOptions = STACK_OPTIONS[scope.kind];
  const byParam = searchParams.by;
  const requested = (Array.isArray(byParam) ? byParam[0] : byParam) as StackBy | undefined;
  const stackBy = requested && stackOptions.includes(requested) ? requested : stackOptions[0];
  const mapping = serverConfig().attributeMapping;
  const data: DashboardData = {
    scope,
    tenantKey,
    filter,
    restriction,
    stackBy,
    stackOptions,
    main: null,
    error: null,
    table: null,
    models: null,
    slowest: [],
    failing: [],
    mapping: {
      model: mapping.llmModel,
      tokens: [...mapping.promptTokens, ...mapping.completionTokens, ...mapping.totalTokens],
      cost: mapping.costUsd,
      ttft: mapping.ttftMs,
    },
  };
  const ctx = { tenantKey, tenantScope };
  try {
    const nowMs = Date.now();
    data.main = await metricsFromParams(db, metricsParams(filter, restriction, { group_by: stackKey(stackBy, tenantKey), top: String(STACK_TOP) }), { ...ctx, nowMs });
    // Every query below uses the main query's absolute range, so all panels describe the same requests.
    const fixed: FilterState = { ...filter, since: null, from: data.main.range.from, to: data.main.range.to };
    const tableKey = scope.kind === 'all' ? tenantKey : scope.kind === 'tenant' ? 'user.id' : 'session.id';
    const [table, models] = await Promise.all([
      metricsFromParams(db, metricsParams(fixed, restriction, { group_by: tableKey, top: '100', series: 'false' }), ctx),
      scope.kind === 'all' ? Promise.resolve(null) : metricsFromParams(db, metricsParams(fixed, restriction, { group_by: 'llm.model', top: '20', series: 'false' }), ctx),
    ]);
    data.table = table;
    data.models = models;
    if (scope.kind !== 'all') {
      const range = { fromNs: BigInt(data.main.range.fromNs), toNs: BigInt(data.main.range.toNs) };
      const compiled = traceFilterFromParams([...effectiveWheres(filter), ...restriction], tenantKey, tenantScope).sql;
      const [slowest, failing] = await Promise.all([
        listTraces(db, { filter: compiled, range, sort: { key: 'duration', direction: 'desc' }, limit: 10 }),
        // The charts' error definition, read from the summary columns (no span probes).
        listTraces(db, { filter: compiled ? sql`${compiled} AND ${IS_ERROR}` : IS_ERROR, range, limit: 10 }),
      ]);
      data.slowest = slowest.traces;
      data.failing = failing.traces;
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    data.main = null;
    data.error = { message: err.message, column: Number(err.extra.column ?? 1) };
  }
  return data;
}
