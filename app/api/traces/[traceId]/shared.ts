/** Checks shared by the /api/traces/{traceId} routes. */
import { ApiError } from '@/server/http/errors';

export const TRACE_ID_PATTERN = /^[0-9a-fA-F]{8}$|^[0-9a-fA-F]{32}$/;

export function checkTraceIdParam(traceId: string): void {
  if (!TRACE_ID_PATTERN.test(traceId)) throw new ApiError(400, 'Trace ID must be 8 or 32 hex characters.');
}

/** 404 for an unknown id, 409 listing the candidates for an ambiguous short id. */
export function traceLookupError(traceId: string, result: { status: 'not_found' } | { status: 'ambiguous'; candidates: string[] }): ApiError {
  if (result.status === 'not_found') return new ApiError(404, `trace ${traceId} not found`);
  return new ApiError(409, `short id ${traceId} matches ${result.candidates.length} traces; use the full id`, { candidates: result.candidates });
}
