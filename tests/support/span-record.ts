/** A decoded span (what lib/otlp hands to ingest) with neutral defaults; tests override what they exercise. */
import type { SpanRecord } from '../../lib/otlp/span-record';

export function spanRecord(fields: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'spanId'>): SpanRecord {
  return {
    parentSpanId: null,
    traceState: null,
    name: 'op',
    kind: 2,
    service: 'svc',
    statusCode: 0,
    statusMessage: null,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_500_000_000n,
    attributes: {},
    resourceAttributes: {},
    events: [],
    links: [],
    scopeName: null,
    scopeVersion: null,
    flags: 0,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...fields,
  };
}
