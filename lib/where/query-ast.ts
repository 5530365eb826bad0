/**
 * AST of an aggregate query: a `where` filter and the pipeline after `|`
 * (`<filter>? | [spans] [by(<key>, …)] <agg>, …`). Parsed by ./pipeline.ts with
 * the same scanner and filter parser, written back by ./serializer.ts
 * (serializeQuery), checked by ./validate.ts (validateQuery). Pure.
 */
import type { FieldRef, Span, WhereDiagnostic, WhereExpr } from './ast';

/** Aggregates that take no argument. */
export const COUNT_AGGREGATES = ['count', 'rate', 'errors', 'error_rate'] as const;
/** Aggregates over a number field. */
export const NUMBER_AGGREGATES = ['sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'] as const;
/** Aggregates over a key (any value, counted as text). */
export const KEY_AGGREGATES = ['count_distinct'] as const;
export const AGGREGATE_NAMES = [...COUNT_AGGREGATES, ...KEY_AGGREGATES, ...NUMBER_AGGREGATES] as const;

export type CountAggregate = (typeof COUNT_AGGREGATES)[number];
export type NumberAggregate = (typeof NUMBER_AGGREGATES)[number];
export type AggregateName = (typeof AGGREGATE_NAMES)[number];

/** The percentile of a pNN aggregate (0.95 for p95), null for the others. */
export function percentileOf(name: AggregateName): number | null {
  const m = /^p(\d\d)$/.exec(name);
  return m ? Number(m[1]) / 100 : null;
}

export function isAggregateName(name: string): name is AggregateName {
  return (AGGREGATE_NAMES as readonly string[]).includes(name);
}

/** What an aggregate reads: nothing, a key (count_distinct) or a number field. */
export function argumentKind(name: AggregateName): 'none' | 'key' | 'number' {
  if ((COUNT_AGGREGATES as readonly string[]).includes(name)) return 'none';
  return (KEY_AGGREGATES as readonly string[]).includes(name) ? 'key' : 'number';
}

/** `count()`, `p95(duration)`: `arg` is null exactly for the count aggregates. */
export type AggregateCall = { fn: AggregateName; arg: FieldRef | null; loc: Span };

/**
 * What one row of the aggregation is: a request (a trace, the default, as the charts
 * count) or a span (`| spans …`).
 */
export type QueryUnit = 'traces' | 'spans';

export type Pipeline = {
  unit: QueryUnit;
  /** The group keys, in order; empty (no `by(…)`, which needs one): one group, everything. */
  by: FieldRef[];
  aggregates: AggregateCall[];
  /** From the `|` to the end. */
  loc: Span;
};

export type QueryExpr = { filter: WhereExpr | null; pipeline: Pipeline };

export type QueryParseResult = { ast: QueryExpr | null; diagnostics: WhereDiagnostic[] };

/** Most `by` keys and aggregates in one query. */
export const MAX_BY_KEYS = 5;
export const MAX_AGGREGATES = 16;

/** Canonical text of one aggregate (the API's column name): `count()`, `p95(duration)`. */
export function aggregateText(a: Pick<AggregateCall, 'fn' | 'arg'>): string {
  const arg = a.arg === null ? '' : a.arg.kind === 'intrinsic' ? a.arg.name : a.arg.key;
  return `${a.fn}(${arg})`;
}

export function fieldName(f: FieldRef): string {
  return f.kind === 'intrinsic' ? f.name : f.key;
}

/**
 * Names the charts use (lib/metrics/registry.ts), as aggregate fields: each reads a
 * promoted column (lib/trace/promoted.ts), which takes its value from Plano's,
 * GenAI's or OpenInference's key (and TRACEDECK_ATTRIBUTE_MAP's). Per request,
 * tokens and cost are summed over the trace's spans, TTFT is the first span's.
 */
export const NAMED_FIELDS = {
  tokens: 'total_tokens',
  prompt_tokens: 'prompt_tokens',
  completion_tokens: 'completion_tokens',
  cost: 'cost_usd',
  ttft: 'ttft_ms',
} as const;
export type NamedField = keyof typeof NAMED_FIELDS;

export function isNamedField(key: string): key is NamedField {
  return Object.hasOwn(NAMED_FIELDS, key);
}
