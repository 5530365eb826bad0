/**
 * GET /api/metrics?where=…&since=…&from=&to=&group_by=<key>&bucket=auto|1m|5m|1h|1d&metrics=…&top=N&series=false
 * Request (= trace) counts, errors, latency and TTFT percentiles, tokens, cost and
 * distinct users/sessions over the `where` filter, per time bucket and per group
 * (top N by requests, plus "other"), with sampling-weighted estimates. See lib/metrics.
 */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { metricsFromParams } from '@/server/metrics/request';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { tenantKey } = serverConfig();
    const body = await metricsFromParams(await getDb(), new URL(request.url).searchParams, { tenantKey, tenantScope: scope });
    return Response.json(body);
  });
}
