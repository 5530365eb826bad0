/** /users/{id} — one user's charts (stacked by model or session), their sessions, models, slowest and failing requests. */
import type { Metadata } from 'next';
import { Dashboard } from '@/components/charts/dashboard';
import { getDb } from '@/server/db';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { loadDashboard } from '@/server/metrics/dashboard';
import { segmentText } from '@/lib/metrics/scope';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `User ${segmentText((await params).id)} · Tracedeck` };
}

export default async function UserPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const segment = (await params).id;
  const id = segmentText(segment);
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath(`/users/${segment}`, query)));
  const { tenantKey } = serverConfig();
  const data = await loadDashboard(await getDb(), query, { kind: 'user', id }, tenantKey, scope);
  return <Dashboard data={data} />;
}
