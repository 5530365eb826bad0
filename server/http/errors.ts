/**
 * The one error type API routes throw: an HTTP status, a message that names
 * what is wrong, and optional extra fields (e.g. the column of a filter error).
 */
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

/** Route wrapper: ApiError → its response; anything else → 500 with the message, logged. */
export async function withApiErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (err) {
    if (err instanceof ApiError) return err.toResponse();
    console.error('[tracedeck] unhandled error', err);
    const message = err instanceof Error ? err.message : String(err);
    return Response.json({ error: `internal error: ${message}` }, { status: 500 });
  }
}
