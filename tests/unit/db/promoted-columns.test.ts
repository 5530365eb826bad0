/**
 * The promoted-column descriptor (lib/trace/promoted.ts) is what the schema is built
 * from, and the row types (db/queries/rows.ts) rely on every SQL name being its field in
 * snake case: both are checked here against the drizzle tables themselves.
 */
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MAPPABLE_FIELDS, PROMOTED_KEYS, promotedValues } from '../../../lib/enrich/promoted-columns';
import { USAGE_KEYS } from '../../../lib/pricing/cost';
import { PROMOTED_COLUMNS, SUMMED_PROMOTED_COLUMNS, promotedColumn } from '../../../lib/trace/promoted';
import { spans, traces } from '../../../db/schema';

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('promoted columns', () => {
  it('each descriptor entry is a column of spans and of traces, with its SQL name and type', () => {
    for (const table of [spans, traces]) {
      const columns = getTableColumns(table) as Record<string, { name: string; getSQLType(): string; notNull: boolean }>;
      for (const c of PROMOTED_COLUMNS) {
        expect(columns[c.field]?.name, c.field).toBe(c.column);
        expect(columns[c.field].getSQLType(), c.field).toBe(c.sqlType);
      }
    }
  });

  it('span columns are nullable; on traces only the sampling weight is NOT NULL, with its default', () => {
    const spanColumns = getTableColumns(spans);
    const traceColumns = getTableColumns(traces);
    for (const c of PROMOTED_COLUMNS) {
      expect(spanColumns[c.field].notNull, c.field).toBe(false);
      expect(traceColumns[c.field].notNull, c.field).toBe('traceDefault' in c);
    }
    expect(traceColumns.sampleWeight.default).toBe(promotedColumn('sampleWeight').traceDefault);
    expect(traceColumns.sampleWeight.default).toBe(1);
  });

  it('every column of spans and traces is named as its field in snake case (what the row types assume)', () => {
    for (const table of [spans, traces]) {
      for (const [field, column] of Object.entries(getTableColumns(table))) expect(column.name).toBe(snakeCase(field));
    }
  });

  it('the attribute keys, the mappable names and the summed columns come from the descriptor', () => {
    expect(PROMOTED_KEYS.httpStatusCode).toEqual(['http.status_code', 'http.response.status_code']);
    expect(PROMOTED_KEYS.sampleWeight).toEqual([]);
    expect(MAPPABLE_FIELDS).toEqual({
      model: 'llmModel',
      prompt_tokens: 'promptTokens',
      completion_tokens: 'completionTokens',
      total_tokens: 'totalTokens',
      cost_usd: 'costUsd',
      ttft_ms: 'ttftMs',
    });
    expect(SUMMED_PROMOTED_COLUMNS.map((c) => c.column)).toEqual([
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'cached_input_tokens',
      'cache_creation_tokens',
      'reasoning_tokens',
      'cost_usd',
    ]);
  });

  it('the token columns pricing reads take the keys lib/pricing reads, in its order (the charts and the trace page price alike)', () => {
    expect(PROMOTED_KEYS.cachedInputTokens).toEqual(USAGE_KEYS.cachedInput);
    expect(PROMOTED_KEYS.cacheCreationTokens).toEqual(USAGE_KEYS.cacheCreation);
    expect(PROMOTED_KEYS.reasoningTokens).toEqual(USAGE_KEYS.reasoning);
  });

  it('a span promotes its cache-read, cache-creation and reasoning tokens (numeric strings too; out-of-range ones stay in JSONB)', () => {
    const v = promotedValues(
      {
        'gen_ai.usage.cache_read.input_tokens': { intValue: '120' },
        'llm.usage.cache_creation_tokens': { stringValue: '30' },
        'llm.usage.reasoning_tokens': { doubleValue: 1e13 },
      },
      {},
    );
    expect([v.cachedInputTokens, v.cacheCreationTokens, v.reasoningTokens]).toEqual([120, 30, null]);
  });

  it('field and column names are unique', () => {
    expect(new Set(PROMOTED_COLUMNS.map((c) => c.field)).size).toBe(PROMOTED_COLUMNS.length);
    expect(new Set(PROMOTED_COLUMNS.map((c) => c.column)).size).toBe(PROMOTED_COLUMNS.length);
  });
});
