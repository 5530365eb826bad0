/**
 * Trace list: newest first over the `traces` summary table, keyset-paged on
 * (start_ns, trace_id, tenant_id) so every page is an index range scan and the
 * order is total (ties broken by id), however deep the user pages.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { type TraceRow, type TraceSummary, traceSummaryFromRow } from './rows';

export type TimeRangeNs = { fromNs?: bigint; toNs?: bigint };

export type TraceCursor = { startNs: bigint; traceId: string; tenantId: string };

export function encodeCursor(c: TraceCursor): string {
  return Buffer.from(`${c.startNs}|${c.traceId}|${c.tenantId}`).toString('base64url');
}

export function decodeCursor(text: string): TraceCursor | null {
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (parts.length < 3 || !/^\d{1,20}$/.test(parts[0]) || !/^[0-9a-f]{32}$/.test(parts[1])) return null;
  return { startNs: BigInt(parts[0]), traceId: parts[1], tenantId: parts.slice(2).join('|') };
}

export function timeRangeCondition(range: TimeRangeNs, column: SQL): SQL {
  const parts: SQL[] = [];
  if (range.fromNs !== undefined) parts.push(sql`${column} >= ${range.fromNs.toString()}::bigint`);
  if (range.toNs !== undefined) parts.push(sql`${column} < ${range.toNs.toString()}::bigint`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`true`;
}

export async function listTraces(
  db: Pick<Db, 'rows'>,
  { filter, range = {}, cursor, limit = 50 }: { filter?: SQL | null; range?: TimeRangeNs; cursor?: TraceCursor | null; limit?: number },
): Promise<{ traces: TraceSummary[]; nextCursor: string | null }> {
  const conditions: SQL[] = [timeRangeCondition(range, sql`t.start_ns`)];
  if (filter) conditions.push(filter);
  if (cursor) {
    conditions.push(
      sql`(t.start_ns, t.trace_id, t.tenant_id) < (${cursor.startNs.toString()}::bigint, ${cursor.traceId}::text, ${cursor.tenantId}::text)`,
    );
  }
  const rows = await db.rows<TraceRow>(sql`
    SELECT t.* FROM traces t
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY t.start_ns DESC, t.trace_id DESC, t.tenant_id DESC
    LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ startNs: BigInt(last.start_ns), traceId: last.trace_id, tenantId: last.tenant_id })
      : null;
  return { traces: page.map(traceSummaryFromRow), nextCursor };
}
