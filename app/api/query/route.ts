/**
 * GET /api/query?q=…&since=…|from=…&to=…[&step=…][&limit=…] — an aggregate query
 * (`<filter> | [spans] by(…) <agg>, …`) as a table: `{columns, rows, units, otherRows,
 * source, …}`. A bad query is a 400 `{error, column, length}`. See server/query.
 */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { parseQueryParams } from '@/server/query/input';
import { runQuery } from '@/server/query/service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const input = parseQueryParams(new URL(request.url).searchParams);
    return Response.json(await runQuery(await getDb(), input, { tenantKey: serverConfig().tenantKey, tenantScope: scope }));
  });
}
