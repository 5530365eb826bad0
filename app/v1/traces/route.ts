/**
 * OTLP/HTTP trace receiver: POST /v1/traces, protobuf or JSON, optionally gzip.
 * The handler is server/ingest/http-export's, which the OTLP/HTTP listener on :4318
 * (server/otlp-http) serves too.
 */
import { receiveOtlpHttpExport } from '@/server/ingest/http-export';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return receiveOtlpHttpExport(request);
}
