/**
 * The query service behind GET /api/query and `tracedeck query`: a checked aggregate
 * query (./input.ts) → one aggregation (db/queries/aggregate.ts, from the chart rollups
 * when the query fits them) → a table: `columns` (the time bucket when stepped, then one
 * per `by` key, then one per aggregate, in query order) and `rows`, plus what answered.
 *
 * A tenant-scoped reader's tenant is ANDed into the compiled filter, as for /api/traces:
 * a query naming another tenant only narrows further and finds nothing.
 */
import type { SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AggregateAnswer, type AggregateCell, aggregateQuery } from '../../db/queries/aggregate';
import { queryPrices } from '../../db/queries/aggregate-cost';
import { promotedColumnOf } from '../../db/queries/aggregate-request';
import type { AttributeMapping } from '../../lib/enrich/promoted-columns';
import { pricing } from '../pricing';
import { rollupScope } from '../../db/queries/rollup-scope';
import { bucketBounds, formatBucket } from '../../lib/metrics/bucket';
import { OTHER_LABEL } from '../../lib/metrics/types';
import { type AggregateCall, type QueryExpr, aggregateText, argumentKind, fieldName, serializeQuery } from '../../lib/where';
import { compileSpanFilter, compileTraceFilter } from '../../lib/where/sql-compiler';
import { scopeSpanFilter, scopeTraceFilter } from '../auth/scope';
import { serverConfig } from '../config';
import type { QueryInput } from './input';
import type { Cell, ColumnUnit, QueryResponse } from '../../lib/query/response';

export type { QueryInput };

export type { Cell, ColumnUnit, QueryResponse };

export type QueryContext = { tenantKey: string; tenantScope: string | null };

const NS_PER_MS = 1_000_000n;
const iso = (ns: bigint) => new Date(Number(ns / NS_PER_MS)).toISOString();

/** The filter compiled for the query's unit, confined to the reader's tenant. */
function compiledFilter(query: QueryExpr, ctx: QueryContext): SQL | null {
  const spans = query.pipeline.unit === 'spans';
  const scope = spans ? scopeSpanFilter : scopeTraceFilter;
  if (!query.filter) return scope(null, ctx.tenantScope);
  const compiled = (spans ? compileSpanFilter : compileTraceFilter)(query.filter, { tenantKey: ctx.tenantKey });
  if (!compiled.ok) throw new Error(`query filter refused after validation: ${compiled.error.message}`);
  return scope(compiled.sql, ctx.tenantScope);
}

/** Whether an aggregate of the query reads a request's cost (the `cost` name or a key feeding that column). */
function readsRequestCost(query: QueryExpr, mapping: AttributeMapping): boolean {
  if (query.pipeline.unit !== 'traces') return false;
  return query.pipeline.aggregates.some(
    (a) => argumentKind(a.fn) === 'number' && a.arg?.kind === 'attribute' && promotedColumnOf(a.arg.key, mapping) === 'cost_usd',
  );
}

