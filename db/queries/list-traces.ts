/**
 * Trace list over the `traces` summary table, keyset-paged. The order is total —
 * (sort key, trace_id, tenant_id) — so pages never skip or repeat a trace and
 * equal keys come back in the same order every time (unlike Tempo's search).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client';
import type { TraceSummary } from '../../lib/trace/wire';
import { DEFAULT_SORT, type SortKey, type TraceCursor, type TraceSort, encodeCursor } from '../../lib/trace/list-order';
import { type TraceRow, traceSummaryFromRow } from './rows';
import { summariesCaughtUp } from '../summarizer';

export type TimeRangeNs = { fromNs?: bigint; toNs?: bigint };

/** The sort expression, and how its cursor value is cast back. Traces without cost sort as -1 (last when descending). */
const SORT_COLUMNS: Record<SortKey, { expr: SQL; cast: (v: string) => SQL; read: (r: TraceRow) => string }> = {
  start: { expr: sql`t.start_ns`, cast: (v) => sql`${v}::bigint`, read: (r) => BigInt(r.start_ns).toString() },
  duration: { expr: sql`t.duration_ns`, cast: (v) => sql`${v}::bigint`, read: (r) => BigInt(r.duration_ns).toString() },
  cost: { expr: sql`COALESCE(t.cost_usd, -1)`, cast: (v) => sql`${v}::float8`, read: (r) => String(r.cost_usd ?? -1) },
};

export function timeRangeCondition(range: TimeRangeNs, column: SQL): SQL {
  const parts: SQL[] = [];
  if (range.fromNs !== undefined) parts.push(sql`${column} >= ${range.fromNs.toString()}::bigint`);
  if (range.toNs !== undefined) parts.push(sql`${column} < ${range.toNs.toString()}::bigint`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`true`;
}

/** How many of the newest traces the first ordered probe of listTraces filters. */
export const PROBE_WINDOW = 2000;
/** The widest second probe, past which collecting every match is cheaper. */
const MAX_PROBE_WINDOW = 50_000;

export type ListTracesArgs = {
  filter?: SQL | null;
  range?: TimeRangeNs;
  sort?: TraceSort;
  cursor?: TraceCursor | null;
  limit?: number;
};

export async function listTraces(
  db: Pick<Db, 'rows'>,
  { filter, range = {}, sort = DEFAULT_SORT, cursor, limit = 50 }: ListTracesArgs,
): Promise<{ traces: TraceSummary[]; nextCursor: string | null }> {
  await summariesCaughtUp(db);
  const column = SORT_COLUMNS[sort.key];
  const conditions: SQL[] = [timeRangeCondition(range, sql`t.start_ns`)];
  if (cursor) {
    if (cursor.sort !== sort.key) throw new Error('cursor belongs to another sort order');
    const after = sql`(${column.expr}, t.trace_id, t.tenant_id)`;
    const at = sql`(${column.cast(cursor.value)}, ${cursor.traceId}::text, ${cursor.tenantId}::text)`;
    conditions.push(sort.direction === 'desc' ? sql`${after} < ${at}` : sql`${after} > ${at}`);
  }
  // NULLS LAST / FIRST as the indexes are built (drizzle's desc() is DESC NULLS LAST): the
  // columns are never null, but Postgres only reads an index in order when the null
  // placement matches too — with plain DESC every page was a sort of the whole range.
  const dir = sort.direction === 'desc' ? sql`DESC NULLS LAST` : sql`ASC NULLS FIRST`;
  const order = sql`ORDER BY ${column.expr} ${dir}, t.trace_id ${dir}, t.tenant_id ${dir}`;
  const where = (extra: SQL | null | undefined) => sql.join(extra ? [...conditions, extra] : conditions, sql` AND `);

  let rows: TraceRow[] | null = null;
  if (filter && sort.key === 'start') {
    // Postgres cannot estimate how many traces a JSONB predicate matches (it assumes
    // 0.1%), so it picks the wrong plan both ways: for a common value it reads every
    // match through the GIN index and sorts them; for a rare one it walks the whole
    // table in index order hoping to fill the page. So: filter the newest traces first
    // (an index scan in page order). A full page there is the answer, since every match
    // outside the window sorts after it. Few matches → one wider window sized from the
    // rate seen; none → the matches are rare: collect them all (GIN, bitmap) and sort.
    const probe = (size: number) =>
      db.rows<TraceRow>(sql`
        SELECT t.* FROM (SELECT * FROM traces t WHERE ${where(null)} ${order} LIMIT ${size}) t
        WHERE ${filter} ${order} LIMIT ${limit + 1}`);
    const first = await probe(PROBE_WINDOW);
    if (first.length > limit) rows = first;
    else if (first.length >= 5) {
      const size = Math.min(MAX_PROBE_WINDOW, Math.ceil(((PROBE_WINDOW * (limit + 1)) / first.length) * 1.5));
      const second = await probe(size);
      if (second.length > limit) rows = second;
    }
    rows ??= await db.rows<TraceRow>(sql`
      WITH matches AS MATERIALIZED (SELECT * FROM traces t WHERE ${where(filter)})
      SELECT t.* FROM matches t ${order} LIMIT ${limit + 1}`);
  }
  rows ??= await db.rows<TraceRow>(sql`
    SELECT t.* FROM traces t
    WHERE ${where(filter)}
    ${order}
    LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ sort: sort.key, value: column.read(last), traceId: last.trace_id, tenantId: last.tenant_id }) : null;
  return { traces: page.map(traceSummaryFromRow), nextCursor };
}
