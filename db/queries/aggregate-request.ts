/**
 * The shapes of an aggregate query's request and answer (./aggregate.ts), shared with
 * its rollup path (./aggregate-rollup.ts), and which promoted column a field reads.
 */
import type { SQL } from 'drizzle-orm';
import type { AttributeMapping, MappableField } from '../../lib/enrich/promoted-columns';
import type { BucketGrid } from '../../lib/metrics/bucket';
import { PROMOTED_COLUMNS } from '../../lib/trace/promoted';
import { type QueryExpr, NAMED_FIELDS, isNamedField } from '../../lib/where/query-ast';
import type { RollupScope } from './metrics-query';

export type AggregateRequest = {
  /** A query validateQuery accepted. */
  query: QueryExpr;
  /** The filter compiled for the unit (a boolean over `traces t`, or over `spans s` with `| spans`), tenant scope included. */
  filter: SQL | null;
  fromNs: bigint;
  toNs: bigint;
  /** Time buckets of this size (ms), or null: one row per group. */
  stepMs: number | null;
  /** Groups kept (by rows, then value); the rest fold into one "other" cell. */
  limit: number;
  tenantKey: string;
  /** The keys feeding the promoted columns (server/config's attribute mapping). */
  mapping: AttributeMapping;
  /** Set when the filter is at most one tenant (db/queries/rollup-scope.ts): the rollups may answer. */
  rollup: RollupScope | null;
  /**
   * Per request, `cost` reads the reported cost, else the cost computed from its tokens with these
   * prices (db/queries/cost.ts priceRows as JSON: the models of the uncosted requests in range);
   * null: reported cost only (no uncosted request, or the unit is spans).
   */
  prices?: string | null;
};

/**
 * One cell: a group (`gid` 1..limit, limit + 1 for "other"; 1 when not grouped) in one
 * bucket (`b`, null when not stepped). `raw[i]` is aggregate i's value before the last
 * step: count/rate → the rows; errors/error_rate → the failed ones; the rest their value.
 */
export type AggregateCell = { gid: number; b: number | null; rows: number; raw: (number | null)[] };

export type AggregateAnswer = {
  cells: AggregateCell[];
  /** Group values of each kept gid (index gid - 1), one per by key; null values are "(none)". */
  groups: (string | null)[][];
  grid: BucketGrid | null;
  /** What answered: the chart rollups (with their edges read from traces), traces or spans. */
  source: 'rollups' | 'traces' | 'spans';
};

/** The promoted column an attribute key feeds, when it is a mappable (LLM) one. */
export function promotedColumnOf(key: string, mapping: AttributeMapping): string | null {
  if (isNamedField(key)) return NAMED_FIELDS[key];
  for (const c of PROMOTED_COLUMNS) {
    if (!('mapName' in c) || c.sqlType === 'text') continue;
    if (mapping[c.field as MappableField]?.includes(key)) return c.column;
  }
  return null;
}
