/**
 * /sessions — conversations: one row per session with its turns, tokens, cost, errors
 * and p95 TTFT, sortable, under the shared filter bar. Server-rendered from the URL
 * (where, since|from/to, minDur/maxDur, sort) through server/sessions.ts.
 */
import { Suspense } from 'react';
import { SessionListView } from '@/components/sessions/session-list';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { loadSessionListPage } from '@/server/sessions-page';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Sessions · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath('/sessions', query)));
  const { tenantKey, sessionKeys } = serverConfig();
  const { list, error } = await loadSessionListPage(query, { tenantKey, sessionKeys, tenantScope: scope });
  return (
    <Suspense>
      <SessionListView data={{ list, error, tenantKey, showTenant: scope === null }} />
    </Suspense>
  );
}
