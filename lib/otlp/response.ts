/**
 * OTLP/HTTP response bodies: ExportTraceServiceResponse for 200s and
 * google.rpc.Status for 4xx/5xx, each in the request's format.
 */
import * as protobufNs from 'protobufjs/light';
import { ExportTraceServiceResponse } from './proto';
import { exportMessage, summarizeRejected } from './common';
import type { RejectedSpan } from './span-record';
import type { OtlpFormat } from './types';

export { summarizeRejected };

/** Longest partial_success.error_message we send. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;

/**
 * Content-Type for a response body in `format`. OTLP/HTTP answers in the
 * request's Content-Type; pass the request header to mirror
 * `application/protobuf` when the client used that spelling.
 */
export function responseContentType(format: OtlpFormat, requestContentType?: string | null): string {
  if (format === 'json') return 'application/json';
  if (requestContentType != null) {
    const semi = requestContentType.indexOf(';');
    const media = (semi < 0 ? requestContentType : requestContentType.slice(0, semi)).trim().toLowerCase();
    if (media === 'application/protobuf') return media;
  }
  return 'application/x-protobuf';
}

/**
 * ExportTraceServiceResponse for an accepted request. With rejected spans it
 * carries `partial_success { rejected_spans, error_message }`. With only warnings
 * (what the limits cut from stored spans) it carries `rejected_spans: 0` and the
 * warnings as error_message, which OTLP allows for "accepted, with warnings".
 * Otherwise it is empty (zero bytes / `{}`).
 */
export function encodeExportResponse(format: 'protobuf', rejected: readonly RejectedSpan[], warnings?: readonly string[]): Uint8Array<ArrayBuffer>;
export function encodeExportResponse(format: 'json', rejected: readonly RejectedSpan[], warnings?: readonly string[]): string;
export function encodeExportResponse(format: OtlpFormat, rejected: readonly RejectedSpan[], warnings?: readonly string[]): Uint8Array<ArrayBuffer> | string;
export function encodeExportResponse(
  format: OtlpFormat,
  rejected: readonly RejectedSpan[],
  warnings: readonly string[] = [],
): Uint8Array<ArrayBuffer> | string {
  const n = rejected.length;
  const errorMessage = exportMessage(rejected, warnings, MAX_ERROR_MESSAGE_LENGTH);
  const partial = n > 0 || errorMessage !== '';
  if (format === 'json') {
    // proto3 JSON mapping: int64 as a decimal string.
    return partial ? JSON.stringify({ partialSuccess: { rejectedSpans: String(n), errorMessage } }) : '{}';
  }
  const msg = ExportTraceServiceResponse.fromObject(partial ? { partialSuccess: { rejectedSpans: n, errorMessage } } : {});
  return ExportTraceServiceResponse.encode(msg).finish() as Uint8Array<ArrayBuffer>;
}

// ---------------------------------------------------------------------------
// google.rpc.Status
// ---------------------------------------------------------------------------

/** google.rpc.Code values used for OTLP/HTTP error bodies. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** google.rpc.Code matching an HTTP error status. */
export function rpcCodeForHttpStatus(httpStatus: number): number {
  if (httpStatus === 413 || httpStatus === 429) return RpcCode.RESOURCE_EXHAUSTED;
  if (httpStatus === 401) return RpcCode.UNAUTHENTICATED;
  if (httpStatus === 403) return RpcCode.PERMISSION_DENIED;
  if (httpStatus === 501) return RpcCode.UNIMPLEMENTED;
  if (httpStatus === 502 || httpStatus === 503 || httpStatus === 504) return RpcCode.UNAVAILABLE;
  if (httpStatus >= 500) return RpcCode.INTERNAL;
  return RpcCode.INVALID_ARGUMENT;
}

type StatusType = protobufNs.Type;
let statusType: StatusType | null = null;

/**
 * `google.rpc.Status` (not part of the generated OTLP code), built once with
 * protobufjs reflection:
 *   message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 */
export function rpcStatusType(): StatusType {
  if (statusType !== null) return statusType;
  // Node's ESM loader exposes this CommonJS package only as `default`; bundlers expose named exports.
  const pb = ((protobufNs as unknown as { default?: typeof protobufNs }).default ?? protobufNs) as typeof protobufNs;
  const root = new pb.Root();
  root.define('google.protobuf').add(new pb.Type('Any').add(new pb.Field('type_url', 1, 'string')).add(new pb.Field('value', 2, 'bytes')));
  root.define('google.rpc').add(
    new pb.Type('Status')
      .add(new pb.Field('code', 1, 'int32'))
      .add(new pb.Field('message', 2, 'string'))
      .add(new pb.Field('details', 3, 'google.protobuf.Any', 'repeated')),
  );
  root.resolveAll();
  statusType = root.lookupType('google.rpc.Status');
  return statusType;
}

/**
 * Body for a 4xx/5xx response: a google.rpc.Status, protobuf-encoded for
 * protobuf requests and as JSON for JSON requests. `httpStatus` picks the
 * google.rpc.Code (default 400 → INVALID_ARGUMENT).
 */
export function encodeErrorStatus(message: string, format: 'protobuf', httpStatus?: number): Uint8Array<ArrayBuffer>;
export function encodeErrorStatus(message: string, format: 'json', httpStatus?: number): string;
export function encodeErrorStatus(message: string, format: OtlpFormat, httpStatus?: number): Uint8Array<ArrayBuffer> | string;
export function encodeErrorStatus(message: string, format: OtlpFormat, httpStatus = 400): Uint8Array<ArrayBuffer> | string {
  const code = rpcCodeForHttpStatus(httpStatus);
  if (format === 'json') return JSON.stringify({ code, message });
  const T = rpcStatusType();
  return T.encode(T.create({ code, message })).finish() as Uint8Array<ArrayBuffer>;
}
