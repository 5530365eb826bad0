/**
 * The answer of GET /api/query (server/query/service.ts), shared with the CLI
 * (`tracedeck query --json` prints it as is) and any UI. Pure types.
 */

/** What a column holds, so a table or chart can format it. */
export type ColumnUnit = 'time' | 'key' | 'count' | 'per_second' | 'ratio' | 'ms' | 'usd' | 'tokens' | null;
export type Cell = string | number | null;

export type QueryResponse = {
  /** The query in canonical form (lib/where serializeQuery). */
  query: string;
  /** What one aggregated row is: a request (trace) or a span (`| spans`). */
  unit: 'traces' | 'spans';
  /** `time` first when stepped, then each `by` key, then each aggregate as written canonically (`p95(duration)`). */
  columns: string[];
  units: ColumnUnit[];
  /** Key cells are null for requests without the key ("(none)"), `other` in the folded rows. */
  rows: Cell[][];
  /** Indexes of the rows folding the groups past `limit`. */
  otherRows: number[];
  /** What answered: the chart rollups (their edges read from traces), `traces` or `spans`. */
  source: 'rollups' | 'traces' | 'spans';
  range: { from: string; to: string };
  /** The bucket size (`5m`) when stepped. */
  step: string | null;
  limit: number;
  /**
   * Present when an aggregate reads a request's cost: it is the reported cost, else the cost of its
   * tokens priced at query time (as on the charts); `unpricedRequests` have tokens but no price and
   * are left out of the figures (never counted as $0).
   */
  cost?: { pricedAt: 'query'; unpricedRequests: number };
  queryMs: number;
};

/** What the /explore page renders: an answer, a query error (with its column when it is the query's), or nothing asked yet. */
export type ExploreResult =
  { kind: 'empty' } | { kind: 'answer'; answer: QueryResponse } | { kind: 'error'; message: string; column: number | null; length: number | null };
