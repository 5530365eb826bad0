/**
 * Bulk write of decoded spans. One statement per batch stores the spans
 * (ON CONFLICT DO NOTHING: exporter retries never duplicate) and folds exactly
 * the newly inserted ones into the per-trace summary, so re-sends do not inflate
 * span counts. The batch travels as one array parameter per column expanded by
 * unnest — one round trip, identical on PGlite and postgres.js.
 *
 * The spans come enriched (lib/enrich: rules, tenant, promoted values, sampling
 * weight); only the storage side of tenant resolution is done here (batch
 * inheritance, joining a stored trace's tenant, adopting orphans).
 *
 * The attribute catalog is not written here: batches fold their counts into an
 * in-memory buffer that one flusher writes (db/catalog-buffer.ts), so concurrent
 * batches never queue on its hot rows (`user.id`, …).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { AttributeMap } from '../lib/otlp/span-record';
import { type EnrichedSpan, PROMOTED_COLUMNS, type PromotedColumn, type PromotedColumnValues, type PromotedValues } from '../lib/trace/promoted';
import type { Db } from './db';
import { recordCatalog } from './catalog-buffer';
import { scheduleRollups } from './rollups';
import { AttributeSetBuilder } from './trace-attribute-set';

export type StoreResult = {
  /** Spans newly stored. */
  inserted: number;
  /** Spans already present (same tenant, trace id, span id) and skipped. */
  duplicates: number;
};

type SpanRow = ReturnType<typeof toRow>;

function toRow({ span, tenantId, promoted }: EnrichedSpan) {
  return {
    tenant_id: tenantId ?? '',
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    trace_state: span.traceState,
    name: span.name,
    kind: span.kind,
    service: span.service,
    status_code: span.statusCode,
    status_message: span.statusMessage,
    start_ns: span.startTimeUnixNano.toString(),
    end_ns: span.endTimeUnixNano.toString(),
    ...promotedColumnValues(promoted),
    attributes: span.attributes,
    resource_attributes: span.resourceAttributes,
    events: span.events,
    links: span.links,
    scope_name: span.scopeName,
    scope_version: span.scopeVersion,
    flags: span.flags,
    dropped_counts:
      span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount
        ? { attributes: span.droppedAttributesCount, events: span.droppedEventsCount, links: span.droppedLinksCount }
        : null,
  };
}

function promotedColumnValues(values: PromotedValues): PromotedColumnValues {
  const out: Record<string, string | number | null> = {};
  for (const c of PROMOTED_COLUMNS) out[c.column] = values[c.field];
  return out as PromotedColumnValues;
}

/**
 * Spans of one trace that lack the tenant attribute inherit it from a sibling in
 * the same batch (Plano tags its own spans; a downstream span in the same export
 * may not carry the header), so the trace stays in one tenant partition.
 * (The tenant itself is resolved in lib/enrich/enrich.ts; this is storage-side repair.)
 */
function inheritTenantWithinBatch(rows: SpanRow[]): void {
  const tenantOfTrace = new Map<string, string>();
  for (const row of rows) if (row.tenant_id && !tenantOfTrace.has(row.trace_id)) tenantOfTrace.set(row.trace_id, row.tenant_id);
  if (tenantOfTrace.size === 0) return;
  for (const row of rows) if (!row.tenant_id) row.tenant_id = tenantOfTrace.get(row.trace_id) ?? '';
}

const byKey = (a: SpanRow, b: SpanRow) =>
  a.tenant_id < b.tenant_id
    ? -1
    : a.tenant_id > b.tenant_id
      ? 1
      : a.trace_id < b.trace_id
        ? -1
        : a.trace_id > b.trace_id
          ? 1
          : a.span_id < b.span_id
            ? -1
            : a.span_id > b.span_id
              ? 1
              : 0;

export function spanRows(spans: readonly EnrichedSpan[]): SpanRow[] {
  const rows = spans.map(toRow);
  inheritTenantWithinBatch(rows);
  // Lock rows in one global order so concurrent batches cannot deadlock.
  rows.sort(byKey);
  return rows;
}

