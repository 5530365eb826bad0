/**
 * GET /api/live?where=…&where=…&since=5m&recent=15 — live traffic over the last `since`
 * (at most 24h): totals, errors by class, latency and TTFT percentiles, by model, route
 * share with strategies and fallbacks, cache hits, the newest requests and the last error,
 * every cost with its source. /live polls it; `tracedeck obs` prints it.
 */
import { getDb } from '@/server/db';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { liveSnapshot, parseLiveParams } from '@/server/live';
import { pricing } from '@/server/pricing';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const ctx = { tenantKey: serverConfig().tenantKey, tenantScope: tenantScope(requireReader(request)) };
    const input = parseLiveParams(new URL(request.url).searchParams, ctx);
    return Response.json(await liveSnapshot(await getDb(), input, ctx, pricing()));
  });
}
