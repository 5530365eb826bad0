/**
 * Trace page: the server fetches the trace (and, with `where`, which spans match
 * it at span level) and hands plain data to the client waterfall.
 *
 * URL: /traces/{traceId}?where=…&where=…&from=…&to=…&span=…&collapsed=…
 * An 8-hex short id redirects to the full id, keeping the query.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { Suspense } from 'react';
import { TraceSkeleton } from '@/components/trace/trace-skeleton';
import { TraceView } from '@/components/trace/trace-view';
import type { TracePageData } from '@/components/trace/types';
import { findTrace, getTraceView, matchSpans } from '@/server/reads';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { packSpans } from '@/lib/trace/pack';
import { type FilterParams, filterParams } from '@/server/http/params';
import { readQuery, searchParamsFrom } from '@/server/http/query-params';
import { type SpanWhere, compileSpanWhere } from '@/lib/trace/span-filter';

export const dynamic = 'force-dynamic';

type Params = Promise<{ traceId: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function queryString(params: Record<string, string | string[] | undefined>): string {
  const text = searchParamsFrom(params).toString();
  return text ? `?${text}` : '';
}

/** The filters and range of the URL, read with the API's schema; a refused URL highlights nothing and says why. */
function readFilters(query: Record<string, string | string[] | undefined>, tenantKey: string): { filters: FilterParams; spanWhere: SpanWhere } {
  const read = readQuery(filterParams, searchParamsFrom(query));
  if (!read.ok)
    return { filters: { where: [] }, spanWhere: { status: 'error', error: { message: read.error, column: 1, length: 1, filterIndex: 0, where: '' } } };
  const filters = { ...read.data, where: read.data.where.filter((w) => w.trim() !== '') };
  return { filters, spanWhere: compileSpanWhere(filters.where, tenantKey) };
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { traceId } = await params;
  return { title: `Trace ${traceId.slice(0, 8)} · Tracedeck` };
}

export default async function TracePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { traceId } = await params;
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath(`/traces/${encodeURIComponent(traceId)}`, query)));
  if (!/^[0-9a-fA-F]{8}$|^[0-9a-fA-F]{32}$/.test(traceId)) notFound();
  // Resolve the id first (cheap), so a short id redirects and an unknown one 404s with real status codes.
  // A tenant-scoped reader resolves within its tenant only: another tenant's trace is not found.
  const found = await findTrace({ traceId, tenantScope: scope });
  if (found.status === 'not_found') notFound();
  if (found.status === 'ambiguous') {
    return (
      <div className="empty">
        <p>Short id {traceId} matches several traces:</p>
        <ul style={{ listStyle: 'none', padding: 0 }}>
          {found.candidates.map((id) => (
            <li key={id}>
              <Link href={`/traces/${id}${queryString(query)}`} className="mono">
                {id}
              </Link>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (found.traceId !== traceId) redirect(`/traces/${found.traceId}${queryString(query)}`);
  // A big trace streams in behind a skeleton of the same layout; a small one renders at once (no flash).
  if (found.spanCount < STREAM_ABOVE_SPANS) return <TraceContent traceId={found.traceId} query={query} scope={scope} />;
  return (
    <Suspense fallback={<TraceSkeleton />}>
      <TraceContent traceId={found.traceId} query={query} scope={scope} yieldFirst />
    </Suspense>
  );
}

const STREAM_ABOVE_SPANS = 1000;
const YIELD_MS = 20;

async function TraceContent({
  traceId,
  query,
  scope,
  yieldFirst = false,
}: {
  traceId: string;
  query: Record<string, string | string[] | undefined>;
  scope: string | null;
  yieldFirst?: boolean;
}) {
  // Let the shell (layout + skeleton) flush first: the embedded PGlite runs a query synchronously on this
  // thread, so a big trace's query started in the same tick would hold back the whole response. (Static files
  // requested meanwhile still wait for the query; the browser has them cached after the first visit.)
  if (yieldFirst) await new Promise((resolve) => setTimeout(resolve, YIELD_MS));
  const { filters, spanWhere } = readFilters(query, serverConfig().tenantKey);
  const wheres = filters.where;
  const [result, matchedSpanIds] = await Promise.all([
    getTraceView({ traceId, tenantScope: scope }),
    spanWhere.status === 'ok' ? matchSpans({ traceId, filter: spanWhere.sql, tenantScope: scope }) : Promise.resolve(null),
  ]);
  if (result.status !== 'found') notFound();
  const data: TracePageData = {
    traceId: result.traceId,
    trace: packSpans(result.traceId, result.spans),
    tenants: result.summaries.map((s) => s.tenantId),
    cost: result.costs?.total ?? null,
    unpricedSpans: result.costs?.unpricedSpans ?? 0,
    wheres,
    whereCanonical: spanWhere.status === 'ok' ? spanWhere.where : null,
    matchedSpanIds,
    whereError: spanWhere.status === 'error' ? spanWhere.error : null,
    list: { wheres, from: filters.from ?? null, to: filters.to ?? null, since: filters.since ?? null },
  };
  return <TraceView data={data} />;
}
