/**
 * Links to a session page. A link carries the session's own time window (its first and
 * last turn, with a margin) and its tenant, so it keeps showing the same conversation
 * after the list's relative range has moved on.
 */
import { traceWindow } from '../links';
import type { SessionSummary } from './types';

/** `"a\"b"`: a where value that reads back as written whatever it holds. */
export function quoteWhereValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function sessionHref(s: Pick<SessionSummary, 'sessionId' | 'tenantId' | 'firstSeenUnixNano' | 'lastSeenUnixNano'>, tenantKey = 'tenant.id'): string {
  const { from, to } = traceWindow(s.firstSeenUnixNano, s.lastSeenUnixNano);
  const params = new URLSearchParams({ where: `${tenantKey}=${quoteWhereValue(s.tenantId)}`, from, to });
  return `/sessions/${encodeURIComponent(s.sessionId)}?${params.toString()}`;
}
