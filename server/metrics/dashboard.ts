/**
 * Data of the chart pages (/tenants, /tenants/{id}, /users/{id}), loaded on the
 * server from the page URL: the same parameters as the trace list (where, since |
 * from/to, minDur/maxDur) plus `by` (what the charts stack by). The queries are typed
 * calls of the metrics service (./request.ts), built with the same checks as
 * GET /api/metrics (./input.ts), so a bad filter or range fails the same way.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { IS_ERROR } from '../../db/queries/request-error';
import { listTraces } from '../../db/queries/list-traces';
import { serverConfig } from '../config';
import { ApiError } from '../http/errors';
import { type FilterState, type SearchParamsRecord, effectiveWheres, fromSearchParams, rangeParams } from '../../lib/filter-state';
import { equalsTerm } from '../../lib/metrics/links';
import { type MetricsContext, type MetricsInput, metricsBucket, metricsFilter, metricsRange } from './input';
import { queryMetrics } from './request';
import { pricing } from '../pricing';
import { summaryCost } from '../../lib/pricing/trace-cost';
import { type DashboardData, type DashboardScope, DEFAULT_DASHBOARD_SINCE, STACK_OPTIONS, STACK_TOP, type StackBy, stackKey } from '../../lib/metrics/scope';

export type { DashboardData, DashboardScope, StackBy };

/** One chart or table query of a page: every metric, auto buckets. */
function pageQuery(filter: MetricsInput['filter'], range: MetricsInput['range'], groupBy: string, top: number, series: boolean): MetricsInput {
  return { filter, range, bucket: metricsBucket(range, null, series), series, metrics: [], groupBy, top };
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
  const ctx: MetricsContext = { tenantKey, tenantScope };
  try {
    const compiled = metricsFilter([...effectiveWheres(filter), ...restriction], ctx);
    // Every panel uses the same absolute range, so all of them describe the same requests.
    const range = metricsRange(rangeParams(filter));
    const tableKey = scope.kind === 'all' ? tenantKey : scope.kind === 'tenant' ? 'user.id' : 'session.id';
    const lists = scope.kind !== 'all';
    // All at once: the page waits for the slowest panel rather than for their sum (on Postgres each
    // query has its own connection and backend; PGlite runs them one after the other anyway).
    const [main, table, models, slowest, failing] = await Promise.all([
      queryMetrics(db, pageQuery(compiled, range, stackKey(stackBy, tenantKey), STACK_TOP, true), ctx),
      queryMetrics(db, pageQuery(compiled, range, tableKey, 100, false), ctx),
      lists ? queryMetrics(db, pageQuery(compiled, range, 'llm.model', 20, false), ctx) : null,
      lists ? listTraces(db, { filter: compiled.sql, range, sort: { key: 'duration', direction: 'desc' }, limit: 10 }) : null,
      // The charts' error definition, read from the summary columns (no span probes).
      lists ? listTraces(db, { filter: compiled.sql ? sql`${compiled.sql} AND ${IS_ERROR}` : IS_ERROR, range, limit: 10 }) : null,
    ]);
    data.main = main;
    data.table = table;
    data.models = models;
    if (slowest && failing) {
      // Each trace's cost with its source, priced now (lib/pricing).
      const { book } = pricing();
      data.slowest = slowest.traces.map((t) => ({ ...t, cost: summaryCost(t, book) }));
      data.failing = failing.traces.map((t) => ({ ...t, cost: summaryCost(t, book) }));
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    data.main = null;
    data.error = { message: err.message, column: Number(err.extra.column ?? 1) };
  }
  return data;
}
