/**
 * Aggregate queries (`<filter> | [spans] by(…) <agg>, …`, lib/where/pipeline.ts) over
 * `traces` (one row per request, the default) or `spans` (`| spans`). One statement:
 * the rows in range matching the filter with each group key and aggregate input
 * evaluated once (`base`), the groups ranked by rows (ties by value) with those past
 * `limit` folded into one "other" cell, then every aggregate per cell and time bucket.
 * Requests that fit the chart rollups are answered from them first (./aggregate-rollup.ts).
 *
 * What a field reads, per request (traces) and per span:
 * - `duration`: the request's duration (= `trace.duration`) / the span's; milliseconds.
 * - the chart names (`tokens`, `cost`, `ttft`, …, lib/where/query-ast.ts NAMED_FIELDS) and
 *   the attribute keys feeding those columns (TRACEDECK_ATTRIBUTE_MAP included): the
 *   promoted column — per request, tokens and cost summed over its spans, TTFT the first.
 * - any other attribute: its number as the filters compare it (numeric strings count);
 *   per request, the largest its spans carry.
 * - group keys: per request the trace's column for the tenant, user, session, model and
 *   the root span's service and name; any other attribute by each value its spans carry,
 *   so a request with two values counts in both groups, as `key=value` would select it.
 *
 * Attribute access goes through the where compiler's helpers (lib/where/sql-compiler.ts),
 * never a JSONB path spelled here. Every user text is a bound parameter.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type BucketGrid, bucketGrid } from '../../lib/metrics/bucket';
import { ERROR_SQL } from '../../lib/metrics/registry';
import type { FieldRef } from '../../lib/where/ast';
import { SPAN_KIND, STATUS_CODE, type EnumSpec } from '../../lib/where/field-types';
import { type AggregateCall, argumentKind, isNamedField, percentileOf } from '../../lib/where/query-ast';
import { spanAttributeNumber, spanAttributeText, traceAttributeValues } from '../../lib/where/sql-compiler';
import type { Db } from '../client';
import { summariesCaughtUp } from '../summarizer';
import { timeRangeCondition } from './list-traces';
import { rollupAggregateCells } from './aggregate-rollup';
import { pricesTable, tracePriceLookup } from './cost';
import { type AggregateAnswer, type AggregateCell, type AggregateRequest, promotedColumnOf } from './aggregate-request';

export type { AggregateAnswer, AggregateCell, AggregateRequest };

export async function aggregateQuery(db: Pick<Db, 'rows'>, req: AggregateRequest): Promise<AggregateAnswer> {
  await summariesCaughtUp(db);
  const grid = req.stepMs === null ? null : bucketGrid(req.fromNs, req.toNs, req.stepMs);
  // The rollups hold reported cost only: with requests to price, cost is read from traces.
  const rolled = req.prices ? null : await rollupAggregateCells(db, req, grid);
  if (rolled) return { ...rolled, grid, source: 'rollups' };
  const unit = req.query.pipeline.unit;
  const rows = await db.rows<CellRow>(aggregateStatement(req, grid));
  return { ...cellsFromRows(rows, req), grid, source: unit === 'spans' ? 'spans' : 'traces' };
}

type CellRow = { gid: number | string; b: number | string | null; gk: unknown; n: number | string; [a: `a${number}`]: unknown };

// ---------------------------------------------------------------- fields

/** A number field of one row of `traces t` (unit traces) or `spans s` (unit spans), as float8. */
function numberField(field: FieldRef, req: AggregateRequest): SQL {
  const spans = req.query.pipeline.unit === 'spans';
  if (field.kind === 'intrinsic') {
    if (field.name === 'trace.duration' && spans) {
      // As the filter's span-level `trace.duration` reads it (lib/where/sql-compiler.ts).
      return sql`((SELECT t.duration_ns FROM traces t WHERE t.tenant_id = s.tenant_id AND t.trace_id = s.trace_id)::float8 / 1e6)`;
    }
    // validateQuery lets only the two durations through as number intrinsics.
    return spans ? sql`(s.duration_ns::float8 / 1e6)` : sql`(t.duration_ns::float8 / 1e6)`;
  }
  const column = promotedColumnOf(field.key, req.mapping);
  // A request's cost: reported, else priced from its tokens at query time (as the charts price it).
  if (column === 'cost_usd' && !spans && req.prices) return sql`COALESCE(t.cost_usd, ${tracePriceLookup(pricesTable(req.prices))})::float8`;
  if (column !== null && (spans ? isNamedField(field.key) : true)) return sql.raw(`(${spans ? 's' : 't'}.${column})::float8`);
  if (spans) return spanAttributeNumber(field.key);
  return sql`(SELECT max(v.n) FROM ${traceAttributeValues(field.key)} v)`;
}

