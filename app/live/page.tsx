/**
 * /live — the gateway's traffic right now (a better `planoai obs`). The page is a shell:
 * the figures come from GET /api/live, which the client polls every 2 s while the tab is
 * visible (components/live). Reading needs the same sign-in as every page.
 */
import { LiveView } from '@/components/live/live-view';
import { pagePath, readerForPage } from '@/server/auth/page';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Live · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LivePage({ searchParams }: { searchParams: SearchParams }) {
  await readerForPage(pagePath('/live', await searchParams));
  return <LiveView tenantKey={serverConfig().tenantKey} />;
}
