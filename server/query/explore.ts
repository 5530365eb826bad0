/**
 * The /explore page's server side: its URL parameters (`q`, `since` | `from`/`to`,
 * `step`, `limit`, as GET /api/query takes them) → the answer, or the error the API
 * would give (its column when the query is at fault), so the page renders at once.
 */
import type { Db } from '../../db/client';
import type { ExploreResult } from '../../lib/query/response';
import { ApiError } from '../http/errors';
import { parseQueryParams } from './input';
import { type QueryContext, runQuery } from './service';

export async function loadExplore(db: Pick<Db, 'rows'>, params: URLSearchParams, ctx: QueryContext): Promise<ExploreResult> {
  if ((params.get('q') ?? '').trim() === '') return { kind: 'empty' };
  try {
    const answer = await runQuery(db, parseQueryParams(params), ctx);
    return { kind: 'answer', answer };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return { kind: 'error', message: err.message, column: num(err.extra.column), length: num(err.extra.length) };
  }
}
