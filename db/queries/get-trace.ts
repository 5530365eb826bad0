/** One trace with all its spans, by full id or by an unambiguous 8-hex short id. */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client';

/**
 * The spans of one trace id, through the primary key: `traces` names the (tenant, trace)
 * partitions holding it, so `spans` needs no index of its own on trace_id.
 */
const spansOfTrace = (id: string, alias = 'spans', tenantScope: string | null = null) =>
  sql`(${sql.raw(alias)}.tenant_id, ${sql.raw(alias)}.trace_id) IN (SELECT tenant_id, trace_id FROM traces WHERE trace_id = ${id}::text${inTenant(tenantScope)})`;

/**
 * `tenantScope` (every function below takes it): a tenant-scoped reader's tenant (server/auth).
 * Only that tenant's part of a trace is read, so another tenant's trace is "not found".
 */
export type TenantScoped = { tenantScope?: string | null };
const inTenant = (tenantScope: string | null | undefined) => (tenantScope ? sql` AND tenant_id = ${tenantScope}::text` : sql``);
import type { StoredSpan, TraceSummary } from '../../lib/trace/wire';
import {
  type SpanRow,
  type TraceRow,
  type ViewSpanRow,
  elidedArray,
  spansWithResource,
  storedSpanFromRow,
  traceSummaryFromRow,
  withElidedColumns,
} from './rows';
import { summariesCaughtUp } from '../summarizer';

/** Whole spans (alias `s`) with their resource's map. */
const withResource = spansWithResource('s');

export type TraceLookup =
  | { status: 'found'; traceId: string; summaries: TraceSummary[]; spans: StoredSpan[] }
  | { status: 'not_found' }
  | { status: 'ambiguous'; candidates: string[] };

/** Resolves a short (8-hex) or full (32-hex) id to full ids, newest first. */
export async function resolveTraceId(db: Pick<Db, 'rows'>, { traceId, tenantScope }: { traceId: string } & TenantScoped): Promise<string[]> {
  await summariesCaughtUp(db);
  const id = traceId.toLowerCase();
  if (id.length === 32) return [id];
  const rows = await db.rows<{ trace_id: string }>(sql`
    SELECT trace_id FROM traces WHERE trace_id LIKE ${`${id}%`}::text${inTenant(tenantScope)}
    GROUP BY trace_id ORDER BY max(start_ns) DESC LIMIT 10`);
  return rows.map((r) => r.trace_id);
}

export async function getTrace(db: Pick<Db, 'rows'>, { traceId, tenantScope = null }: { traceId: string } & TenantScoped): Promise<TraceLookup> {
  const ids = await resolveTraceId(db, { traceId, tenantScope });
  if (ids.length > 1) return { status: 'ambiguous', candidates: ids };
  if (ids.length === 0) return { status: 'not_found' };
  const [id] = ids;
  const [spans, summaries] = await Promise.all([
    db.rows<SpanRow>(sql`SELECT ${withResource.columns} FROM ${withResource.from} WHERE ${spansOfTrace(id, 's', tenantScope)} ORDER BY s.start_ns, s.span_id`),
    db.rows<TraceRow>(sql`SELECT * FROM traces WHERE trace_id = ${id}::text${inTenant(tenantScope)} ORDER BY tenant_id`),
  ]);
  if (spans.length === 0) return { status: 'not_found' };
  return { status: 'found', traceId: id, summaries: summaries.map(traceSummaryFromRow), spans: spans.map(storedSpanFromRow) };
}

/**
 * Ids of the spans of one trace that satisfy a span-level filter (compiled with
 * `compileSpanFilter`, a boolean over `spans s`), sorted. `traceId` is a full id.
 */
export async function matchSpans(
  db: Pick<Db, 'rows'>,
  { traceId, filter, tenantScope = null }: { traceId: string; filter: SQL } & TenantScoped,
): Promise<string[]> {
  const rows = await db.rows<{ span_id: string }>(sql`
    SELECT DISTINCT s.span_id FROM spans s
    WHERE ${spansOfTrace(traceId.toLowerCase(), 's', tenantScope)} AND (${filter})
    ORDER BY s.span_id`);
  return rows.map((r) => r.span_id);
}

/** A stored span plus what only the OTLP export needs. */
export type ExportableSpan = StoredSpan & { droppedCounts: { attributes: number; events: number; links: number } | null };

export type TraceExportLookup =
  { status: 'found'; traceId: string; spans: ExportableSpan[] } | { status: 'not_found' } | { status: 'ambiguous'; candidates: string[] };

