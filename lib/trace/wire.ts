/**
 * The wire shapes of traces and spans: what the HTTP API answers, the pages render
 * and the CLI prints. Times stay exact as decimal strings of Unix nanoseconds.
 */
import type { AttributeMap, SpanEvent, SpanLink } from '../otlp/span-record';

export type TraceSummary = {
  traceId: string;
  tenantId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  rootName: string | null;
  rootService: string | null;
  spanCount: number;
  errorCount: number;
  userId: string | null;
  sessionId: string | null;
  llmModel: string | null;
  httpStatusCode: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
};

export type StoredSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  tenantId: string;
  name: string;
  kind: number;
  service: string;
  status: { code: number; message: string | null };
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  attributes: AttributeMap;
  resourceAttributes: AttributeMap;
  events: SpanEvent[];
  links: SpanLink[];
  scope: { name: string | null; version: string | null };
  flags: number;
};