/** Stores a batch of spans. Throws when the spans could not be written (nothing is acknowledged then). */
export type StoreOptions = {
  /**
   * Move a trace's tenant-less spans (stored before any span named the tenant) into the
   * tenant this batch names. Off for tenant-scoped ingest keys: knowing a trace id must
   * not let one tenant's key pull spans it did not send into its tenant.
   */
  adoptOrphans?: boolean;
};

export async function storeSpans(
  db: Pick<Db, 'rows' | 'transaction'>,
  spans: readonly EnrichedSpan[],
  { adoptOrphans = true }: StoreOptions = {},
): Promise<StoreResult> {
  if (spans.length === 0) return { inserted: 0, duplicates: 0 };
  const rows = spanRows(spans);
  const traceIds = [...new Set(rows.map((r) => r.trace_id))].sort();
  const sets = attributeSets(rows);
  const inserted = await db.transaction(async (tx) => {
    // Per-trace locks (in a fixed order) make "which tenant does this trace have"
    // race-free when a trace's spans arrive in concurrent requests.
    // The insert below is prepared once per connection and planned once (a generic plan:
    // its text never changes, values are parameters); planning it per batch cost ~20 ms.
    await tx.rows(sql`
      SELECT set_config('plan_cache_mode', 'force_generic_plan', true), pg_advisory_xact_lock(h) FROM (
        SELECT DISTINCT hashtextextended(id, 0) AS h
        FROM jsonb_array_elements_text(${JSON.stringify(traceIds)}::jsonb) AS id ORDER BY 1) locks`);
    const [result] = await tx.rows<{ inserted: bigint | number; has_orphans: boolean }>(insertSpansStatement(spansInput(rows), JSON.stringify(sets)), {
      prepare: true,
    });
    // Usually false, so the common batch costs one statement; adoption runs only when needed.
    if (adoptOrphans && result?.has_orphans) {
      const tenantTraceIds = [...new Set(rows.filter((r) => r.tenant_id !== '').map((r) => r.trace_id))];
      await adoptUntenantedSpans(tx, tenantTraceIds);
    }
    return Number(result?.inserted ?? 0);
  });
  recordCatalog(
    db,
    spans.map((s) => s.span),
  );
  scheduleRollups(db);
  return { inserted, duplicates: rows.length - inserted };
}

/** Per (row tenant, trace): the attribute set of the batch's spans (merged into traces.attribute_set). */
function attributeSets(rows: SpanRow[]): { tenant_id: string; trace_id: string; attribute_set: unknown }[] {
  const builder = new AttributeSetBuilder();
  for (const row of rows) builder.add(`${row.tenant_id}\u0000${row.trace_id}`, row.attributes, row.resource_attributes);
  return [...builder.keys()].map((key) => {
    const [tenant_id, trace_id] = key.split('\u0000');
    return { tenant_id, trace_id, attribute_set: builder.get(key) };
  });
}

/** The promoted columns' names, as a SQL list. */
const PROMOTED_LIST = PROMOTED_COLUMNS.map((c) => c.column).join(', ');

/** Column list and SELECT list that write a traceSummaryAggregate row (plus an attribute_set) into `traces`. */
const SUMMARY_INSERT = sql.raw(`(tenant_id, trace_id, start_ns, end_ns, duration_ns, root_name, root_service,
        span_count, error_count, ${PROMOTED_LIST}, attribute_set)
      SELECT tenant_id, trace_id, start_ns, end_ns, end_ns - start_ns, root_name, root_service,
        span_count, error_count, ${PROMOTED_LIST}, attribute_set`);

/** Tests for "no information" in a trace column and its opposite: NULL, or the column's default (sample_weight's 1). */
const unknownTest = (c: PromotedColumn, value: string) => ('traceDefault' in c ? `${value} = ${c.traceDefault}` : `${value} IS NULL`);
const knownTest = (c: PromotedColumn, value: string) => ('traceDefault' in c ? `${value} <> ${c.traceDefault}` : `${value} IS NOT NULL`);

/**
 * A trace's promoted value from its spans' (lib/trace/promoted.ts, `perTrace`). `root`: the root
 * span's value when it has one (what the caller saw), else the first span's by start time.
 */
