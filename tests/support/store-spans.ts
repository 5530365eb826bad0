/**
 * storeSpans for tests that make SpanRecords by hand: each span gets its tenant,
 * promoted values and sampling weight as the receivers would give them (settings from
 * the environment), without span-attribute rules or the receive path. The batch is then
 * summarized (db/summarizer.ts), so a test can read `traces` right after, as it could
 * when summaries were written by ingest itself.
 */
import { type StoreOptions, type StoreResult, storeSpans } from '../../db/ingest';
import type { Db } from '../../db/db';
import { summarizeNow } from '../../db/summarizer';
import { enrichSpan } from '../../lib/enrich/enrich';
import type { SpanRecord } from '../../lib/otlp/span-record';
import { processPromotionOptions } from '../../server/ingest/deps';

export async function storeRecords(db: Pick<Db, 'rows' | 'transaction'>, spans: readonly SpanRecord[], options?: StoreOptions): Promise<StoreResult> {
  const promotion = processPromotionOptions();
  const result = await storeSpans(
    db,
    spans.map((span) => enrichSpan(span, promotion)),
    options,
  );
  await summarizeNow(db);
  return result;
}
