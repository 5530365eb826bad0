/**
 * GET /api/metrics?where=…&since=…&from=&to=&group_by=<key>&bucket=auto|1m|5m|1h|1d&metrics=…&top=N&series=false
 * Request (= trace) counts, errors, latency and TTFT percentiles, tokens, cost and
 * distinct users/sessions over the `where` filter, per time bucket and per group
 * (top N by requests, plus "other"), with sampling-weighted estimates. The metrics
 * are the registry's (lib/metrics/registry.ts); the chart pages call the same service.
 */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { parseMetricsParams } from '@/server/metrics/params';
import { queryMetrics } from '@/server/metrics/request';
import { serverConfig } from '@/server/config';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { tenantKey } = serverConfig();
    const ctx = { tenantKey, tenantScope: scope };
    const input = parseMetricsParams(new URL(request.url).searchParams, ctx);
    return Response.json(await queryMetrics(await getDb(), input, ctx));
  });
}