/** The code → name CASE of an enum column (names are constants of lib/where/field-types.ts). */
function enumName(column: string, spec: EnumSpec): SQL {
  const arms = Object.entries(spec.codes)
    .map(([name, code]) => `WHEN ${code} THEN '${name}'`)
    .join(' ');
  return sql.raw(`(CASE ${column} ${arms} END)`);
}

/** A group key (or a count_distinct key) with one value per row, or null when it has several per request. */
function singleValuedKey(field: FieldRef, req: AggregateRequest): SQL | null {
  const spans = req.query.pipeline.unit === 'spans';
  if (field.kind === 'intrinsic') {
    switch (field.name) {
      case 'service':
        return spans ? sql`s.service` : sql`t.root_service`;
      case 'name':
        return spans ? sql`s.name` : sql`t.root_name`;
      case 'kind':
        return enumName('s.kind', SPAN_KIND);
      case 'status':
        return enumName('s.status_code', STATUS_CODE);
      case 'trace_id':
        return spans ? sql`s.trace_id` : sql`t.trace_id`;
      case 'span_id':
        return sql`s.span_id`;
      default:
        // durations never reach here (validateQuery)
        return sql`NULL::text`;
    }
  }
  const alias = spans ? 's' : 't';
  if (field.key === req.tenantKey) return sql.raw(`NULLIF(${alias}.tenant_id, '')`);
  if (spans) return spanAttributeText(field.key);
  if (field.key === 'user.id') return sql`t.user_id`;
  if (field.key === 'session.id') return sql`t.session_id`;
  if (field.key === 'llm.model') return sql`t.llm_model`;
  return null;
}

// ---------------------------------------------------------------- the statement

/** The input column of aggregate `i` in `base` (null: it reads nothing but the row count). */
function aggregateInput(a: AggregateCall, req: AggregateRequest): SQL | null {
  if (a.fn === 'count' || a.fn === 'rate') return null;
  if (a.fn === 'errors' || a.fn === 'error_rate') {
    return req.query.pipeline.unit === 'spans' ? sql`(s.status_code = 2 OR s.http_status_code >= 500)` : sql.raw(ERROR_SQL);
  }
  if (argumentKind(a.fn) === 'key') {
    const field = a.arg!;
    const single = singleValuedKey(field, req);
    if (single) return sql`ARRAY[${single}]::text[]`;
    return sql`ARRAY(SELECT v.s FROM ${traceAttributeValues(field.kind === 'attribute' ? field.key : '')} v)`;
  }
  return numberField(a.arg!, req);
}

/** Aggregate `i` over the `labeled` rows of one cell (count_distinct comes from its own pass). */
function aggregateOutput(a: AggregateCall, i: number): SQL {
  const input = sql.raw(`l.in${i}`);
  if (a.fn === 'count' || a.fn === 'rate') return sql`count(*)`;
  if (a.fn === 'errors' || a.fn === 'error_rate') return sql`count(*) FILTER (WHERE ${input})`;
  if (a.fn === 'count_distinct') return sql`NULL::bigint`;
  const p = percentileOf(a.fn);
  if (p !== null) return sql`percentile_cont(${sql.raw(String(p))}::float8) WITHIN GROUP (ORDER BY ${input})`;
  return sql`${sql.raw(a.fn)}(${input})`;
}