function perTraceAggregate(c: PromotedColumn): string {
  const x = c.column;
  if (c.perTrace === 'sum') return `sum(${x}) AS ${x}`;
  const order = c.perTrace === 'root' ? '(parent_span_id IS NULL) DESC, start_ns' : 'start_ns';
  const first = `(array_agg(${x} ORDER BY ${order}) FILTER (WHERE ${x} IS NOT NULL))[1]`;
  return `${'traceDefault' in c ? `COALESCE(${first}, ${c.traceDefault})` : first} AS ${x}`;
}

/** Merges a batch's value of a trace (EXCLUDED) into the stored one (t), per `perTrace`. */
function perTraceMerge(c: PromotedColumn): string {
  const [stored, incoming] = [`t.${c.column}`, `EXCLUDED.${c.column}`];
  // A stored value is kept; "no information" gives way to the batch's value.
  const keep = 'traceDefault' in c ? `CASE WHEN ${unknownTest(c, stored)} THEN ${incoming} ELSE ${stored} END` : `COALESCE(${stored}, ${incoming})`;
  switch (c.perTrace) {
    case 'sum':
      return `${c.column} = CASE WHEN ${stored} IS NULL AND ${incoming} IS NULL THEN NULL ELSE COALESCE(${stored}, 0) + COALESCE(${incoming}, 0) END`;
    case 'first':
      return `${c.column} = ${keep}`;
    case 'root':
      // a value learnt from the root span (this batch has the root when its root_name is set) wins
      return `${c.column} = CASE WHEN EXCLUDED.root_name IS NOT NULL AND ${knownTest(c, incoming)} THEN ${incoming} ELSE ${keep} END`;
  }
}

const PROMOTED_AGGREGATES = sql.raw(PROMOTED_COLUMNS.map(perTraceAggregate).join(',\n        '));
const PROMOTED_MERGES = sql.raw(PROMOTED_COLUMNS.map(perTraceMerge).join(',\n        '));
/** A rebuilt summary replaces every promoted value. */
const PROMOTED_REPLACEMENTS = sql.raw(PROMOTED_COLUMNS.map((c) => `${c.column} = EXCLUDED.${c.column}`).join(', '));

/** Per-(tenant, trace) summary of a set of span rows (`source` is a table expression with span columns). */
function traceSummaryAggregate(source: SQL): SQL {
  return sql`
      SELECT tenant_id, trace_id,
        min(start_ns) AS start_ns, max(end_ns) AS end_ns,
        (array_agg(name ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_name,
        (array_agg(service ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_service,
        count(*)::integer AS span_count,
        (count(*) FILTER (WHERE status_code = 2))::integer AS error_count,
        ${PROMOTED_AGGREGATES}
      FROM ${source} src
      GROUP BY tenant_id, trace_id`;
}

/** Columns of a span row as the ingest statement reads them, with their SQL types. */
const INPUT_COLUMNS = [
  ['tenant_id', 'text'],
  ['trace_id', 'text'],
  ['span_id', 'text'],
  ['parent_span_id', 'text'],
  ['trace_state', 'text'],
  ['name', 'text'],
  ['kind', 'smallint'],
  ['service', 'text'],
  ['status_code', 'smallint'],
  ['status_message', 'text'],
  ['start_ns', 'bigint'],
  ['end_ns', 'bigint'],
  ...PROMOTED_COLUMNS.map((c) => [c.column, c.sqlType] as const),
  ['attributes', 'jsonb'],
  ['resource_attributes', 'jsonb'],
  ['events', 'jsonb'],
  ['links', 'jsonb'],
  ['scope_name', 'text'],
  ['scope_version', 'text'],
  ['flags', 'integer'],
  ['dropped_counts', 'jsonb'],
] as const satisfies readonly (readonly [keyof SpanRow, string])[];

/** The input columns stored as they come (tenant_id is resolved and duration_ns computed by the statement). */
const STORED_AS_INPUT = sql.raw(
  INPUT_COLUMNS.map(([column]) => column)
    .filter((column) => column !== 'tenant_id')
    .join(', '),
);

