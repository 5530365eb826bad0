/** Trace list: server-rendered from the URL (`where`, `since`, `cursor`), so every view is a shareable link. */
import Link from 'next/link';
import { getDb } from '@/db/client';
import { decodeCursor, listTraces } from '@/db/queries/list-traces';
import { TraceFilterForm } from '@/components/trace-filter-form';
import { TraceListTable } from '@/components/trace-list-table';
import { ApiError } from '@/lib/errors';
import { serverConfig } from '@/lib/server/config';
import { traceFilterFromParams } from '@/lib/server/where-params';
import { resolveTimeRange } from '@/lib/time-range';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export default async function TraceListPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const wheres = all(params.where).filter((w) => w.trim() !== '');
  const since = first(params.since) ?? '24h';
  const whereText = wheres.join(' AND ');
  let error: { message: string; column: number } | null = null;
  let filterSql = null;
  try {
    filterSql = traceFilterFromParams(wheres, serverConfig().tenantKey).sql;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    error = { message: err.message, column: Number(err.extra.column ?? 1) };
  }
  const range = resolveTimeRange({ since, from: first(params.from), to: first(params.to) });
  if (!range.ok) error = { message: range.error, column: 1 };
  const cursorText = first(params.cursor);
  const page =
    error || !range.ok
      ? { traces: [], nextCursor: null }
      : await listTraces(await getDb(), { filter: filterSql, range: range.range, cursor: cursorText ? decodeCursor(cursorText) : null, limit: 50 });

  const next = new URLSearchParams();
  if (whereText) next.set('where', whereText);
  next.set('since', since);
  if (page.nextCursor) next.set('cursor', page.nextCursor);

  return (
    <>
      <TraceFilterForm where={whereText} since={since} error={error} />
      <TraceListTable traces={page.traces} />
      {page.nextCursor ? (
        <div className="pager">
          <Link href={`/?${next.toString()}`}>Older traces →</Link>
        </div>
      ) : null}
    </>
  );
}
