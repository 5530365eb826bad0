/**
 * The SQL that makes and merges trace summaries (`traces` rows), shared by the two
 * steps that build them:
 *
 * - the ingest statement (db/ingest.ts) folds the spans a batch newly stored into one
 *   partial summary per trace, a *delta* (`trace_deltas`), in the same transaction as
 *   the spans: each stored span is counted in exactly one delta;
 * - the summarizer (db/summarizer.ts) claims deltas, combines the ones of a trace and
 *   merges them into `traces`, deleting them in the same transaction: each delta is
 *   merged exactly once.
 *
 * How each promoted value is made per trace comes from lib/trace/promoted.ts (`perTrace`).
 */
import { type SQL, sql } from 'drizzle-orm';
import { PROMOTED_COLUMNS, type PromotedColumn } from '../lib/trace/promoted';

/** The promoted columns' names, as a SQL list. */
export const PROMOTED_LIST = PROMOTED_COLUMNS.map((c) => c.column).join(', ');

/** The columns a summary carries (`traces` without duration_ns, `trace_deltas` without may_adopt). */
export const SUMMARY_COLUMNS = `tenant_id, trace_id, start_ns, end_ns, root_name, root_service, span_count, error_count, ${PROMOTED_LIST}, attribute_set`;

/** Tests for a known value in a trace column: not NULL, and not the column's default (sample_weight's 1). */
const knownTest = (c: PromotedColumn, value: string) => ('traceDefault' in c ? `${value} <> ${c.traceDefault}` : `${value} IS NOT NULL`);

/**
 * A trace's promoted value from rows of it (spans, or deltas). `rootFirst` orders the rows
 * that hold the root span first: a `root` value is the root span's when it has one (what
 * the caller saw), else the first row's by start time.
 */
function perTraceAggregate(c: PromotedColumn, rootFirst: string): string {
  const x = c.column;
  if (c.perTrace === 'sum') return `sum(${x}) AS ${x}`;
  const order = c.perTrace === 'root' ? `${rootFirst} DESC, start_ns` : 'start_ns';
  const first = `(array_agg(${x} ORDER BY ${order}) FILTER (WHERE ${knownTest(c, x)}))[1]`;
  return `${'traceDefault' in c ? `COALESCE(${first}, ${c.traceDefault})` : first} AS ${x}`;
}

/**
 * A promoted value of the merge of a trace's stored summary (is_stored) with its incoming one, as an
 * aggregate over both rows (see mergedSummaries), per `perTrace`: sums add; a stored value is kept
 * and "no information" gives way to the incoming value; for `root`, a value the incoming summary
 * learnt from the root span (its root_name is set) wins.
 */
function perTraceMerge(c: PromotedColumn): string {
  const x = c.column;
  if (c.perTrace === 'sum') return `sum(${x}) AS ${x}`;
  const order = c.perTrace === 'root' ? '(NOT is_stored AND root_name IS NOT NULL) DESC, is_stored DESC' : 'is_stored DESC';
  const first = `(array_agg(${x} ORDER BY ${order}) FILTER (WHERE ${knownTest(c, x)}))[1]`;
  return `${'traceDefault' in c ? `COALESCE(${first}, ${c.traceDefault})` : first} AS ${x}`;
}

/** What a span-level summary reads of the spans: these columns. */
export const SPAN_SUMMARY_SOURCE = `tenant_id, trace_id, parent_span_id, name, service, status_code, start_ns, end_ns, ${PROMOTED_LIST}`;

/** Per-(tenant, trace) summary of span rows (`source` is a table expression with SPAN_SUMMARY_SOURCE), without an attribute set. */
export function spanSummaryAggregate(source: SQL): SQL {
  const promoted = sql.raw(PROMOTED_COLUMNS.map((c) => perTraceAggregate(c, '(parent_span_id IS NULL)')).join(',\n        '));
  return sql`
      SELECT tenant_id, trace_id,
        min(start_ns) AS start_ns, max(end_ns) AS end_ns,
        (array_agg(name ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_name,
        (array_agg(service ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_service,
        count(*)::integer AS span_count,
        (count(*) FILTER (WHERE status_code = 2))::integer AS error_count,
        ${promoted}
      FROM ${source} src
      GROUP BY tenant_id, trace_id`;
}

/** Per-(tenant, trace) combination of deltas (`source`: rows of `trace_deltas`): what merging them one by one would give. */
export function deltaSummaryAggregate(source: SQL): SQL {
  const promoted = sql.raw(PROMOTED_COLUMNS.map((c) => perTraceAggregate(c, '(root_name IS NOT NULL)')).join(',\n        '));
  return sql`
      SELECT tenant_id, trace_id,
        min(start_ns) AS start_ns, max(end_ns) AS end_ns,
        (array_agg(root_name ORDER BY start_ns) FILTER (WHERE root_name IS NOT NULL))[1] AS root_name,
        (array_agg(root_service ORDER BY start_ns) FILTER (WHERE root_name IS NOT NULL))[1] AS root_service,
        sum(span_count)::integer AS span_count,
        sum(error_count)::integer AS error_count,
        ${promoted},
        td_set_union_agg(attribute_set) AS attribute_set,
        bool_or(may_adopt) AS may_adopt,
        min(seq) AS first_seq, max(seq) AS last_seq
      FROM ${source} src
      GROUP BY tenant_id, trace_id`;
}

/**
 * The rows to write into `traces` for incoming summaries (`incoming`, with SUMMARY_COLUMNS), each
 * merged with its trace's stored rows (`stored`: rows of `traces` the caller removed). An aggregate
 * over both rather than a join: the summarizer runs with hash joins off (it must probe `traces` by
 * index), and a nested loop between two CTEs compares every pair.
 */
export function mergedSummaries(incoming: SQL, stored: SQL): SQL {
  const promoted = PROMOTED_COLUMNS.map(perTraceMerge).join(',\n        ');
  return sql`
      SELECT tenant_id, trace_id, min(start_ns) AS start_ns, max(end_ns) AS end_ns,
        (array_agg(root_name ORDER BY is_stored DESC) FILTER (WHERE root_name IS NOT NULL))[1] AS root_name,
        (array_agg(root_service ORDER BY is_stored DESC) FILTER (WHERE root_service IS NOT NULL))[1] AS root_service,
        sum(span_count)::integer AS span_count, sum(error_count)::integer AS error_count,
        ${sql.raw(promoted)},
        td_set_union_agg(attribute_set) AS attribute_set
      FROM (SELECT ${sql.raw(SUMMARY_COLUMNS)}, true AS is_stored FROM ${stored} t
            UNION ALL SELECT ${sql.raw(SUMMARY_COLUMNS)}, false FROM ${incoming} e) both_rows
      GROUP BY tenant_id, trace_id`;
}

/** Writes summary rows (a SELECT of SUMMARY_COLUMNS) into `traces`. */
export function insertSummaries(rows: SQL): SQL {
  return sql`
      INSERT INTO traces (${sql.raw(SUMMARY_COLUMNS)}, duration_ns)
      SELECT ${sql.raw(SUMMARY_COLUMNS)}, end_ns - start_ns FROM (${rows}) r
      ORDER BY tenant_id, trace_id`;
}
