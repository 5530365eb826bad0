/**
 * GET /api/traces/{traceId}/otlp — the trace as an OTLP/JSON ExportTraceServiceRequest,
 * served as a download (trace-{id}.json). POSTing it to any OTLP/HTTP JSON endpoint
 * (this one's /v1/traces included) stores the same spans again.
 */
import { getTraceForExport } from '@/server/reads';
import { requireReader } from '@/server/auth/http';
import { tenantScope } from '@/server/auth/principal';
import { withApiErrors } from '@/server/http/errors';
import { toOtlpJson } from '@/lib/otlp/export-json';
import { checkTraceIdParam, traceLookupError } from '../shared';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  return withApiErrors(async () => {
    const scope = tenantScope(requireReader(request));
    const { traceId } = await params;
    checkTraceIdParam(traceId);
    const result = await getTraceForExport({ traceId, tenantScope: scope });
    if (result.status !== 'found') throw traceLookupError(traceId, result);
    return new Response(JSON.stringify(toOtlpJson(result.spans)), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="trace-${result.traceId}.json"`,
        'cache-control': 'no-store',
      },
    });
  });
}
