/**
 * The wire shapes of traces and spans: what the HTTP API answers, the pages render
 * and the CLI prints. Times stay exact as decimal strings of Unix nanoseconds.
 */
import type { AttributeMap, SpanEvent, SpanLink } from '../otlp/span-record';
import type { CostFigure } from '../pricing/types';

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
  /** The reported cost (llm.usage.total_cost_usd summed over the spans), null when none reported one. */
  costUsd: number | null;
  /** Cache-read, cache-creation and reasoning tokens (each distinct value of the trace's spans once), null when absent. */
  cachedInputTokens?: number | null;
  cacheCreationTokens?: number | null;
  reasoningTokens?: number | null;
  /** The cost with its source (reported, computed at read time, or unknown: no price), null without tokens or cost. Set by the server. */
  cost?: CostFigure | null;
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
