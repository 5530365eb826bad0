/**
 * Query-time pricing for aggregate queries that read `cost` per request (`| sum(cost)`,
 * `p95(llm.usage.total_cost_usd)`, …): the prices of the models of the requests in range
 * that carry tokens but no reported cost (db/queries/cost.ts), for the aggregate statement
 * to price them with, and how many of those requests no price covers (left out of the
 * figures, never counted as $0, as on the charts).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { PriceBook } from '../../lib/pricing/price-book';
import type { Db } from '../client';
import { summariesCaughtUp } from '../summarizer';
import { UNCOSTED_TRACE, priceRows, pricesTable, tracePriceLookup, uncostedModels } from './cost';
import { timeRangeCondition } from './list-traces';

export type QueryPrices = { prices: string | null; unpricedRequests: number };

export async function queryPrices(db: Pick<Db, 'rows'>, q: { filter: SQL | null; fromNs: bigint; toNs: bigint }, book: PriceBook): Promise<QueryPrices> {
  await summariesCaughtUp(db);
  const models = await uncostedModels(db, q);
  const rows = priceRows(models, book);
  const prices = rows.length > 0 ? JSON.stringify(rows) : null;
  const [count] = await db.rows<{ n: number | string }>(sql`
    SELECT count(*) AS n FROM traces t
    WHERE ${timeRangeCondition(q, sql`t.start_ns`)} AND ${q.filter ?? sql`true`} AND ${UNCOSTED_TRACE}
      ${prices ? sql`AND ${tracePriceLookup(pricesTable(prices))} IS NULL` : sql``}`);
  return { prices, unpricedRequests: Number(count?.n ?? 0) };
}
