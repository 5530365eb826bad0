/**
 * Trace list. Server-rendered from the URL (where, since|from/to, minDur/maxDur,
 * sort, cols) so a pasted link opens exactly what the sender saw; the client
 * component takes over for filtering, sorting and paging.
 */
import { Suspense } from 'react';
import { listTraces } from '@/server/reads';
import { parseSort } from '@/lib/trace/list-order';
import { DEFAULT_SINCE, type FirstPage } from '@/components/trace-list/list-defaults';
import { TraceExplorer } from '@/components/trace-list/trace-explorer';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { ApiError } from '@/server/http/errors';
import { effectiveWheres, fromSearchParams } from '@/lib/filter-state';
import { serverConfig } from '@/server/config';
import { filterParams } from '@/server/http/params';
import { readQuery, searchParamsFrom } from '@/server/http/query-params';
import { traceFilterFromParams } from '@/server/http/where-params';
import { resolveTimeRange } from '@/lib/time-range';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

async function firstPage(params: URLSearchParams, tenantKey: string, scope: string | null): Promise<FirstPage> {
  // The same parameters and caps as GET /api/traces; the view state is then read as the client reads it.
  const checked = readQuery(filterParams, params);
  if (!checked.ok) return { traces: [], nextCursor: null, error: { message: checked.error, column: 1, source: 'other' } };
  const state = fromSearchParams(params);
  const sort = parseSort(params.get('sort'));
  if (!sort) return { traces: [], nextCursor: null, error: { message: `invalid sort '${params.get('sort')}'`, column: 1, source: 'other' } };
  const range = resolveTimeRange({ since: state.since ?? (state.from || state.to ? null : DEFAULT_SINCE), from: state.from, to: state.to });
  if (!range.ok) return { traces: [], nextCursor: null, error: { message: range.error, column: 1, source: 'other' } };
  try {
    const filter = traceFilterFromParams(effectiveWheres(state), tenantKey, scope);
    const page = await listTraces({ filter: filter.sql, range: range.range, sort, limit: 50 });
    return { ...page, error: null };
  } catch (err) {
    if (err instanceof ApiError) {
      // Index 0 is the where box's own text; later ones are the duration bounds.
      const source = Number(err.extra.filterIndex ?? 0) === 0 && state.where.trim() !== '' ? 'where' : 'other';
      return { traces: [], nextCursor: null, error: { message: err.message, column: Number(err.extra.column ?? 1), source } };
    }
    throw err;
  }
}

export default async function TraceListPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath('/', query)));
  const params = searchParamsFrom(query);
  const { tenantKey } = serverConfig();
  const page = await firstPage(params, tenantKey, scope);
  params.delete('cols');
  return (
    <Suspense>
      <TraceExplorer firstPage={page} tenantKey={tenantKey} pageKey={params.toString()} />
    </Suspense>
  );
}
