import type { IngestLimits } from './limits';
import type { RejectedSpan, SpanRecord } from './span-record';

/** Wire format of an OTLP/HTTP request (and of the response sent back). */
export type OtlpFormat = 'protobuf' | 'json';

export type DecodeOptions = {
  /** Value of the Content-Type header. */
  contentType: string | null | undefined;
  /** Value of the Content-Encoding header (gzip, deflate, br, identity or absent). */
  contentEncoding?: string | null;
  /** Largest accepted request body as received (compressed), in bytes → 413 above. */
  maxBodyBytes: number;
  /** Largest accepted body after decompression, in bytes → 413 above. Default: 4 × maxBodyBytes. */
  maxDecompressedBytes?: number;
  /** Per-span limits (attribute count and size, nesting, events, links, clock skew). Default: DEFAULT_INGEST_LIMITS. */
  limits?: IngestLimits;
  /** The server clock in ms, for the future-timestamp check. Default: Date.now(). */
  nowMs?: number;
};

export type DecodeSuccess = {
  ok: true;
  /** Spans that passed validation, in request order. */
  spans: SpanRecord[];
  /** Spans that failed validation (index = position in the flattened request). */
  rejected: RejectedSpan[];
  /**
   * What the limits cut from stored spans ("span 3: 8976 attributes over the …"); sent
   * back in partial_success.error_message (with rejected_spans 0 when nothing was rejected).
   */
  warnings: string[];
  format: OtlpFormat;
};

export type DecodeFailure = {
  ok: false;
  status: 400 | 413 | 415;
  message: string;
  /**
   * Format to encode the error body in (see encodeErrorStatus): the request's
   * format when its Content-Type was recognised, else 'json'.
   */
  format: OtlpFormat;
};

export type DecodeOutcome = DecodeSuccess | DecodeFailure;
