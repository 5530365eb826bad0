/** One trace with all its spans, by full id or by an unambiguous 8-hex short id. */
import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { type SpanRow, type StoredSpan, type TraceRow, type TraceSummary, storedSpanFromRow, traceSummaryFromRow } from './rows';

export type TraceLookup =
  | { status: 'found'; traceId: string; summaries: TraceSummary[]; spans: StoredSpan[] }
  | { status: 'not_found' }
  | { status: 'ambiguous'; candidates: string[] };

/** Resolves a short (8-hex) or full (32-hex) id to full ids, newest first. */
export async function resolveTraceId(db: Pick<Db, 'rows'>, { traceId }: { traceId: string }): Promise<string[]> {
  const id = traceId.toLowerCase();
  if (id.length === 32) return [id];
  const rows = await db.rows<{ trace_id: string }>(sql`
    SELECT trace_id FROM traces WHERE trace_id LIKE ${`${id}%`}::text
    GROUP BY trace_id ORDER BY max(start_ns) DESC LIMIT 10`);
  return rows.map((r) => r.trace_id);
}

export async function getTrace(db: Pick<Db, 'rows'>, { traceId }: { traceId: string }): Promise<TraceLookup> {
  const ids = await resolveTraceId(db, { traceId });
  if (ids.length > 1) return { status: 'ambiguous', candidates: ids };
  if (ids.length === 0) return { status: 'not_found' };
  const [id] = ids;
  const [spans, summaries] = await Promise.all([
    db.rows<SpanRow>(sql`SELECT * FROM spans WHERE trace_id = ${id}::text ORDER BY start_ns, span_id`),
    db.rows<TraceRow>(sql`SELECT * FROM traces WHERE trace_id = ${id}::text ORDER BY tenant_id`),
  ]);
  if (spans.length === 0) return { status: 'not_found' };
  return { status: 'found', traceId: id, summaries: summaries.map(traceSummaryFromRow), spans: spans.map(storedSpanFromRow) };
}
