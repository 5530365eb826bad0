/**
 * The storage-neutral shape one OTLP span is turned into at ingest. `db/ingest`
 * maps it to rows; nothing in lib/otlp knows about the database.
 */

/**
 * An OTLP AnyValue kept in its canonical OTLP/JSON form so value types survive:
 * int64 as a decimal string (exact beyond 2^53), bytes as base64.
 */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' }
  | { boolValue: boolean }
  | { bytesValue: string }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: { key: string; value: OtlpAnyValue }[] } }
  | Record<string, never>; // an empty AnyValue (OTLP allows it)

/** key → typed value. Later duplicates of a key win, as in the OTel SDKs. */
export type AttributeMap = Record<string, OtlpAnyValue>;

export type SpanEvent = {
  timeUnixNano: string;
  name: string;
  attributes: AttributeMap;
  droppedAttributesCount?: number;
};

export type SpanLink = {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: AttributeMap;
  droppedAttributesCount?: number;
};

export type SpanRecord = {
  /** 32 lowercase hex chars. */
  traceId: string;
  /** 16 lowercase hex chars. */
  spanId: string;
  /** 16 lowercase hex chars, or null for a root span. */
  parentSpanId: string | null;
  traceState: string | null;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** resource attribute service.name, or "unknown_service" when absent (OTel default). */
  service: string;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
  /** Nanoseconds since the Unix epoch, exact (bigint). */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: AttributeMap;
  resourceAttributes: AttributeMap;
  events: SpanEvent[];
  links: SpanLink[];
  scopeName: string | null;
  scopeVersion: string | null;
  flags: number;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
};

/** A span that failed validation, reported in partial_success. */
export type RejectedSpan = { index: number; reason: string };
