/**
 * Planner statistics (db/statistics.ts): PGlite runs no autovacuum, so the server analyzes
 * the tables that changed enough (autovacuum's rule: 50 rows + 10%) itself, every minute.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeSpans } from '../../db/ingest';
import { analyzeChangedTables } from '../../db/statistics';
import { stopSummarizer, summarizeNow } from '../../db/summarizer';
import { enrichSpan } from '../../lib/enrich/enrich';
import { processPromotionOptions } from '../../server/ingest/deps';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases';
import { spanRecord } from '../support/span-record';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function spans(count: number) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: count }, (_, i) =>
    enrichSpan(
      spanRecord({
        traceId: hex(1 + Math.floor(i / 4), 32),
        spanId: hex(i + 1, 16),
        startTimeUnixNano: now + BigInt(i),
        endTimeUnixNano: now + BigInt(i) + 1_000_000n,
        attributes: { 'tenant.id': { stringValue: 'acme' }, 'http.status_code': { intValue: String(200 + (i % 5)) } },
      }),
      processPromotionOptions(),
    ),
  );
}

type Stat = { relname: string; n_mod_since_analyze: bigint | number; analyze_count: bigint | number };

describeEachDatabase('planner statistics kept by the server', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.dispose());

  const stats = async () =>
    database.db.rows<Stat>(sql`
      SELECT relname, n_mod_since_analyze, analyze_count + autoanalyze_count AS analyze_count
      FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname LIKE 'spans_p%'`);

  it('analyzes the partitions an ingest changed, and only while they have changed enough', async () => {
    const { db } = database;
    await storeSpans(db, spans(400));
    stopSummarizer(db);
    await summarizeNow(db);
    // A backend reports its row counts to the statistics a second or so after its transaction
    // (at most ~10 s when idle): wait until the inserts show.
    let changed: Stat[] = [];
    for (let waited = 0; changed.length === 0 && waited < 20_000; waited += 250) {
      changed = (await stats()).filter((s) => Number(s.n_mod_since_analyze) > 50);
      if (changed.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(changed.length).toBeGreaterThan(0);
    // (On Postgres autovacuum may analyze too; on PGlite nothing else ever does.)
    const analyzed = await analyzeChangedTables(db);
    for (const partition of changed) expect(analyzed.some((name) => name.endsWith(`.${partition.relname}`))).toBe(true);
    const after = await stats();
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) {
      expect(Number(s.n_mod_since_analyze)).toBe(0);
      expect(Number(s.analyze_count)).toBeGreaterThan(0);
    }
    // Nothing changed since: nothing to analyze among the span partitions.
    expect((await analyzeChangedTables(db)).filter((name) => /\.spans_p/.test(name))).toEqual([]);
  });
});
