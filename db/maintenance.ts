/**
 * Storage maintenance, run by one process at a time (a transaction-scoped advisory
 * try-lock: with several servers on one database, whichever gets it does the pass, and a
 * killed holder's lock goes with its connection):
 *
 * - makes the daily partitions of spans and traces ahead (yesterday to the day after
 *   tomorrow), so ingest seldom has to;
 * - past the retention, drops whole daily partitions (never a row-by-row DELETE) and
 *   deletes what the small tables still hold of those days: chart rollups, granule marks,
 *   catalog values last seen then.
 */
import { sql } from 'drizzle-orm';
import { jobLockKey } from './locks';
import type { Db } from './db';
import { DAY_NS, dropPartitionsBefore, ensurePartitionsBetween, forgetPartitions } from './partitions';

export type MaintenanceOptions = {
  /** Spans are kept this long (ms); null keeps everything. */
  retentionMs: number | null;
  /** The clock (ms), for tests. */
  nowMs?: () => number;
};

export type MaintenanceResult = { busy: boolean; created: number; dropped: string[] };

const EVERY_MS = 10 * 60_000;

export async function runMaintenance(db: Pick<Db, 'transaction'>, { retentionMs, nowMs = Date.now }: MaintenanceOptions): Promise<MaintenanceResult> {
  const nowNs = BigInt(Math.floor(nowMs())) * 1_000_000n;
  const result = await db.transaction(async (tx): Promise<MaintenanceResult> => {
    const [lock] = await tx.rows<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${jobLockKey('maintenance')}) AS ok`);
    if (!lock?.ok) return { busy: true, created: 0, dropped: [] };
    // Dropping a partition waits for the reads on its table; do not queue every other query behind it for long.
    if (tx.kind === 'postgres') await tx.rows(sql`SET LOCAL lock_timeout = '5s'`);
    const created = await ensurePartitionsBetween(tx, nowNs - DAY_NS, nowNs + 2n * DAY_NS);
    if (retentionMs === null) return { busy: false, created, dropped: [] };
    const cutoff = nowNs - BigInt(retentionMs) * 1_000_000n;
    const dropped = await dropPartitionsBefore(tx, cutoff);
    await tx.rows(sql`DELETE FROM trace_rollups WHERE bucket_ns + granule_ms::bigint * 1000000 <= ${String(cutoff)}::bigint`);
    await tx.rows(sql`DELETE FROM rollup_dirty WHERE bucket_ns < ${String(cutoff)}::bigint`);
    await tx.rows(sql`DELETE FROM attribute_values WHERE last_seen_ns < ${String(cutoff)}::bigint`);
    await tx.rows(sql`DELETE FROM attribute_keys WHERE last_seen_ns < ${String(cutoff)}::bigint`);
    return { busy: false, created, dropped };
  });
  if (result.dropped.length > 0) forgetPartitions(db);
  return result;
}

const loops = new WeakMap<object, ReturnType<typeof setInterval>>();

/** A serving process: a maintenance pass now and every 10 minutes. Failures are logged and retried at the next. */
export function startMaintenance(db: Pick<Db, 'transaction'>, options: MaintenanceOptions): void {
  if (loops.has(db)) return;
  let failing = false;
  const pass = () =>
    runMaintenance(db, options).then(
      (r) => {
        failing = false;
        if (r.dropped.length > 0) console.log(`[tracedeck] retention: dropped ${r.dropped.length} daily partitions (${r.dropped.join(', ')})`);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (!failing && !/closed|ended/i.test(message)) console.error(`[tracedeck] storage maintenance failed (retrying in 10 min): ${message}`);
        failing = true;
      },
    );
  const timer = setInterval(pass, EVERY_MS);
  timer.unref?.();
  loops.set(db, timer);
  void pass();
}

export function stopMaintenance(db: object): void {
  const timer = loops.get(db);
  if (timer) clearInterval(timer);
  loops.delete(db);
}
