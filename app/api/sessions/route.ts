/**
 * GET /api/sessions?where=…&since=24h&from=&to=&sort=-last&limit=100 — sessions in range:
 * id, tenant, users, first and last seen, turns, tokens, cost with its source, errors and
 * p95 TTFT (server/sessions.ts).
 */
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { serverConfig } from '@/server/config';
import { getDb } from '@/server/db';
import { withApiErrors } from '@/server/http/errors';
import { pricing } from '@/server/pricing';
import { parseSessionsParams, sessionList } from '@/server/sessions';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withApiErrors(async () => {
    const { tenantKey, sessionKeys } = serverConfig();
    const ctx = { tenantKey, sessionKeys, tenantScope: tenantScope(requireReader(request)) };
    const input = parseSessionsParams(new URL(request.url).searchParams, ctx);
    return Response.json(await sessionList(await getDb(), input, ctx, pricing()));
  });
}
