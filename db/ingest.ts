/**
 * The request path's write: append a batch of decoded spans, nothing more. One statement
 * stores the spans (ON CONFLICT DO NOTHING: exporter retries never duplicate) and, for
 * exactly the newly stored ones, a partial summary per trace (`trace_deltas`) in the same
 * transaction. The summarizer (db/summarizer.ts) merges deltas into `traces` off the
 * request path, so a batch takes no lock and touches no shared row. The batch travels as
 * one array parameter per column expanded by unnest: one round trip, identical on PGlite
 * and postgres.js.
 *
 * The spans come enriched (lib/enrich: rules, tenant, promoted values, sampling
 * weight); only the storage side of tenant resolution is done here (batch inheritance,
 * joining a summarized trace's tenant); the summarizer adopts what is left over.
 *
 * The attribute catalog is not written here: batches fold their counts into an
 * in-memory buffer that one flusher writes (db/catalog-buffer.ts), so concurrent
 * batches never queue on its hot rows (`user.id`, …).
 */
import { type SQL, sql } from 'drizzle-orm';
import { encodeAttributes, encodeEvents, encodeLinks } from '../lib/otlp/compact-attributes';
import type { AttributeMap } from '../lib/otlp/span-record';
import { elidePromoted } from '../lib/trace/elided-attributes';
import { type EnrichedSpan, PROMOTED_COLUMNS, type PromotedColumnValues, type PromotedValues } from '../lib/trace/promoted';
import type { Db } from './db';
import { recordCatalog } from './catalog-buffer';
import { ensurePartitionsFor, forgetPartitions, isMissingPartition } from './partitions';
import { BatchResources } from './resources';
import { noteAppended } from './summarizer';
import { AttributeSetBuilder } from './trace-attribute-set';
import { SPAN_SUMMARY_SOURCE, SUMMARY_COLUMNS, spanSummaryAggregate } from './trace-summary';

export type StoreResult = {
  /** Spans newly stored. */
  inserted: number;
  /** Spans already present (same tenant, trace id, span id) and skipped. */
  duplicates: number;
};

type SpanRow = ReturnType<typeof toRow>;

