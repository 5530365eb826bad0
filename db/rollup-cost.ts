/**
 * What the rollups keep so charts can price the requests without a reported cost from
 * them (db/queries/cost-rollup.ts) instead of scanning `traces`: per granule and group,
 * the count of those requests and their token sums split as the price formula needs them
 * (db/queries/cost.ts TOKEN_SPLIT), each with its sampling-weighted estimate. Prices are
 * not stored: they are applied when a chart is read, so an edited TRACEDECK_PRICES still
 * reprices every past granule.
 */
import { type SQL, sql } from 'drizzle-orm';
import { TOKEN_PARTS, TOKEN_SPLIT, type TokenPart, UNCOSTED_TRACE } from './queries/cost-tokens';
import type { StoredColumn } from './rollups';

/** The rollup column of a token part's sum (`uc_fresh_input`), and of its estimate (`est_uc_fresh_input`). */
export const ucColumn = (part: TokenPart) => `uc_${part}`;
export const estUcColumn = (part: TokenPart) => `est_${ucColumn(part)}`;

/** The roller's scan inputs over `traces t`: whether the trace is uncosted, and its split tokens when it is. */
export function uncostedInputs(): SQL {
  return sql.join(
    [
      sql`(${UNCOSTED_TRACE}) AS in_uncosted`,
      ...TOKEN_PARTS.map((part) => sql`CASE WHEN ${UNCOSTED_TRACE} THEN ${TOKEN_SPLIT[part]} END AS ${sql.raw(`in_${ucColumn(part)}`)}`),
    ],
    sql`, `,
  );
}

/** The stored columns, aggregated over the roller's scan (alias `t`, with uncostedInputs()) and summed across granules. */
export const UNCOSTED_COLUMNS: readonly StoredColumn[] = [
  { name: 'uncosted_requests', fromTraces: sql`(count(*) FILTER (WHERE t.in_uncosted))::integer`, combine: 'sum' },
  ...TOKEN_PARTS.flatMap((part): StoredColumn[] => {
    const input = sql.raw(`t.in_${ucColumn(part)}`);
    return [
      { name: ucColumn(part), fromTraces: sql`sum(${input})`, combine: 'sum' },
      { name: estUcColumn(part), fromTraces: sql`sum(${input} * t.sample_weight)`, combine: 'sum' },
    ];
  }),
];
