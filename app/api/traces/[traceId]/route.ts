/** GET /api/traces/{traceId} — all spans of one trace; an 8-hex short id works when unique. */
import { getDb } from '@/db/client';
import { getTrace } from '@/db/queries/get-trace';
import { ApiError, withApiErrors } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export function GET(_request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  return withApiErrors(async () => {
    const { traceId } = await params;
    if (!/^[0-9a-fA-F]{8}$|^[0-9a-fA-F]{32}$/.test(traceId)) {
      throw new ApiError(400, 'Trace ID must be 8 or 32 hex characters.');
    }
    const result = await getTrace(await getDb(), { traceId });
    if (result.status === 'not_found') throw new ApiError(404, `trace ${traceId} not found`);
    if (result.status === 'ambiguous') {
      throw new ApiError(409, `short id ${traceId} matches ${result.candidates.length} traces; use the full id`, { candidates: result.candidates });
    }
    return Response.json({ traceId: result.traceId, summaries: result.summaries, spans: result.spans });
  });
}