function toRow({ span, tenantId, promoted }: EnrichedSpan, resources: BatchResources) {
  const columns = promotedColumnValues(promoted);
  // Stored in the compact form (lib/otlp/compact-attributes.ts), without the promoted keys its columns give back exactly.
  const attributes = encodeAttributes(span.attributes);
  const promotedElided = elidePromoted(attributes, { ...columns, tenant_id: tenantId });
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
    ...columns,
    attributes,
    promoted_elided: promotedElided,
    resource_id: resources.idOf(span.resourceAttributes),
    events: encodeEvents(span.events),
    links: encodeLinks(span.links),
    scope_name: span.scopeName,
    scope_version: span.scopeVersion,
    flags: span.flags,
    dropped_counts:
      span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount
        ? { attributes: span.droppedAttributesCount, events: span.droppedEventsCount, links: span.droppedLinksCount }
        : null,
    /** The decoded span (not a column): the attribute set is built from its canonical maps. */
    span,
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

/** The batch's rows; `resources` collects the distinct resources they reference. */
export function spanRows(spans: readonly EnrichedSpan[], resources = new BatchResources()): SpanRow[] {
  const rows = spans.map((span) => toRow(span, resources));
  inheritTenantWithinBatch(rows);
  // Insert in one global key order so concurrent batches with overlapping spans (retries) cannot deadlock.
  rows.sort(byKey);
  return rows;
}

export type StoreOptions = {
  /**
   * Move a trace's tenant-less spans (stored before any span named the tenant) into the
   * tenant this batch names (done by the summarizer). Off for tenant-scoped ingest keys:
   * knowing a trace id must not let one tenant's key pull spans it did not send into its tenant.
   */
  adoptOrphans?: boolean;
  /**
   * One append statement per tenant of the batch (all in one transaction) instead of one for
   * the whole batch, so on a table distributed by tenant_id (Citus) each statement touches one
   * shard. 'auto': when the database has the citus extension. Off by default: on plain Postgres
   * it costs a statement per tenant (db/SCALING.md has the figures).
   */
  groupByTenant?: boolean | 'auto';
};

/**
 * Stores a batch of spans: one statement appends the spans (a re-sent span hits the
 * primary key and is skipped) and, for exactly the spans it stored, one delta row per
 * trace that the summarizer later merges into `traces`. No lock is taken and no summary
 * row is touched, so concurrent batches never wait on each other.
 * Resolves once committed; throws when the spans could not be written (nothing is acknowledged then).
 */
export async function storeSpans(
  db: Pick<Db, 'rows' | 'transaction'>,
  spans: readonly EnrichedSpan[],
  { adoptOrphans = true, groupByTenant = false }: StoreOptions = {},
): Promise<StoreResult> {
  if (spans.length === 0) return { inserted: 0, duplicates: 0 };
  const resources = new BatchResources();
  const rows = spanRows(spans, resources);
  const perTenant = groupByTenant === 'auto' ? await usesCitus(db) : groupByTenant;
  const append = perTenant ? () => appendPerTenant(db, rows, resources, adoptOrphans) : () => appendBatch(db, rows, resources, adoptOrphans);
  const starts = spans.map((s) => s.span.startTimeUnixNano);
  await ensurePartitionsFor(db, starts);
  const inserted = await append().catch(async (err: unknown) => {
    // A day's partition went away under this process's feet (retention in another server): make it again, once.
    if (!isMissingPartition(err)) throw err;
    forgetPartitions(db);
    await ensurePartitionsFor(db, starts);
    return append();
  });
  recordCatalog(
    db,
    spans.map((s) => s.span),
  );
  noteAppended(db);
  return { inserted, duplicates: rows.length - inserted };
}

/** The whole batch in one statement; resolves with the number of spans newly stored. */
async function appendBatch(db: Pick<Db, 'rows'>, rows: SpanRow[], resources: BatchResources, adoptOrphans: boolean): Promise<number> {
  // Prepared once per connection and planned once (a generic plan: its text never changes,
  // values are parameters); planning it per batch cost ~20 ms.
  const statement = appendStatement(spansInput(rows), JSON.stringify(attributeSets(rows)), JSON.stringify(resources.list()), adoptOrphans);
  const [result] = await db.rows<{ inserted: bigint | number }>(statement, { prepare: true });
  return Number(result?.inserted ?? 0);
}

/**
 * The batch as one statement per tenant, in one transaction (for Citus: every row of a
 * statement has the same tenant_id, written as a parameter, so each statement routes to the
 * shard of that tenant). A tenant-less span first gets the tenant its trace already has, in
 * one lookup for the batch (on Citus a read of every shard): the per-row subquery the batch
 * statement uses is correlated on trace_id, which Citus cannot push down. What is stored is
 * the same either way.
 */
async function appendPerTenant(db: Pick<Db, 'transaction'>, batchRows: SpanRow[], resources: BatchResources, adoptOrphans: boolean): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await joinTracesTenants(tx, batchRows);
    let inserted = 0;
    for (const [tenant, group] of groupsByTenant(rows)) {
      const ids = new Set(group.map((r) => r.resource_id));
      const groupResources = resources.list().filter((r) => ids.has(r.id));
      const statement = appendStatement(spansInput(group), JSON.stringify(attributeSets(group)), JSON.stringify(groupResources), adoptOrphans, tenant);
      const [result] = await tx.rows<{ inserted: bigint | number }>(statement, { prepare: true });
      inserted += Number(result?.inserted ?? 0);
    }
    return inserted;
  });
}

