/**
 * Tracedeck's storage schema (Drizzle). Migrations in db/migrations are generated
 * from this file by `npm run db:generate`; custom SQL (helper functions) lives in
 * a hand-written migration next to them.
 *
 * Shape (the one SigNoz, ClickStack, Tempo and Phoenix converge on):
 * - every span keeps its full attribute maps as JSONB in a compact typed form
 *   (lib/otlp/compact-attributes.ts: `{"k": 42, "big": {"i": "9007199254740993"}}`), so value
 *   types survive and the OTLP JSON export is lossless;
 * - hot keys are promoted to typed columns at ingest (tenant, user, session, model,
 *   tokens, cost, HTTP status) so the common filters and charts never touch JSONB;
 * - `tenant_id` leads every key and there are no serial ids, so the tables can be
 *   distributed by tenant (Citus) without rewriting queries. Spans without a tenant
 *   attribute get tenant_id '' (the "no tenant" partition).
 *
 * Times are nanoseconds since the Unix epoch in bigint (exact; good until 2262).
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { CompactAttributes, CompactEvent, CompactLink } from '../lib/otlp/compact-attributes';
import { PROMOTED_COLUMNS, type PromotedColumn, promotedColumn } from '../lib/trace/promoted';
import { NUMERIC_BOUNDS, type NumericBound } from '../lib/trace/numeric-bounds';

const ns = (name: string) => bigint(name, { mode: 'bigint' });

/** A drizzle column builder per SQL type of a promoted column. */
const PROMOTED_BUILDERS = {
  text: (name: string) => text(name),
  bigint: (name: string) => bigint(name, { mode: 'number' }),
  integer: (name: string) => integer(name),
  'double precision': (name: string) => doublePrecision(name),
};

type PromotedBuilders = { [C in PromotedColumn as C['field']]: ReturnType<(typeof PROMOTED_BUILDERS)[C['sqlType']]> };

/**
 * The promoted hot keys (lib/trace/promoted.ts), null when the span does not carry
 * them. New builders on every call: each table needs its own.
 */
function promotedColumns(): PromotedBuilders {
  return Object.fromEntries(PROMOTED_COLUMNS.map((c) => [c.field, PROMOTED_BUILDERS[c.sqlType](c.column)])) as PromotedBuilders;
}

/** On `traces`, the sampling weight is NOT NULL: a trace without sampling information stands for one request. */
function tracePromotedColumns() {
  const columns = promotedColumns();
  const weight = promotedColumn('sampleWeight');
  return { ...columns, sampleWeight: columns.sampleWeight.notNull().default(weight.traceDefault) };
}

export const spans = pgTable(
  'spans',
  {
    tenantId: text('tenant_id').notNull().default(''),
    traceId: text('trace_id').notNull(),
    spanId: text('span_id').notNull(),
    parentSpanId: text('parent_span_id'),
    traceState: text('trace_state'),
    name: text('name').notNull(),
    kind: smallint('kind').notNull(),
    service: text('service').notNull(),
    statusCode: smallint('status_code').notNull(),
    statusMessage: text('status_message'),
    startNs: ns('start_ns').notNull(),
    endNs: ns('end_ns').notNull(),
    durationNs: ns('duration_ns').notNull(),
    ...promotedColumns(),
    // Maps, events and links in the compact form of lib/otlp/compact-attributes.ts, which
    // restores every OTLP value type exactly; SQL reads its values with td_ctext / td_cnum.
    attributes: jsonb('attributes').$type<CompactAttributes>().notNull(),
    /**
     * Bits of the promoted keys left out of `attributes` because their columns give them back
     * exactly (lib/trace/elided-attributes.ts); readers restore them through lib/where/sql-compiler.ts.
     */
    promotedElided: smallint('promoted_elided').notNull().default(0),
    /** The span's resource, stored once in `resources` (tenant_id, id). */
    resourceId: bigint('resource_id', { mode: 'bigint' }).notNull(),
    events: jsonb('events').$type<CompactEvent[]>().notNull(),
    links: jsonb('links').$type<CompactLink[]>().notNull(),
    scopeName: text('scope_name'),
    scopeVersion: text('scope_version'),
    flags: integer('flags').notNull().default(0),
    droppedCounts: jsonb('dropped_counts').$type<{ attributes: number; events: number; links: number }>(),
  },
  (t) => [
    // Idempotent ingest: a re-sent span (exporter retry) hits this key and is skipped.
    // Its (tenant_id, trace_id) prefix also serves "all spans of a trace" and the
    // per-trace EXISTS probes that `where` predicates compile to.
    // start_ns ends the key because spans are partitioned by day on it (a partitioned table's keys
    // hold the partition key); a retry repeats the span's start, so it still hits this key.
    primaryKey({ name: 'spans_pkey', columns: [t.tenantId, t.traceId, t.spanId, t.startNs] }),
    // Time-range scans over all tenants: spans arrive roughly in time order, so a
    // BRIN index is tiny and prunes whole block ranges.
    index('spans_start_brin').using('brin', t.startNs),
    // Nothing else on purpose: every search runs on `traces` (its attribute_set answers
    // `where`), and a trace's spans are read through the primary key. Each extra index
    // here was paid on every ingested span (the two GIN indexes alone halved ingest).
  ],
);

