/**
 * The one error type API routes throw: an HTTP status, a message that names
 * what is wrong, and optional extra fields (e.g. the column of a filter error).
 *
 * Anything else a route throws is the server's problem, not the client's: its
 * text (a driver message, a statement) is logged with a short request id and the
 * client gets only that id. A database failure worth retrying (db/failures.ts: an
 * outage, a server refusing writes, a lost conflict) answers 503 + Retry-After, so that
 * clients retry as exporters do for ingest.
 */
import { classifyDbFailure } from '../../db/failures';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toResponse(): Response {
    return Response.json({ error: this.message, ...this.extra }, { status: this.status });
  }
}

/** Seconds a client is asked to wait before retrying a read during a database outage (as ingest does). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** Route wrapper: ApiError → its response; anything else → logged, and answered without its text. */
export async function withApiErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (err) {
    if (err instanceof ApiError) return err.toResponse();
    return internalErrorResponse(err);
  }
}

/**
 * 503 + Retry-After when the database failure is worth retrying, else 500; either way the
 * error is logged under a fresh request id and the body carries only that id.
 */
export function internalErrorResponse(err: unknown, requestId = newRequestId()): Response {
  const failure = classifyDbFailure(err);
  if (failure) {
    console.error(`[tracedeck] request ${requestId}: database unavailable (${failure})`, err);
    return Response.json(
      { error: `database unavailable, retry later (request ${requestId})`, requestId },
      { status: 503, headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) } },
    );
  }
  console.error(`[tracedeck] request ${requestId}: unhandled error`, err);
  return Response.json({ error: `internal error (request ${requestId})`, requestId }, { status: 500 });
}

/** 8 hex characters: enough to find one request's log line, short enough to read out. */
export function newRequestId(): string {
  return crypto.randomUUID().slice(0, 8);
}
