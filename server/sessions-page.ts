/**
 * What the /sessions pages read: the URL's filter-bar state (where, range, duration
 * bounds) turned into the API's parameters, then the same service as GET /api/sessions;
 * a bad parameter comes back as the page's error (with its column for the where box)
 * instead of a thrown 400.
 */
import { effectiveWheres, fromSearchParams } from '../lib/filter-state';
import type { SessionDetail, SessionList } from '../lib/sessions/types';
import { getDb } from './db';
import { ApiError } from './http/errors';
import { type SearchParamsRecord, searchParamsFrom } from './http/query-params';
import { pricing } from './pricing';
import { type SessionsContext, parseSessionParams, parseSessionsParams, sessionDetail, sessionList } from './sessions';

export type PageError = { message: string; column?: number };

/** The API's parameters for a page URL: the where box ANDed with the duration bounds. */
function apiParams(query: SearchParamsRecord, extra: string[]): URLSearchParams {
  const page = searchParamsFrom(query);
  const state = fromSearchParams(page);
  const params = new URLSearchParams();
  for (const w of effectiveWheres(state)) params.append('where', w);
  for (const name of ['since', 'from', 'to', ...extra]) {
    const v = page.get(name);
    if (v) params.set(name, v);
  }
  return params;
}

function pageError(err: unknown): PageError {
  if (!(err instanceof ApiError) || err.status !== 400) throw err;
  const column = err.extra.column;
  return typeof column === 'number' && Number(err.extra.filterIndex ?? 0) === 0 ? { message: err.message, column } : { message: err.message };
}

export async function loadSessionListPage(query: SearchParamsRecord, ctx: SessionsContext): Promise<{ list: SessionList | null; error: PageError | null }> {
  try {
    const input = parseSessionsParams(apiParams(query, ['sort']), ctx);
    return { list: await sessionList(await getDb(), input, ctx, pricing()), error: null };
  } catch (err) {
    return { list: null, error: pageError(err) };
  }
}

export async function loadSessionPage(
  sessionId: string,
  query: SearchParamsRecord,
  ctx: SessionsContext,
): Promise<{ detail: SessionDetail | null; error: PageError | null }> {
  try {
    const input = parseSessionParams(sessionId, apiParams(query, []), ctx);
    return { detail: await sessionDetail(await getDb(), input, ctx, pricing()), error: null };
  } catch (err) {
    return { detail: null, error: pageError(err) };
  }
}