/**
 * Each distinct resource (its attribute map, compact form) once per tenant, referenced by
 * spans.resource_id: every span of a batch usually shares one or a few resources, so the map
 * is no longer repeated on every span row. The id is a content hash (db/resources.ts), so
 * ingest writes a resource with `ON CONFLICT DO NOTHING` and needs no lookup. tenant_id leads
 * the key so the table is distributed with spans (db/SCALING.md). Rows are never updated.
 */
export const resources = pgTable(
  'resources',
  {
    tenantId: text('tenant_id').notNull().default(''),
    id: bigint('id', { mode: 'bigint' }).notNull(),
    attributes: jsonb('attributes').$type<CompactAttributes>().notNull(),
  },
  (t) => [primaryKey({ name: 'resources_pkey', columns: [t.tenantId, t.id] })],
);

type BoundBuilders = { [B in NumericBound as B['maxField'] | B['minField']]: ReturnType<typeof doublePrecision> };

/**
 * The numeric bounds of hot keys (lib/trace/numeric-bounds.ts), generated from the attribute set
 * (td_set_max / td_set_min, db/migrations/0012), so no writer can make them disagree with it.
 */
function numericBoundColumns(): BoundBuilders {
  const generated = (column: string, fn: string, key: string) => doublePrecision(column).generatedAlwaysAs(sql.raw(`${fn}(attribute_set, '${key}')`));
  return Object.fromEntries(
    NUMERIC_BOUNDS.flatMap((b) => [
      [b.maxField, generated(b.maxColumn, 'td_set_max', b.key)],
      [b.minField, generated(b.minColumn, 'td_set_min', b.key)],
    ]),
  ) as BoundBuilders;
}

/**
 * One row per (tenant, trace), kept current by the ingest statement so trace lists
 * page through this small table instead of aggregating spans.
 */
export const traces = pgTable(
  'traces',
  {
    tenantId: text('tenant_id').notNull().default(''),
    traceId: text('trace_id').notNull(),
    startNs: ns('start_ns').notNull(),
    endNs: ns('end_ns').notNull(),
    durationNs: ns('duration_ns').notNull(),
    rootName: text('root_name'),
    rootService: text('root_service'),
    spanCount: integer('span_count').notNull(),
    errorCount: integer('error_count').notNull(),
    // Trace-level copies of the promoted keys (lib/trace/promoted.ts says how each is made from the spans').
    ...tracePromotedColumns(),
    /**
     * Every attribute value any span of the trace carries (span attributes over resource
     * ones, as the grammar reads a key), by key: `{"user.id": [{"s": "usr_12"}],
     * "http.status_code": [{"s": "200", "n": 200}, {"s": "502", "n": 502}]}` — `s` is the
     * value as text (td_text), `n` its number when it is one (td_num). A trace matches a
     * `where` leaf when some span does, which is exactly "some value in this set does",
     * so `key=value` is one GIN containment probe on this table instead of a span scan.
     */
    attributeSet: jsonb('attribute_set')
      .$type<Record<string, { s: string; n?: number }[]>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    ...numericBoundColumns(),
  },
  (t) => [
    // With start_ns, as on spans (partitioned by day). One row per (tenant, trace) is kept by the
    // summarizer, the only writer, which replaces a trace's row wherever its start moved it.
    primaryKey({ name: 'traces_pkey', columns: [t.tenantId, t.traceId, t.startNs] }),
    // Keyset paging newest-first, within one tenant and across all tenants.
    // trace_id breaks ties so the order is total and pages never skip or repeat.
    index('traces_tenant_start_idx').on(t.tenantId, t.startNs.desc(), t.traceId.desc()),
    // tenant_id completes the list's total order (start, trace, tenant): without it an
    // all-tenant page needed a sort on top, and with stale statistics Postgres sorted the table.
    index('traces_start_idx').on(t.startNs.desc(), t.traceId.desc(), t.tenantId.desc()),
    index('traces_trace_id_idx').using('btree', sql`${t.traceId} text_pattern_ops`),
    // `key=value` filters at trace level (jsonb_path_ops: ~3x smaller than the default, serves @>).
    index('traces_attribute_set_gin').using('gin', sql`${t.attributeSet} jsonb_path_ops`),
    // `key > X` on a hot key (numeric-bounds.ts): partial, as most keys are absent from many traces.
    // tenant_id second: a tenant's `key > X` is then decided inside the index (the range on the max,
    // the tenant checked on each entry), instead of fetching every tenant's matching row to drop most.
    ...NUMERIC_BOUNDS.filter((b) => b.indexMax).map((b) =>
      index(`traces_${b.maxColumn}_tenant_idx`)
        .on(t[b.maxField], t.tenantId)
        .where(sql`${t[b.maxField]} IS NOT NULL`),
    ),
  ],
);

