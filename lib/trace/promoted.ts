/**
 * The promoted columns: hot attribute values copied at ingest into typed columns of
 * `spans` and `traces`, so the common filters and charts never read JSONB. Each one is
 * listed here once; the schema's columns (db/schema.ts), the ingest statement
 * (db/ingest.ts), the row types (db/queries/rows.ts) and the enrich step's values
 * (lib/enrich) are derived from this list. Adding a promoted column = one entry here,
 * its value in lib/enrich/promoted-columns.ts (the type checker asks for it), and a
 * migration (`npm run db:generate`).
 *
 * The tenant (`tenant_id`) is promoted too but is not listed: its key is configured
 * (TRACEDECK_TENANT_KEY) and it leads every primary key, so it is handled on its own.
 *
 * Pure data: imported by lib/enrich and by db/, which must not import lib/enrich.
 */
import type { SpanRecord } from '../otlp/span-record';

/**
 * How a trace's value is made from its spans' values (and merged with the stored one
 * when later batches bring more spans of the trace):
 * - `first`: the first span carrying a value, by start time; a stored value is kept;
 * - `root`: the root span's value when it has one (what the caller saw), else the first
 *   seen; a later root value replaces the stored one;
 * - `sum`: summed over the spans (NULL when none carries a value).
 */
export type PerTrace = 'first' | 'root' | 'sum';

export type PromotedSqlType = 'text' | 'bigint' | 'integer' | 'double precision';

export type PromotedColumnSpec = {
  /** Property name in TypeScript (drizzle schema, enriched spans). */
  readonly field: string;
  /** Column name in SQL, the same in `spans` and `traces`. */
  readonly column: string;
  readonly sqlType: PromotedSqlType;
  /** Attribute keys feeding it, tried in order (span attribute, then resource attribute); empty when computed otherwise. */
  readonly keys: readonly string[];
  readonly perTrace: PerTrace;
  /** Name in TRACEDECK_ATTRIBUTE_MAP when its keys can be extended by configuration. */
  readonly mapName?: string;
  /** The trace column is NOT NULL with this default, which also means "no information" when merging. */
  readonly traceDefault?: number;
};

export const PROMOTED_COLUMNS = [
  // user.id and session.id cannot be remapped: the `where` compiler answers `user.id=…` from their columns.
  { field: 'userId', column: 'user_id', sqlType: 'text', keys: ['user.id'], perTrace: 'first' },
  { field: 'sessionId', column: 'session_id', sqlType: 'text', keys: ['session.id'], perTrace: 'first' },
  // Plano's keys first, then the OpenTelemetry GenAI conventions, then OpenInference's, so spans from any of them chart the same way.
  {
    field: 'llmModel',
    column: 'llm_model',
    sqlType: 'text',
    keys: ['llm.model', 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
    perTrace: 'first',
    mapName: 'model',
  },
  {
    field: 'promptTokens',
    column: 'prompt_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.prompt_tokens', 'gen_ai.usage.input_tokens', 'llm.token_count.prompt'],
    perTrace: 'sum',
    mapName: 'prompt_tokens',
  },
  {
    field: 'completionTokens',
    column: 'completion_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.completion_tokens', 'gen_ai.usage.output_tokens', 'llm.token_count.completion'],
    perTrace: 'sum',
    mapName: 'completion_tokens',
  },
  {
    field: 'totalTokens',
    column: 'total_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.total_tokens', 'llm.token_count.total'],
    perTrace: 'sum',
    mapName: 'total_tokens',
  },
  // The token kinds pricing reads beside prompt/completion (lib/pricing/cost.ts USAGE_KEYS, the same keys in the
  // same order): priced from these columns and summed into the rollups, not read from the attribute set.
  {
    field: 'cachedInputTokens',
    column: 'cached_input_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.cached_input_tokens', 'gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read'],
    perTrace: 'sum',
  },
  {
    field: 'cacheCreationTokens',
    column: 'cache_creation_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.cache_creation_tokens', 'gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write'],
    perTrace: 'sum',
  },
  {
    field: 'reasoningTokens',
    column: 'reasoning_tokens',
    sqlType: 'bigint',
    keys: ['llm.usage.reasoning_tokens', 'gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning'],
    perTrace: 'sum',
  },
  { field: 'costUsd', column: 'cost_usd', sqlType: 'double precision', keys: ['llm.usage.total_cost_usd'], perTrace: 'sum', mapName: 'cost_usd' },
  { field: 'httpStatusCode', column: 'http_status_code', sqlType: 'integer', keys: ['http.status_code', 'http.response.status_code'], perTrace: 'root' },
  /** Milliseconds from the request to the first streamed token (Plano's `llm.time_to_first_token`). */
  { field: 'ttftMs', column: 'ttft_ms', sqlType: 'double precision', keys: ['llm.time_to_first_token'], perTrace: 'first', mapName: 'ttft_ms' },
  /**
   * Adjusted count: how many spans (on `traces`: requests) this one stands for under sampling —
   * the tracestate's `ot=th:`, else TRACEDECK_SAMPLING (lib/enrich/sampling.ts); on spans NULL
   * means no information, on traces that is 1.
   */
  { field: 'sampleWeight', column: 'sample_weight', sqlType: 'double precision', keys: [], perTrace: 'root', traceDefault: 1 },
] as const satisfies readonly PromotedColumnSpec[];

export type PromotedColumn = (typeof PROMOTED_COLUMNS)[number];
export type PromotedField = PromotedColumn['field'];
export type PromotedColumnName = PromotedColumn['column'];

type ValueOf<T extends PromotedSqlType> = T extends 'text' ? string : number;

/** The promoted values of one span, by field (null: the span does not carry it). */
export type PromotedValues = { [C in PromotedColumn as C['field']]: ValueOf<C['sqlType']> | null };

/** The same values keyed by SQL column name, as the ingest statement's rows carry them. */
export type PromotedColumnValues = { [C in PromotedColumn as C['column']]: ValueOf<C['sqlType']> | null };

/** The columns summed per trace (and so additive across traces: what chart rollups can sum further). */
export const SUMMED_PROMOTED_COLUMNS: readonly PromotedColumn[] = PROMOTED_COLUMNS.filter((c) => c.perTrace === 'sum');

/** The descriptor entry of a field. */
export function promotedColumn<F extends PromotedField>(field: F): Extract<PromotedColumn, { field: F }> {
  return PROMOTED_COLUMNS.find((c) => c.field === field) as Extract<PromotedColumn, { field: F }>;
}

/**
 * A decoded span ready to store: the span as enriched (span-attribute rules applied,
 * a scoped key's tenant forced), its tenant and its promoted values. Made by
 * lib/enrich (enrichSpans), stored by db/ingest (storeSpans).
 */
export type EnrichedSpan = {
  span: SpanRecord;
  /** The value of the tenant attribute, or null when the span names none (db/ingest may still give it its trace's tenant). */
  tenantId: string | null;
  promoted: PromotedValues;
};
