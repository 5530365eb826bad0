/**
 * /tenants — who sends what, how fast, how often it fails and what it costs:
 * requests, errors, latency, TTFT, tokens and cost over time stacked by tenant
 * (or model), and a table of tenants. Server-rendered from the URL (the trace
 * list's filter parameters plus `by`), so every view is a shareable link.
 */
import { Dashboard } from '@/components/charts/dashboard';
import { getDb } from '@/server/db';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { loadDashboard } from '@/server/metrics/dashboard';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Tenants · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function TenantsPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath('/tenants', query)));
  const { tenantKey } = serverConfig();
  const data = await loadDashboard(await getDb(), query, { kind: 'all' }, tenantKey, scope);
  return <Dashboard data={data} />;
}
