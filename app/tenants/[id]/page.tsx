/** /tenants/{id} — the tenant's charts (stacked by model or user), its top users and models, slowest and failing requests. */
import type { Metadata } from 'next';
import { Dashboard } from '@/components/charts/dashboard';
import { getDb } from '@/db/client';
import { loadDashboard } from '@/lib/metrics/dashboard';
import { segmentText } from '@/lib/metrics/scope';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Tenant ${segmentText((await params).id)} · Tracedeck` };
}

export default async function TenantPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const id = segmentText((await params).id);
  const { tenantKey } = serverConfig();
  const data = await loadDashboard(await getDb(), await searchParams, { kind: 'tenant', id }, tenantKey);
  return <Dashboard data={data} />;
}
