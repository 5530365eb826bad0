/**
 * Daily partitions of `spans` and `traces` (db/migrations/0007): made ahead and dropped
 * past the retention by the maintenance loop, and made on demand by ingest for a day
 * that has none yet (a backfill, a clock far off). The SQL functions
 * td_ensure_day_partitions / td_drop_partitions_before do the DDL under one advisory
 * lock, so two servers asking at once are safe.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db';

export const DAY_NS = 86_400_000_000_000n;

export const dayOf = (ns: bigint): bigint => ns - (((ns % DAY_NS) + DAY_NS) % DAY_NS);

/** Days this process knows have their partitions (per database client). */
const knownDays = new WeakMap<object, Set<bigint>>();

function known(db: object): Set<bigint> {
  let days = knownDays.get(db);
  if (!days) knownDays.set(db, (days = new Set()));
  return days;
}

/** Makes sure the partitions of the days holding `startNs` exist (one statement, only for days not seen before). */
export async function ensurePartitionsFor(db: Pick<Db, 'rows'>, startNs: Iterable<bigint>): Promise<void> {
  const days = known(db);
  const missing = [...new Set([...startNs].map(dayOf))].filter((d) => !days.has(d));
  if (missing.length === 0) return;
  await db.rows(sql`SELECT td_ensure_day_partitions(d, d) FROM unnest(${sql.param(missing.map(String))}::text[]::bigint[]) AS d`);
  for (const d of missing) days.add(d);
}

/** Makes the partitions of every day from `fromNs` to `toNs`; resolves with the number of tables created. */
export async function ensurePartitionsBetween(db: Pick<Db, 'rows'>, fromNs: bigint, toNs: bigint): Promise<number> {
  const [row] = await db.rows<{ created: number }>(sql`SELECT td_ensure_day_partitions(${String(fromNs)}::bigint, ${String(toNs)}::bigint) AS created`);
  for (let d = dayOf(fromNs); d <= toNs; d += DAY_NS) known(db).add(d);
  return Number(row?.created ?? 0);
}

/** Drops the partitions that end at or before `cutoffNs`; resolves with their names. */
export async function dropPartitionsBefore(db: Pick<Db, 'rows'>, cutoffNs: bigint): Promise<string[]> {
  const rows = await db.rows<{ name: string }>(sql`SELECT td_drop_partitions_before(${String(cutoffNs)}::bigint) AS name`);
  if (rows.length > 0) knownDays.delete(db);
  return rows.map((r) => r.name);
}

/** The error Postgres raises for a row whose day has no partition (another server dropped it, or a stale cache). */
export function isMissingPartition(err: unknown): boolean {
  return err instanceof Error && /no partition of relation/i.test(err.message);
}

/** Forgets which days have partitions (after a missing-partition error). */
export function forgetPartitions(db: object): void {
  knownDays.delete(db);
}
