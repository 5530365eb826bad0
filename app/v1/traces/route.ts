/**
 * OTLP/HTTP trace receiver: POST /v1/traces, protobuf or JSON, optionally gzip.
 * Decoding and validation live in lib/otlp; server/ingest/pipeline applies the
 * span-attribute rules (with this request's headers) and stores; this file
 * only maps outcomes to OTLP's HTTP rules (status codes, bodies in the request's
 * encoding, partial_success for rejected spans, 503 + Retry-After when the
 * database cannot take the write so exporters retry instead of dropping).
 * With ingest keys configured (server/auth), a request without a valid key is refused
 * before its body is read: 401 with WWW-Authenticate (403 for a read-only token),
 * and a tenant-scoped key forces its tenant onto every span.
 * Backpressure (server/ingest/gate): past TRACEDECK_MAX_INFLIGHT_INGEST writes in
 * flight and a bounded wait queue, a request is answered 429 + Retry-After before
 * its body is read, so an overload costs no memory per waiting client.
 */
import { getDb } from '@/server/db';
import { failureHeaders } from '@/server/auth/http';
import { authenticate } from '@/server/auth/principal';
import { ingestSpans } from '@/server/ingest/pipeline';
import { decodeExportRequest, encodeErrorStatus, encodeExportResponse, formatForContentType, responseContentType } from '@/lib/otlp';
import type { OtlpFormat } from '@/lib/otlp';
import { ingestGateOptions, serverConfig } from '@/server/config';
import { THROTTLE_RETRY_AFTER_SECONDS, ingestGate } from '@/server/ingest/gate';
import { readBodyWithLimit } from '@/server/http/read-body';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

function errorResponse(status: number, message: string, format: OtlpFormat, requestContentType: string | null, headers: Record<string, string> = {}) {
  return new Response(encodeErrorStatus(message, format, status), {
    status,
    headers: { 'content-type': responseContentType(format, requestContentType), ...headers },
  });
}

export async function POST(request: Request): Promise<Response> {
  const config = serverConfig();
  const contentType = request.headers.get('content-type');
  const guessed = formatForContentType(contentType);
  const format: OtlpFormat = typeof guessed === 'string' ? guessed : 'json';

  const auth = authenticate(request.headers, 'ingest');
  if (!auth.ok) return errorResponse(auth.status, auth.message, format, contentType, failureHeaders(auth));

  const release = await ingestGate(ingestGateOptions()).acquire();
  if (!release) {
    return errorResponse(429, 'ingest is at capacity, retry later', format, contentType, { 'retry-after': String(THROTTLE_RETRY_AFTER_SECONDS) });
  }
  try {
    return await receive(request, config, format, contentType, auth.principal.tenant);
  } finally {
    release();
  }
}

async function receive(
  request: Request,
  config: ReturnType<typeof serverConfig>,
  format: OtlpFormat,
  contentType: string | null,
  tenant: string | null,
): Promise<Response> {
  const read = await readBodyWithLimit(request, config.maxBodyBytes);
  if (!read.ok) {
    return errorResponse(413, `request body exceeds the ${config.maxBodyBytes}-byte limit (TRACEDECK_MAX_BODY_BYTES)`, format, contentType);
  }
  const decoded = decodeExportRequest(read.body, {
    contentType,
    contentEncoding: request.headers.get('content-encoding'),
    maxBodyBytes: config.maxBodyBytes,
    maxDecompressedBytes: config.maxDecompressedBytes,
    limits: config.ingestLimits,
  });
  if (!decoded.ok) return errorResponse(decoded.status, decoded.message, decoded.format, contentType);

  try {
    const db = await getDb();
    await ingestSpans(db, decoded, request.headers, { forceTenant: tenant });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[tracedeck] ingest write failed: ${message}`);
    // Nothing was acknowledged: tell the exporter to retry later (OTLP retryable status).
    return errorResponse(503, `storage unavailable, retry later: ${message}`, decoded.format, contentType, { 'retry-after': '5' });
  }
  const body = encodeExportResponse(decoded.format, decoded.rejected, decoded.warnings);
  return new Response(body, { status: 200, headers: { 'content-type': responseContentType(decoded.format, contentType) } });
}
