/**
 * GET /api/traces/{traceId}[?where=…&where=…] — all spans of one trace; an 8-hex
 * short id works when unique. With `where`, also `matchedSpanIds`: the spans of
 * the trace that match the filters at span level (for highlighting). A bad
 * filter gives 400 {error, column, filterIndex, where}, like the list.
 */
import { getTraceView, matchSpans } from '@/server/reads';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { ApiError, withApiErrors } from '@/server/http/errors';
import { serverConfig } from '@/server/config';
import { parseQuery } from '@/server/http/query-params';
import { compileSpanWhere } from '@/lib/trace/span-filter';
import { traceQuery } from './schema';
import { checkTraceIdParam, traceLookupError } from './shared';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { traceId } = await params;
    checkTraceIdParam(traceId);
    const { where } = parseQuery(traceQuery, new URL(request.url).searchParams);
    const spanWhere = compileSpanWhere(where, serverConfig().tenantKey);
    if (spanWhere.status === 'error') {
      const { message, ...extra } = spanWhere.error;
      throw new ApiError(400, message, extra);
    }
    // A scoped reader gets 404 for another tenant's trace, as if it did not exist.
    const result = await getTraceView({ traceId, tenantScope: scope });
    if (result.status !== 'found') throw traceLookupError(traceId, result);
    const body: Record<string, unknown> = { traceId: result.traceId, summaries: result.summaries, spans: result.spans, costs: result.costs };
    if (spanWhere.status === 'ok') {
      body.where = spanWhere.where;
      body.matchedSpanIds = await matchSpans({ traceId: result.traceId, filter: spanWhere.sql, tenantScope: scope });
    }
    return Response.json(body);
  });
}
