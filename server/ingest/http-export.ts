/**
 * OTLP/HTTP's answer to `POST /v1/traces`, shared by the web port's route
 * (app/v1/traces/route.ts) and the OTLP/HTTP listener beside it (server/otlp-http,
 * :4318 by default). It reads the request and maps the receive path's outcome
 * (server/ingest/receive: auth → gate → read → decode → enrich → store → encode) to
 * OTLP's HTTP rules: the status, bodies in the request's encoding (partial_success for
 * rejected spans), WWW-Authenticate on a refused key, Retry-After on 429 (the ingest
 * gate is full, answered before the body is read) and on 503 (the database cannot take
 * the write), so exporters retry instead of dropping.
 */
import { encodeErrorStatus, responseContentType } from '../../lib/otlp';
import { failureHeaders } from '../auth/http';
import { readBodyWithLimit } from '../http/read-body';
import { processReceiveDeps } from './deps';
import { type ExportRefusal, receiveExport } from './receive';

export async function receiveOtlpHttpExport(request: Request): Promise<Response> {
  const contentType = request.headers.get('content-type');
  const outcome = await receiveExport(
    {
      headers: request.headers,
      contentType,
      contentEncoding: request.headers.get('content-encoding'),
      readBody: async (limit) => {
        const read = await readBodyWithLimit(request, limit);
        return read.ok ? read.body : null;
      },
      transport: 'OTLP/HTTP',
    },
    processReceiveDeps(),
  );
  const headers = { 'content-type': responseContentType(outcome.format, contentType) };
  if (outcome.ok) return new Response(outcome.body, { status: 200, headers });
  return new Response(encodeErrorStatus(outcome.message, outcome.format, outcome.status), {
    status: outcome.status,
    headers: { ...headers, ...refusalHeaders(outcome) },
  });
}

function refusalHeaders(refusal: ExportRefusal): Record<string, string> {
  if (refusal.authFailure) return failureHeaders(refusal.authFailure);
  return refusal.retryAfterSeconds === undefined ? {} : { 'retry-after': String(refusal.retryAfterSeconds) };
}