/** The statement of the traces and spans paths (exported for the tests that check no user text reaches it). */
export function aggregateStatement(req: AggregateRequest, grid: BucketGrid | null): SQL {
  const { unit, by, aggregates } = req.query.pipeline;
  const spans = unit === 'spans';
  const alias = spans ? sql`s` : sql`t`;
  const from = spans ? sql`spans s` : sql`traces t`;
  const joins: SQL[] = [];
  const keys = by.map((field, j) => {
    const single = singleValuedKey(field, req);
    if (single) return single;
    // One row per value the request carries (LEFT: none → the "(none)" group).
    const name = sql.raw(`k${j}`);
    joins.push(sql`LEFT JOIN LATERAL (SELECT DISTINCT v.s AS g FROM ${traceAttributeValues(field.kind === 'attribute' ? field.key : '')} v) ${name} ON true`);
    return sql`${name}.g`;
  });
  const gk = keys.length > 0 ? sql`jsonb_build_array(${sql.join(keys, sql`, `)})` : sql`'[]'::jsonb`;
  const sizeNs = grid ? BigInt(grid.sizeMs) * 1_000_000n : 0n;
  const bucket = grid ? sql`((${alias}.start_ns - ${grid.originNs.toString()}::bigint) / ${sizeNs.toString()}::bigint)::integer` : sql`NULL::integer`;
  const inputs = aggregates.map((a, i) => sql`${aggregateInput(a, req) ?? sql`NULL::boolean`} AS ${sql.raw(`in${i}`)}`);
  const where = sql`${timeRangeCondition({ fromNs: req.fromNs, toNs: req.toNs }, sql`${alias}.start_ns`)} AND ${req.filter ?? sql`true`}`;
  const outputs = aggregates.map((a, i) => sql`${aggregateOutput(a, i)} AS ${sql.raw(`a${i}`)}`);
  const top = req.limit;
  const distinct = aggregates.flatMap((a, i) => (a.fn === 'count_distinct' ? [i] : []));
  const distinctCtes = distinct.map(
    (i) => sql`, ${sql.raw(`d${i}`)} AS (
      SELECT l.gid, l.b, count(DISTINCT x.v COLLATE "C") AS v FROM labeled l CROSS JOIN LATERAL unnest(l.${sql.raw(`in${i}`)}) AS x(v) GROUP BY l.gid, l.b)`,
  );
  const distinctJoins = distinct.map((i) => sql.raw(` LEFT JOIN d${i} ON d${i}.gid = c.gid AND d${i}.b IS NOT DISTINCT FROM c.b`));
  const columns = aggregates.map((_, i) => sql.raw(distinct.includes(i) ? `COALESCE(d${i}.v, 0) AS a${i}` : `c.a${i}`));
  // `base` is read twice (ranking, aggregation): materialized, so each input is evaluated once.
  return sql`
    WITH base AS MATERIALIZED (
      SELECT ${gk} AS gk, ${bucket} AS b, ${sql.join([sql`1 AS one`, ...inputs], sql`, `)}
      FROM ${from} ${sql.join(joins, sql` `)}
      WHERE ${where}
    ),
    ranked AS (
      SELECT gk, row_number() OVER (ORDER BY count(*) DESC, gk::text COLLATE "C" ASC)::integer AS rn FROM base GROUP BY gk
    ),
    topk AS (SELECT COALESCE(array_agg(gk ORDER BY rn), ARRAY[]::jsonb[]) AS keys FROM ranked WHERE rn <= ${top}::integer),
    labeled AS (
      SELECT base.*, COALESCE(array_position((SELECT keys FROM topk), base.gk), ${top + 1}::integer) AS gid FROM base
    ),
    cells AS (
      SELECT l.gid, l.b, count(*) AS n, ${sql.join(outputs, sql`, `)} FROM labeled l GROUP BY l.gid, l.b
    )${sql.join(distinctCtes, sql``)}
    SELECT c.gid, c.b, c.n, CASE WHEN c.gid <= ${top}::integer THEN (SELECT keys FROM topk)[c.gid] END AS gk, ${sql.join(columns, sql`, `)}
    FROM cells c${sql.join(distinctJoins, sql``)}
    ORDER BY c.gid, c.b`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The JSON array of a group's values from either driver (parsed, or its text). */
function groupValues(v: unknown): (string | null)[] {
  const list: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(list) ? list.map((x) => (x === null ? null : String(x))) : [];
}

function cellsFromRows(rows: CellRow[], req: AggregateRequest): Omit<AggregateAnswer, 'grid' | 'source'> {
  const groups: (string | null)[][] = [];
  const cells = rows.map((r): AggregateCell => {
    const gid = Number(r.gid);
    if (gid <= req.limit && r.gk !== null) groups[gid - 1] = groupValues(r.gk);
    const rows = Number(r.n);
    const raw = req.query.pipeline.aggregates.map((_, i) => num(r[`a${i}`]));
    return { gid, b: r.b === null ? null : Number(r.b), rows, raw };
  });
  return { cells, groups };
}