/** All spans of a trace with their dropped counts, for the OTLP/JSON download. */
export async function getTraceForExport(db: Pick<Db, 'rows'>, { traceId, tenantScope = null }: { traceId: string } & TenantScoped): Promise<TraceExportLookup> {
  const ids = await resolveTraceId(db, { traceId, tenantScope });
  if (ids.length > 1) return { status: 'ambiguous', candidates: ids };
  if (ids.length === 0) return { status: 'not_found' };
  const [id] = ids;
  const rows = await db.rows<SpanRow & { dropped_counts: ExportableSpan['droppedCounts'] }>(
    sql`SELECT ${withResource.columns} FROM ${withResource.from} WHERE ${spansOfTrace(id, 's', tenantScope)} ORDER BY s.tenant_id, s.start_ns, s.span_id`,
  );
  if (rows.length === 0) return { status: 'not_found' };
  return { status: 'found', traceId: id, spans: rows.map((r) => ({ ...storedSpanFromRow(r), droppedCounts: r.dropped_counts ?? null })) };
}

/**
 * Resolves a short or full id to the one trace it names, with its span count, without
 * loading spans (cheap: the page redirects or 404s on it before streaming the spans).
 */
export async function findTrace(
  db: Pick<Db, 'rows'>,
  { traceId, tenantScope = null }: { traceId: string } & TenantScoped,
): Promise<Exclude<TraceLookup, { status: 'found' }> | { status: 'found'; traceId: string; spanCount: number }> {
  const ids = await resolveTraceId(db, { traceId, tenantScope });
  if (ids.length > 1) return { status: 'ambiguous', candidates: ids };
  if (ids.length === 0) return { status: 'not_found' };
  // Counted from the spans, not the summary: a trace is shown as soon as its spans are stored.
  const [row] = await db.rows<{ n: bigint | number | string | null }>(sql`SELECT count(*) AS n FROM spans WHERE ${spansOfTrace(ids[0], 'spans', tenantScope)}`);
  const n = row?.n === null || row?.n === undefined ? 0 : Number(row.n);
  return n > 0 ? { status: 'found', traceId: ids[0], spanCount: n } : { status: 'not_found' };
}

/**
 * Same answer as getTrace, read as one aggregated JSON value instead of one row per span:
 * about twice as fast for big traces (the per-row decoding dominates, notably on the
 * embedded PGlite, whose queries block the event loop). int8 columns travel as text, so
 * times stay exact.
 */
export async function getTraceView(db: Pick<Db, 'rows'>, { traceId, tenantScope = null }: { traceId: string } & TenantScoped): Promise<TraceLookup> {
  const ids = await resolveTraceId(db, { traceId, tenantScope });
  if (ids.length > 1) return { status: 'ambiguous', candidates: ids };
  if (ids.length === 0) return { status: 'not_found' };
  const [id] = ids;
  const [aggregated, summaries] = await Promise.all([
    db.rows<{ spans: string | null }>(sql`
      SELECT json_agg(json_build_object(
        'trace_id', s.trace_id, 'span_id', s.span_id, 'parent_span_id', s.parent_span_id, 'trace_state', s.trace_state,
        'tenant_id', s.tenant_id, 'name', s.name, 'kind', s.kind, 'service', s.service,
        'status_code', s.status_code, 'status_message', s.status_message,
        'start_ns', s.start_ns::text, 'end_ns', s.end_ns::text, 'duration_ns', s.duration_ns::text,
        'attributes', s.attributes, 'elided', ${elidedArray('s')}, 'resource_attributes', COALESCE(r.attributes, '{}'::jsonb), 'events', s.events, 'links', s.links,
        'scope_name', s.scope_name, 'scope_version', s.scope_version, 'flags', s.flags
      ) ORDER BY s.start_ns, s.span_id)::text AS spans
      FROM ${withResource.from} WHERE ${spansOfTrace(id, 's', tenantScope)}`),
    db.rows<TraceRow>(sql`SELECT * FROM traces WHERE trace_id = ${id}::text${inTenant(tenantScope)} ORDER BY tenant_id`),
  ]);
  const text = aggregated[0]?.spans;
  const rows = text ? (JSON.parse(text) as ViewSpanRow[]).map(withElidedColumns) : [];
  if (rows.length === 0) return { status: 'not_found' };
  return { status: 'found', traceId: id, summaries: summaries.map(traceSummaryFromRow), spans: rows.map(storedSpanFromRow) };
}