export async function runQuery(db: Pick<Db, 'rows'>, input: QueryInput, ctx: QueryContext): Promise<QueryResponse> {
  const started = performance.now();
  const config = serverConfig();
  const { query, range, step, limit } = input;
  const scope = query.pipeline.unit === 'traces' ? rollupScope(query.filter, ctx.tenantKey, ctx.tenantScope, []) : null;
  const filter = compiledFilter(query, ctx);
  const priced = readsRequestCost(query, config.attributeMapping)
    ? await queryPrices(db, { filter, fromNs: range.fromNs, toNs: range.toNs }, pricing(config).book)
    : null;
  const answer = await aggregateQuery(db, {
    query,
    filter,
    prices: priced?.prices ?? null,
    fromNs: range.fromNs,
    toNs: range.toNs,
    stepMs: step?.ms ?? null,
    limit,
    tenantKey: ctx.tenantKey,
    mapping: config.attributeMapping,
    rollup: scope && { ...scope, minTraces: config.rollupMinTraces },
  });
  const table = tableOf(query, answer, input);
  return {
    query: serializeQuery(query),
    unit: query.pipeline.unit,
    ...table,
    source: answer.source,
    range: { from: iso(range.fromNs), to: iso(range.toNs) },
    step: step ? formatBucket(step.ms) : null,
    limit,
    ...(priced ? { cost: { pricedAt: 'query' as const, unpricedRequests: priced.unpricedRequests } } : {}),
    queryMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

function columnUnit(a: AggregateCall): ColumnUnit {
  switch (a.fn) {
    case 'count':
    case 'errors':
    case 'count_distinct':
      return 'count';
    case 'rate':
      return 'per_second';
    case 'error_rate':
      return 'ratio';
    default: {
      const f = a.arg;
      if (!f) return null;
      if (f.kind === 'intrinsic') return 'ms';
      const column = promotedColumnOf(f.key, serverConfig().attributeMapping);
      if (column === 'ttft_ms') return 'ms';
      if (column === 'cost_usd') return 'usd';
      return column === null ? null : 'tokens';
    }
  }
}

/** Aggregate values of a cell: rate per second over `seconds`, error_rate over its rows; an empty cell's counts are 0. */
function finalValues(aggregates: readonly AggregateCall[], cell: AggregateCell | undefined, seconds: number): Cell[] {
  return aggregates.map((a, i) => {
    const rows = cell?.rows ?? 0;
    const raw = cell?.raw[i] ?? null;
    switch (a.fn) {
      case 'count':
      case 'errors':
      case 'count_distinct':
        return raw ?? 0;
      case 'rate':
        return seconds > 0 ? rows / seconds : null;
      case 'error_rate':
        return rows > 0 && raw !== null ? raw / rows : null;
      default:
        return raw;
    }
  });
}

/** The answer's cells as rows: groups in rank order ("other" last); stepped, every bucket of every group, in time order. */
function tableOf(query: QueryExpr, answer: AggregateAnswer, input: QueryInput): Pick<QueryResponse, 'columns' | 'units' | 'rows' | 'otherRows'> {
  const { by, aggregates } = query.pipeline;
  const stepped = answer.grid !== null;
  const columns = [...(stepped ? ['time'] : []), ...by.map(fieldName), ...aggregates.map(aggregateText)];
  const units: ColumnUnit[] = [...(stepped ? ['time' as const] : []), ...by.map(() => 'key' as const), ...aggregates.map(columnUnit)];
  // Without by() there is one group, even when nothing matched (counts 0).
  const gids = by.length === 0 ? [1] : [...new Set(answer.cells.map((c) => c.gid))].sort((a, b) => a - b);
  // A request without the key is the null group (charts: "(none)").
  const keysOf = (gid: number): Cell[] => (gid > input.limit ? by.map(() => OTHER_LABEL) : by.map((_, j) => answer.groups[gid - 1]?.[j] ?? null));
  const rangeSeconds = Number(input.range.toNs - input.range.fromNs) / 1e9;
  const rows: Cell[][] = [];
  const otherRows: number[] = [];
  const push = (gid: number, row: Cell[]) => {
    if (gid > input.limit) otherRows.push(rows.length);
    rows.push(row);
  };
  const byKey = new Map(answer.cells.map((c) => [`${c.gid}/${c.b}`, c]));
  if (!answer.grid) {
    for (const gid of gids) push(gid, [...keysOf(gid), ...finalValues(aggregates, byKey.get(`${gid}/null`), rangeSeconds)]);
    return { columns, units, rows, otherRows };
  }
  for (let b = 0; b < answer.grid.count; b++) {
    const bounds = bucketBounds(answer.grid, b, input.range);
    const seconds = Number(bounds.toNs - bounds.fromNs) / 1e9;
    for (const gid of gids) push(gid, [iso(bounds.fromNs), ...keysOf(gid), ...finalValues(aggregates, byKey.get(`${gid}/${b}`), seconds)]);
  }
  return { columns, units, rows, otherRows };
}
