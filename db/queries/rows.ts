/** Row → API JSON mapping shared by the query functions. Times stay exact as decimal strings. */
import { type SQL, sql } from 'drizzle-orm';
import { type CompactAttributes, decodeAttributes, decodeEvents, decodeLinks } from '../../lib/otlp/compact-attributes';
import { ELIDED_COLUMNS, restoreElided } from '../../lib/trace/elided-attributes';
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import type { spans, traces } from '../schema';

/** A numeric column as the drivers return it: postgres.js gives int8 as a string, PGlite as a number or a bigint. */
type Int8 = bigint | number | string;
const nsString = (v: Int8) => BigInt(v).toString();
const nsToMs = (v: Int8) => Number(BigInt(v)) / 1e6;
const numOrNull = (v: Int8 | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** `promptTokens` → `prompt_tokens`: every column's SQL name is its schema field in snake case (tests/unit/db/rows.test.ts checks it). */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;
type DriverValue<V> = V extends number | bigint ? Int8 : V;
/** A row of `SELECT *` from a table as the query functions receive it: SQL column names, numbers as the driver gives them. */
type SqlRow<Row> = { [K in keyof Row & string as SnakeCase<K>]: DriverValue<Row[K]> };

export type TraceRow = SqlRow<typeof traces.$inferSelect>;

export function traceSummaryFromRow(r: TraceRow): TraceSummary {
  return {
    traceId: r.trace_id,
    tenantId: r.tenant_id,
    startTimeUnixNano: nsString(r.start_ns),
    endTimeUnixNano: nsString(r.end_ns),
    durationMs: nsToMs(r.duration_ns),
    rootName: r.root_name,
    rootService: r.root_service,
    spanCount: Number(r.span_count),
    errorCount: Number(r.error_count),
    userId: r.user_id,
    sessionId: r.session_id,
    llmModel: r.llm_model,
    httpStatusCode: numOrNull(r.http_status_code),
    promptTokens: numOrNull(r.prompt_tokens),
    completionTokens: numOrNull(r.completion_tokens),
    totalTokens: numOrNull(r.total_tokens),
    costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    cachedInputTokens: numOrNull(r.cached_input_tokens),
    cacheCreationTokens: numOrNull(r.cache_creation_tokens),
    reasoningTokens: numOrNull(r.reasoning_tokens),
  };
}

/** A span row joined with its resource's map (spansWithResource). */
export type SpanRow = SqlRow<typeof spans.$inferSelect> & { resource_attributes: CompactAttributes };

/**
 * `spans` (as `alias`) joined with its resource, for readers of whole spans: the FROM clause and
 * the select list with the resource's map as `resource_attributes`.
 */
export function spansWithResource(alias: string): { from: SQL; columns: SQL } {
  const a = sql.raw(alias);
  return {
    // LEFT: a span is never hidden, even if its resource row were missing (ingest writes both in one statement).
    from: sql`spans ${a} LEFT JOIN resources r ON r.tenant_id = ${a}.tenant_id AND r.id = ${a}.resource_id`,
    columns: sql`${a}.*, COALESCE(r.attributes, '{}'::jsonb) AS resource_attributes`,
  };
}

/**
 * In one JSON value per span (getTraceView), what restoring promoted keys reads: NULL when none was
 * left out, else [promoted_elided, ...ELIDED_COLUMNS] (one array costs a third of what as many fields do).
 */
export function elidedArray(alias: string): SQL {
  const a = sql.raw(alias);
  const columns = sql.raw(VIEW_ELIDED_COLUMNS.map((c) => `${alias}.${c}`).join(', '));
  return sql`CASE WHEN ${a}.promoted_elided = 0 THEN NULL ELSE json_build_array(${a}.promoted_elided, ${columns}) END`;
}

/** The view has tenant_id as a field of its own already. */
const VIEW_ELIDED_COLUMNS = ELIDED_COLUMNS.filter((c) => c !== 'tenant_id');

/** A span of getTraceView's JSON: the row's fields, promoted keys' columns in `elided` (elidedArray). */
export type ViewSpanRow = Omit<SpanRow, 'promoted_elided'> & { elided: [number, ...(string | number | null)[]] | null };

/** A view span (freshly parsed, so set in place: no copy per span) with the columns of `elided` as fields. */
export function withElidedColumns(row: ViewSpanRow): SpanRow {
  const fields = row as unknown as Record<string, unknown>;
  const { elided } = row;
  fields.promoted_elided = elided ? elided[0] : 0;
  if (elided) VIEW_ELIDED_COLUMNS.forEach((c, i) => (fields[c] = elided[i + 1]));
  return fields as unknown as SpanRow;
}

export function storedSpanFromRow(r: SpanRow): StoredSpan {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    traceState: r.trace_state,
    tenantId: r.tenant_id,
    name: r.name,
    kind: Number(r.kind),
    service: r.service,
    status: { code: Number(r.status_code), message: r.status_message },
    startTimeUnixNano: nsString(r.start_ns),
    endTimeUnixNano: nsString(r.end_ns),
    durationMs: nsToMs(r.duration_ns),
    // Stored in the compact form (lib/otlp/compact-attributes.ts), promoted keys once (lib/trace/elided-attributes.ts);
    // the API speaks canonical OTLP/JSON.
    attributes: decodeAttributes(restoreElided(r.attributes, r.promoted_elided, r)),
    resourceAttributes: decodeAttributes(r.resource_attributes, 'resource_attributes'),
    events: decodeEvents(r.events),
    links: decodeLinks(r.links),
    scope: { name: r.scope_name, version: r.scope_version },
    flags: Number(r.flags),
  };
}
