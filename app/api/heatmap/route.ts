/** GET /api/heatmap?where=…&since=…|from=…&to=…&field=duration|ttft&step=auto — requests by start time × value (log buckets). See server/heatmap. */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { loadHeatmap } from '@/server/heatmap/service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const params = new URL(request.url).searchParams;
    return Response.json(await loadHeatmap(await getDb(), params, { tenantKey: serverConfig().tenantKey, tenantScope: scope }));
  });
}
