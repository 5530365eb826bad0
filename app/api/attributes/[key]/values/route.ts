/**
 * GET /api/attributes/{key}/values?where=…&since=… — top values of a key, with counts.
 * For a tenant-scoped reader the filter carries its tenant, so the values are counted
 * over that tenant's traces (never the global catalog) and the tenant key lists only it.
 */
import { listAttributeValues } from '@/server/reads';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { ApiError, withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { parseQuery, rangeFromParams } from '@/server/http/query-params';
import { traceFilterFromParams } from '@/server/http/where-params';
import { attributeValuesQuery } from './schema';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: { params: Promise<{ key: string }> }): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { key } = await params;
    if (!/^[A-Za-z0-9_.:-]{1,256}$/.test(key)) throw new ApiError(400, `invalid attribute key '${key}' (allowed: letters, digits, _ . : -)`);
    const query = parseQuery(attributeValuesQuery, new URL(request.url).searchParams);
    const { tenantKey } = serverConfig();
    const filter = traceFilterFromParams(query.where, tenantKey, scope);
    const values = await listAttributeValues({
      key,
      filter: filter.sql,
      range: rangeFromParams(query),
      limit: query.limit,
      tenantKey,
    });
    return Response.json({ key, values });
  });
}
