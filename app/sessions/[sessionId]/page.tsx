/**
 * /sessions/{id} — one conversation over time: each turn (trace) with its time, model,
 * route, latency, TTFT, tokens, cost, status and the user's message, linking to the
 * trace. The URL's where / from / to narrow it (the list's links carry the tenant and the
 * session's own window).
 */
import { SessionTurnsView } from '@/components/sessions/session-turns';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { loadSessionPage } from '@/server/sessions-page';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Session · Tracedeck' };

type Params = Promise<{ sessionId: string }>;

/** The id as written (a segment Next left encoded is decoded; a stray `%` is kept). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SessionPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { sessionId: raw } = await params;
  const sessionId = decoded(raw);
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath(`/sessions/${raw}`, query)));
  const { tenantKey, sessionKeys } = serverConfig();
  const { detail, error } = await loadSessionPage(sessionId, query, { tenantKey, sessionKeys, tenantScope: scope });
  return <SessionTurnsView sessionId={sessionId} detail={detail} error={error?.message ?? null} />;
}