/** What the per-trace summary reads of the inserted spans. */
const SUMMARY_SOURCE = sql.raw(`tenant_id, trace_id, parent_span_id, name, service, status_code, start_ns, end_ns, ${PROMOTED_LIST}`);

/**
 * The batch as a table expression: one array parameter per column, expanded by
 * unnest. Each value is parsed once by its type's input function (as COPY does);
 * one JSON document for the whole batch cost ~3x more to parse and unpack.
 * JSONB columns travel as text[] (every driver sends text arrays the same way).
 */
function spansInput(rows: SpanRow[]): SQL {
  const arrays = INPUT_COLUMNS.map(([column, type]) => {
    const values = rows.map((r) => {
      const v = r[column];
      if (v === null || v === undefined) return null;
      return type === 'jsonb' ? JSON.stringify(v) : String(v);
    });
    return sql`${sql.param(values)}::text[]`;
  });
  const casts = INPUT_COLUMNS.map(([column, type]) => sql.raw(`${column}::${type} AS ${column}`));
  const names = INPUT_COLUMNS.map(([column]) => sql.raw(column));
  return sql`(SELECT ${sql.join(casts, sql`, `)} FROM unnest(${sql.join(arrays, sql`, `)}) AS u(${sql.join(names, sql`, `)}))`;
}

function insertSpansStatement(input: SQL, setsJson: string) {
  return sql`
    WITH input AS (SELECT * FROM ${input} i),
    inserted AS (
      INSERT INTO spans (tenant_id, duration_ns, ${STORED_AS_INPUT})
      SELECT
        -- a span without the tenant attribute joins the tenant its trace already has
        CASE WHEN tenant_id <> '' THEN tenant_id
             ELSE COALESCE((SELECT min(t.tenant_id) FROM traces t WHERE t.trace_id = input.trace_id AND t.tenant_id <> ''), '') END,
        end_ns - start_ns, ${STORED_AS_INPUT}
      FROM input
      ON CONFLICT DO NOTHING
      RETURNING ${SUMMARY_SOURCE}
    ),
    per_trace AS (${traceSummaryAggregate(sql`inserted`)}),
    sets AS (SELECT * FROM jsonb_to_recordset(${setsJson}::jsonb) AS x(tenant_id text, trace_id text, attribute_set jsonb)),
    summary AS (
      INSERT INTO traces AS t ${SUMMARY_INSERT}
      -- a set was built under the span's own tenant, or under '' for spans that joined their trace's tenant here
      FROM (SELECT p.*, COALESCE(st.attribute_set, '{}'::jsonb) AS attribute_set
            FROM per_trace p LEFT JOIN sets st ON st.trace_id = p.trace_id AND st.tenant_id IN (p.tenant_id, '')) per_trace
      ORDER BY tenant_id, trace_id
      ON CONFLICT (tenant_id, trace_id) DO UPDATE SET
        start_ns = LEAST(t.start_ns, EXCLUDED.start_ns),
        end_ns = GREATEST(t.end_ns, EXCLUDED.end_ns),
        duration_ns = GREATEST(t.end_ns, EXCLUDED.end_ns) - LEAST(t.start_ns, EXCLUDED.start_ns),
        root_name = COALESCE(t.root_name, EXCLUDED.root_name),
        root_service = COALESCE(t.root_service, EXCLUDED.root_service),
        span_count = t.span_count + EXCLUDED.span_count,
        error_count = t.error_count + EXCLUDED.error_count,
        attribute_set = td_set_union(t.attribute_set, EXCLUDED.attribute_set),
        ${PROMOTED_MERGES}
      RETURNING start_ns
    ),
    -- Chart rollups (db/rollups.ts): the granules this batch changed are appended to rollup_dirty —
    -- each trace's start after the upsert, and its start before this statement (this CTE still
    -- sees the old row) when an earlier span moved it.
    prior AS (
      SELECT o.start_ns FROM per_trace p
      -- a primary-key probe (OFFSET 0: the start test must not steer it to the (tenant, start) index)
      CROSS JOIN LATERAL (SELECT t.start_ns FROM traces t WHERE t.tenant_id = p.tenant_id AND t.trace_id = p.trace_id OFFSET 0) o
      WHERE p.start_ns < o.start_ns
    ),
    dirty AS (
      INSERT INTO rollup_dirty (bucket_ns)
      SELECT DISTINCT td_rollup_granule(start_ns) FROM (SELECT start_ns FROM summary UNION ALL SELECT start_ns FROM prior) s
    )
    SELECT (SELECT count(*) FROM inserted) AS inserted,
      -- do tenant-less rows of a trace this batch names a tenant for exist (from earlier batches)?
      EXISTS (SELECT 1 FROM traces o
              WHERE o.tenant_id = '' AND o.trace_id IN (SELECT trace_id FROM input WHERE tenant_id <> '')) AS has_orphans`;
}