/** The rows with each tenant-less span moved into the tenant its trace has in `traces` (if any), in key order again. */
async function joinTracesTenants(tx: Pick<Db, 'rows'>, rows: SpanRow[]): Promise<SpanRow[]> {
  const orphanTraces = [...new Set(rows.filter((r) => r.tenant_id === '').map((r) => r.trace_id))];
  if (orphanTraces.length === 0) return rows;
  const found = await tx.rows<{ trace_id: string; tenant_id: string }>(sql`
    SELECT trace_id, min(tenant_id) AS tenant_id FROM traces
    WHERE trace_id = ANY(${sql.param(orphanTraces)}::text[]) AND tenant_id <> '' GROUP BY trace_id`);
  if (found.length === 0) return rows;
  const tenantOf = new Map(found.map((f) => [f.trace_id, f.tenant_id]));
  const joined = rows.map((r) => (r.tenant_id === '' && tenantOf.has(r.trace_id) ? { ...r, tenant_id: tenantOf.get(r.trace_id)! } : r));
  return joined.sort(byKey);
}

/** The rows of each tenant, tenants in key order and rows in key order within (concurrent batches write in one order: no deadlock). */
function groupsByTenant(rows: SpanRow[]): Map<string, SpanRow[]> {
  const groups = new Map<string, SpanRow[]>();
  for (const row of rows) {
    const group = groups.get(row.tenant_id);
    if (group) group.push(row);
    else groups.set(row.tenant_id, [row]);
  }
  return groups;
}

