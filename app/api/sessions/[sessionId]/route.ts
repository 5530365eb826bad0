/**
 * GET /api/sessions/{id}?where=…&since=24h&from=&to=&limit=500 — one session's turns
 * (traces), oldest first, each with model, route, latency, TTFT, tokens, cost, status and
 * the user-message preview; 404 when no turn of it is in range (server/sessions.ts).
 */
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { getDb } from '@/server/db';
import { ApiError, withApiErrors } from '@/server/http/errors';
import { pricing } from '@/server/pricing';
import { parseSessionParams, sessionDetail } from '@/server/sessions';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: { params: Promise<{ sessionId: string }> }): Promise<Response> {
  return withApiErrors(async () => {
    const { tenantKey, sessionKeys } = serverConfig();
    const ctx = { tenantKey, sessionKeys, tenantScope: tenantScope(requireReader(request)) };
    const { sessionId } = await params;
    const input = parseSessionParams(sessionId, new URL(request.url).searchParams, ctx);
    const detail = await sessionDetail(await getDb(), input, ctx, pricing());
    if (!detail) throw new ApiError(404, `no turn of session '${sessionId}' in the range (widen since/from/to)`);
    return Response.json(detail);
  });
}