/**
 * Spans of a trace stored before any span told its tenant sit under tenant ''.
 * When a batch brings the trace's tenant, move them there (dropping copies that
 * already exist under it) and rebuild that trace's summary from its spans.
 */
async function adoptUntenantedSpans(tx: Pick<Db, 'rows'>, traceIds: string[]): Promise<void> {
  const pairs = await tx.rows<{ trace_id: string; tenant_id: string }>(sql`
    SELECT o.trace_id, min(t.tenant_id) AS tenant_id
    FROM traces o JOIN traces t ON t.trace_id = o.trace_id AND t.tenant_id <> ''
    WHERE o.tenant_id = '' AND o.trace_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(traceIds)}::jsonb))
    GROUP BY o.trace_id`);
  if (pairs.length === 0) return;
  const pairsJson = JSON.stringify(pairs);
  const pairsTable = sql`(SELECT * FROM jsonb_to_recordset(${pairsJson}::jsonb) AS p(trace_id text, tenant_id text))`;
  await tx.rows(sql`
    DELETE FROM spans s USING ${pairsTable} p
    WHERE s.tenant_id = '' AND s.trace_id = p.trace_id
      AND EXISTS (SELECT 1 FROM spans x WHERE x.tenant_id = p.tenant_id AND x.trace_id = s.trace_id AND x.span_id = s.span_id)`);
  await tx.rows(sql`
    UPDATE spans s SET tenant_id = p.tenant_id FROM ${pairsTable} p
    WHERE s.tenant_id = '' AND s.trace_id = p.trace_id`);
  // The adopted spans' values join the tenant's attribute set (sets only grow).
  await tx.rows(sql`
    UPDATE traces t SET attribute_set = td_set_union(t.attribute_set, o.attribute_set)
    FROM ${pairsTable} p, traces o
    WHERE o.tenant_id = '' AND o.trace_id = p.trace_id AND t.tenant_id = p.tenant_id AND t.trace_id = p.trace_id`);
  // The orphan summaries' granules change in the chart rollups (the adopted trace's own start is marked already).
  await tx.rows(sql`
    WITH gone AS (DELETE FROM traces t USING ${pairsTable} p WHERE t.tenant_id = '' AND t.trace_id = p.trace_id RETURNING t.start_ns)
    INSERT INTO rollup_dirty (bucket_ns) SELECT DISTINCT td_rollup_granule(start_ns) FROM gone`);
  await tx.rows(sql`
    INSERT INTO traces AS t ${SUMMARY_INSERT}
    FROM (SELECT agg.*, '{}'::jsonb AS attribute_set FROM (${traceSummaryAggregate(sql`(SELECT s.* FROM spans s JOIN ${pairsTable} p ON s.tenant_id = p.tenant_id AND s.trace_id = p.trace_id)`)}) agg) agg
    ON CONFLICT (tenant_id, trace_id) DO UPDATE SET
      start_ns = EXCLUDED.start_ns, end_ns = EXCLUDED.end_ns, duration_ns = EXCLUDED.duration_ns,
      root_name = EXCLUDED.root_name, root_service = EXCLUDED.root_service,
      span_count = EXCLUDED.span_count, error_count = EXCLUDED.error_count,
      ${PROMOTED_REPLACEMENTS}`);
}

export type { AttributeMap };