/** Whether the database runs Citus (asked once per client). */
const citusByDb = new WeakMap<object, Promise<boolean>>();
function usesCitus(db: Pick<Db, 'rows'>): Promise<boolean> {
  let known = citusByDb.get(db);
  if (!known) {
    known = db.rows<{ citus: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS citus`).then(([r]) => Boolean(r?.citus));
    citusByDb.set(db, known);
    known.catch(() => citusByDb.delete(db));
  }
  return known;
}

/** Per (row tenant, trace): the attribute set of the batch's spans (merged into traces.attribute_set). */
function attributeSets(rows: SpanRow[]): { tenant_id: string; trace_id: string; attribute_set: unknown }[] {
  const builder = new AttributeSetBuilder();
  for (const row of rows) builder.add(`${row.tenant_id}\u0000${row.trace_id}`, row.span.attributes, row.span.resourceAttributes);
  return [...builder.keys()].map((key) => {
    const [tenant_id, trace_id] = key.split('\u0000');
    return { tenant_id, trace_id, attribute_set: builder.get(key) };
  });
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
  ['promoted_elided', 'smallint'],
  ['resource_id', 'bigint'],
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

/**
 * The batch as a table expression: one parameter per column, expanded by unnest. Each
 * value is parsed once by its type's input function (as COPY does); one JSON document
 * for the whole batch cost ~3x more to parse and unpack.
 *
 * A column travels as one text, its values joined by U+0001 with U+0002 for NULL, and
 * is split by string_to_array: a driver's text[] serializer escapes every quote and
 * backslash of every value, and for the JSON columns (most of the bytes) that cost the
 * server process more CPU than the rest of the statement. JSON.stringify escapes every
 * control character, so the JSON columns can never hold the two marks; a text column
 * whose values do (a span name with U+0001, say) travels as a text[] as before.
 */
function spansInput(rows: SpanRow[]): SQL {
  const arrays = INPUT_COLUMNS.map(([column, type]) => {
    if (type === 'jsonb') return sql`string_to_array(${joinValues(jsonValues(rows, column))}::text, chr(1), chr(2))`;
    const values = textValues(rows, column);
    const joined = holdsMarks(values) ? null : joinValues(values);
    // '' (one empty value) would split into no element at all: that one travels as text[] too.
    return joined === null || joined === '' ? sql`${sql.param(values)}::text[]` : sql`string_to_array(${joined}::text, chr(1), chr(2))`;
  });
  const casts = INPUT_COLUMNS.map(([column, type]) => sql.raw(`${column}::${type} AS ${column}`));
  const names = INPUT_COLUMNS.map(([column]) => sql.raw(column));
  return sql`(SELECT ${sql.join(casts, sql`, `)} FROM unnest(${sql.join(arrays, sql`, `)}) AS u(${sql.join(names, sql`, `)}))`;
}

const SEPARATOR = '\u0001';
const NULL_MARK = '\u0002';

/** Whether a value holds a mark (never so for JSON texts: JSON.stringify escapes control characters). */
function holdsMarks(values: (string | null)[]): boolean {
  for (const v of values) if (v !== null && (v.includes(SEPARATOR) || v === NULL_MARK)) return true;
  return false;
}

/** The values joined by SEPARATOR, NULL as NULL_MARK. A JSON text is never '', so a JSON column never joins to ''. */
function joinValues(values: (string | null)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : SEPARATOR) + (values[i] ?? NULL_MARK);
  return out;
}

function textValues(rows: SpanRow[], column: keyof SpanRow): (string | null)[] {
  return rows.map((r) => {
    const v = r[column];
    return v === null || v === undefined ? null : String(v);
  });
}

/** A JSONB column's values as JSON texts (each row's value is its own object: resources travel by id). */
function jsonValues(rows: SpanRow[], column: keyof SpanRow): (string | null)[] {
  return rows.map((r) => {
    const v = r[column];
    return v === null || v === undefined ? null : JSON.stringify(v);
  });
}

/**
 * `tenant`: every row of `input` has this tenant (the per-tenant path): it is written as a
 * parameter, which is what lets Citus route the statement to one shard. null: a mixed batch,
 * each row's tenant as it comes, a tenant-less one joining its trace's.
 */
function appendStatement(input: SQL, setsJson: string, resourcesJson: string, mayAdopt: boolean, tenant: string | null = null) {
  const one = tenant === null ? null : sql`${tenant}::text`;
  return sql`
    WITH input AS (SELECT * FROM ${input} i),
    inserted AS (
      INSERT INTO spans (tenant_id, duration_ns, ${STORED_AS_INPUT})
      SELECT
        -- a span without the tenant attribute joins the tenant its trace already has
        -- (when the trace is not summarized yet, the summarizer moves it there later)
        ${
          one ??
          sql`CASE WHEN tenant_id <> '' THEN tenant_id
             ELSE COALESCE((SELECT min(t.tenant_id) FROM traces t WHERE t.trace_id = input.trace_id AND t.tenant_id <> ''), '') END`
        },
        end_ns - start_ns, ${STORED_AS_INPUT}
      FROM input
      ON CONFLICT DO NOTHING
      RETURNING ${sql.raw(SPAN_SUMMARY_SOURCE)}, resource_id
    ),
    -- the resources of the stored spans, under the tenant each span was stored in (a retry finds them there)
    new_resources AS (
      INSERT INTO resources (tenant_id, id, attributes)
      SELECT ${one ?? sql`k.tenant_id`}, r.id, r.attributes
      FROM (SELECT DISTINCT tenant_id, resource_id FROM inserted) k
      JOIN jsonb_to_recordset(${resourcesJson}::jsonb) AS r(id bigint, attributes jsonb) ON r.id = k.resource_id
      ON CONFLICT DO NOTHING
    ),
    per_trace AS (${spanSummaryAggregate(sql`inserted`)}),
    sets AS (SELECT * FROM jsonb_to_recordset(${setsJson}::jsonb) AS x(tenant_id text, trace_id text, attribute_set jsonb)),
    delta AS (
      INSERT INTO trace_deltas (${sql.raw(SUMMARY_COLUMNS)}, may_adopt)
      -- a set was built under the span's own tenant, or under '' for spans that joined their trace's tenant here
      SELECT ${one ?? sql`p.tenant_id`}, p.trace_id, p.start_ns, p.end_ns, p.root_name, p.root_service, p.span_count, p.error_count,
        ${sql.raw(PROMOTED_COLUMNS.map((c) => `p.${c.column}`).join(', '))},
        COALESCE(st.attribute_set, '{}'::jsonb), ${mayAdopt}::boolean
      FROM per_trace p LEFT JOIN sets st ON st.trace_id = p.trace_id AND st.tenant_id IN (p.tenant_id, '')
    )
    SELECT count(*) AS inserted FROM inserted`;
}

export type { AttributeMap };
