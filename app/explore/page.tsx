/**
 * /explore — an aggregate query (`<filter> | by(…) count(), p95(duration)`) as a table
 * and a chart. Server-rendered from the URL (`q`, `since` | `from`/`to`, `step`), so
 * every answer is a shareable link; the client component edits the URL.
 */
import { Suspense } from 'react';
import { QueryExplorer } from '@/components/explore/query-explorer';
import { getDb } from '@/server/db';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { searchParamsFrom } from '@/server/http/query-params';
import { loadExplore } from '@/server/query/explore';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Explore · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ExplorePage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath('/explore', query)));
  const { tenantKey } = serverConfig();
  const params = searchParamsFrom(query);
  const result = await loadExplore(await getDb(), params, { tenantKey, tenantScope: scope });
  return (
    <Suspense>
      <QueryExplorer result={result} pageKey={params.toString()} />
    </Suspense>
  );
}
