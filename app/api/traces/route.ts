/** GET /api/traces?where=…&where=…&since=30m&from=&to=&limit=&cursor= — newest first, keyset-paged. */
import { listTraces } from '@/server/reads';
import { decodeCursor, formatSort, parseSort } from '@/lib/trace/list-order';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { ApiError, withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { parseQuery, rangeFromParams } from '@/server/http/query-params';
import { traceFilterFromParams } from '@/server/http/where-params';
import { serializeWhere } from '@/lib/where';
import { listTracesQuery } from './schema';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const principal = requireReader(request);
    const params = parseQuery(listTracesQuery, new URL(request.url).searchParams);
    const { tenantKey } = serverConfig();
    const filter = traceFilterFromParams(params.where, tenantKey, tenantScope(principal));
    const range = rangeFromParams(params);
    const sort = parseSort(params.sort);
    if (!sort) throw new ApiError(400, `invalid sort '${params.sort}' (use start, duration or cost, with '-' for descending)`);
    const cursor = params.cursor ? decodeCursor(params.cursor) : null;
    if (params.cursor && (!cursor || cursor.sort !== sort.key)) throw new ApiError(400, 'invalid cursor (it must come from the same sort order)');
    const page = await listTraces({ filter: filter.sql, range, sort, cursor, limit: params.limit });
    return Response.json({
      ...page,
      where: filter.ast ? serializeWhere(filter.ast) : null,
      sort: formatSort(sort),
      range: { from: range.fromNs?.toString() ?? null, to: range.toNs?.toString() ?? null },
    });
  });
}