/**
 * Partial trace summaries waiting for the summarizer (db/summarizer.ts): one row per trace
 * per ingest batch, covering exactly the spans that batch newly stored, written in the
 * batch's transaction. The summarizer merges and deletes them in one transaction, so this
 * table is the durable cursor between the append-only request path and `traces`.
 * No key, one small index (append order): it is appended to, and claimed a few thousand rows at a time.
 */
export const traceDeltas = pgTable(
  'trace_deltas',
  {
    /** Append order (approximately commit order): tells whether a tenant-less span came after its trace's tenant did. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    traceId: text('trace_id').notNull(),
    startNs: ns('start_ns').notNull(),
    endNs: ns('end_ns').notNull(),
    rootName: text('root_name'),
    rootService: text('root_service'),
    spanCount: integer('span_count').notNull(),
    errorCount: integer('error_count').notNull(),
    ...tracePromotedColumns(),
    attributeSet: jsonb('attribute_set').$type<Record<string, { s: string; n?: number }[]>>().notNull(),
    /** The batch may move the trace's tenant-less spans into its tenant (db/ingest.ts StoreOptions.adoptOrphans). */
    mayAdopt: boolean('may_adopt').notNull(),
  },
  (t) => [
    // The summarizer claims the oldest deltas through this: a scan of the heap would walk every dead
    // row of earlier claims first (the table churns faster than autovacuum cleans it under load).
    index('trace_deltas_seq_idx').on(t.seq),
  ],
);

/** Catalog of attribute keys seen, for autocomplete and dropdowns. */
export const attributeKeys = pgTable(
  'attribute_keys',
  {
    key: text('key').notNull(),
    /** 'span' or 'resource'. */
    scope: text('scope').notNull(),
    /** OTLP value type (string/int/double/bool/bytes/array/kvlist), or 'mixed'. */
    valueType: text('value_type').notNull(),
    seenCount: bigint('seen_count', { mode: 'number' }).notNull(),
    lastSeenNs: ns('last_seen_ns').notNull(),
    /** Distinct values tracked in attribute_values; once it reaches the cap the key is high-cardinality. */
    distinctValues: integer('distinct_values').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'attribute_keys_pkey', columns: [t.key, t.scope] })],
);

/** Most frequent scalar values per key (capped per key so ids do not flood it). */
export const attributeValues = pgTable(
  'attribute_values',
  {
    key: text('key').notNull(),
    value: text('value').notNull(),
    seenCount: bigint('seen_count', { mode: 'number' }).notNull(),
    lastSeenNs: ns('last_seen_ns').notNull(),
  },
  (t) => [primaryKey({ name: 'attribute_values_pkey', columns: [t.key, t.value] }), index('attribute_values_top_idx').on(t.key, t.seenCount.desc())],
);

/**
 * Chart rollups (db/rollups.ts): additive measures of the `traces` rows starting in one
 * granule (5 minutes, or an hour summed from its 5-minute rows), per grouping:
 * `dims` 0 = (tenant, model), 1 = (tenant) — llm_model NULL —, 2 = (model) — tenant_id '';
 * 3 = (tenant, user) and 4 = (tenant, user, model), the latter only where the group has
 * requests without a reported cost (what computed cost prices). User rows: hours, and
 * 5-minute granules only in the recent hours, days for the busy tenant days (db/rollups.ts says why).
 * Rows are only ever replaced whole by the roller (DELETE + INSERT of a granule).
 */
