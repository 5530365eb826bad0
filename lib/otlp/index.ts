/** Public API of the OTLP/HTTP trace decoding layer. */
export type { AttributeMap, OtlpAnyValue, RejectedSpan, SpanEvent, SpanLink, SpanRecord } from './span-record';
export type { DecodeFailure, DecodeOptions, DecodeOutcome, DecodeSuccess, OtlpFormat } from './types';
export { SUPPORTED_CONTENT_ENCODINGS, SUPPORTED_CONTENT_TYPES, decodeExportRequest, formatForContentType } from './decode';
export {
  MAX_ERROR_MESSAGE_LENGTH,
  RpcCode,
  encodeErrorStatus,
  encodeExportResponse,
  responseContentType,
  rpcCodeForHttpStatus,
  rpcStatusType,
  summarizeRejected,
} from './response';
export { MAX_ANY_VALUE_DEPTH, UNKNOWN_SERVICE } from './common';
export { DEFAULT_INGEST_LIMITS, MAX_ATTRIBUTE_KEY_LENGTH, cleanText, type IngestLimits } from './limits';
