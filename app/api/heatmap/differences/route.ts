/**
 * GET /api/heatmap/differences?where=…&since=…&field=…&selFrom=…&selTo=…&selMin=…&selMax=… — the attribute
 * values over-represented in a brushed region of a heatmap against the rest of the range. See server/heatmap.
 */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { loadDifferences } from '@/server/heatmap/service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const params = new URL(request.url).searchParams;
    return Response.json(await loadDifferences(await getDb(), params, { tenantKey: serverConfig().tenantKey, tenantScope: scope }));
  });
}