export const traceRollups = pgTable(
  'trace_rollups',
  {
    /** Granule size: 300000 (5 min), 3600000 (1 h) or 86400000 (1 day: dims 3, 4 and their tenant's dims 1 row, sealed days only). */
    granuleMs: integer('granule_ms').notNull(),
    /** Granule start, epoch ns (a multiple of the size). */
    bucketNs: ns('bucket_ns').notNull(),
    dims: smallint('dims').notNull(),
    tenantId: text('tenant_id').notNull().default(''),
    /** NULL: traces without a model (dims 0, 2), or not a dimension (dims 1). */
    llmModel: text('llm_model'),
    /** dims 3, 4: the traces' user.id, NULL for traces without one; NULL in the other dims. */
    userId: text('user_id'),
    requests: integer('requests').notNull(),
    estRequests: doublePrecision('est_requests').notNull(),
    errors: integer('errors').notNull(),
    estErrors: doublePrecision('est_errors'),
    clientErrors: integer('client_errors').notNull(),
    // Sums are NULL when no trace of the row carries the value (as SQL's sum()).
    promptTokens: bigint('prompt_tokens', { mode: 'number' }),
    completionTokens: bigint('completion_tokens', { mode: 'number' }),
    totalTokens: bigint('total_tokens', { mode: 'number' }),
    estPromptTokens: doublePrecision('est_prompt_tokens'),
    estCompletionTokens: doublePrecision('est_completion_tokens'),
    estTotalTokens: doublePrecision('est_total_tokens'),
    costUsd: doublePrecision('cost_usd'),
    estCostUsd: doublePrecision('est_cost_usd'),
    /**
     * What the charts price at query time (db/queries/cost-rollup.ts): the requests with tokens and no
     * reported cost, and their token sums split the way lib/pricing/cost.ts prices them (input net of
     * cached and cache-creation tokens; output with and without the reasoning tokens taken out), each with
     * its sampling-weighted estimate. Summed per granule, these price exactly as the requests one by one.
     */
    uncostedRequests: integer('uncosted_requests').notNull().default(0),
    ucFreshInput: bigint('uc_fresh_input', { mode: 'number' }),
    ucCachedInput: bigint('uc_cached_input', { mode: 'number' }),
    ucCacheCreation: bigint('uc_cache_creation', { mode: 'number' }),
    ucOutput: bigint('uc_output', { mode: 'number' }),
    ucPlainOutput: bigint('uc_plain_output', { mode: 'number' }),
    ucReasoning: bigint('uc_reasoning', { mode: 'number' }),
    estUcFreshInput: doublePrecision('est_uc_fresh_input'),
    estUcCachedInput: doublePrecision('est_uc_cached_input'),
    estUcCacheCreation: doublePrecision('est_uc_cache_creation'),
    estUcOutput: doublePrecision('est_uc_output'),
    estUcPlainOutput: doublePrecision('est_uc_plain_output'),
    estUcReasoning: doublePrecision('est_uc_reasoning'),
    covModel: integer('cov_model').notNull(),
    covTokens: integer('cov_tokens').notNull(),
    covCost: integer('cov_cost').notNull(),
    covTtft: integer('cov_ttft').notNull(),
    weighted: integer('weighted').notNull(),
    minWeight: doublePrecision('min_weight'),
    maxWeight: doublePrecision('max_weight'),
    firstNs: ns('first_ns'),
    lastNs: ns('last_ns'),
    /** Trace durations per log bucket (lib/metrics/histogram.ts), and their exact min/max in ms. */
    durationHist: integer('duration_hist').array().notNull(),
    durationMinMs: doublePrecision('duration_min_ms'),
    durationMaxMs: doublePrecision('duration_max_ms'),
    ttftHist: integer('ttft_hist').array().notNull(),
    ttftMinMs: doublePrecision('ttft_min_ms'),
    ttftMaxMs: doublePrecision('ttft_max_ms'),
  },
  (t) => [
    // One row per granule and group: a roller bug would fail loudly instead of double-counting.
    unique('trace_rollups_key').on(t.granuleMs, t.dims, t.tenantId, t.bucketNs, t.llmModel, t.userId).nullsNotDistinct(),
    // All-tenant reads (dims 1 and 2 over a time range).
    index('trace_rollups_time_idx').on(t.granuleMs, t.dims, t.bucketNs),
    // The models a chart prices at query time (db/queries/cost-rollup.ts: the rows with uncosted requests in range).
    // Without it, an all-tenant range matched ~400 rows an hour and Postgres read the whole table instead (461 ms of
    // a 7-day chart at 10M spans); with it, only the rows that need pricing are read.
    index('trace_rollups_uncosted_idx')
      .on(t.granuleMs, t.dims, t.bucketNs)
      .where(sql`${t.uncostedRequests} > 0`),
  ],
);

/**
 * 5-minute granules whose rollups are stale: the ingest statement appends a row for
 * every granule a batch changes (no key, so concurrent batches never wait on each
 * other), and the roller deletes the rows of the granules it recomputes.
 */
export const rollupDirty = pgTable(
  'rollup_dirty',
  {
    bucketNs: ns('bucket_ns').notNull(),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('rollup_dirty_bucket_idx').on(t.bucketNs)],
);
