/**
 * Planner statistics for the embedded database. Postgres keeps them current with autovacuum;
 * PGlite runs no background workers, so without this its tables were never analyzed and every
 * plan (partition scans, the attribute-set and numeric-bound indexes) rested on default guesses.
 * The rule is autovacuum's own: a table is analyzed once the rows changed since its last analyze
 * exceed 50 + 10% of its rows.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db';

const THRESHOLD_ROWS = 50;
const SCALE = 0.1;
const EVERY_MS = 60_000;
const FIRST_MS = 5_000;

/** ANALYZEs this schema's tables (daily partitions included) that changed enough since their last analyze; returns their names. */
export async function analyzeChangedTables(db: Pick<Db, 'rows'>): Promise<string[]> {
  const changed = await db.rows<{ name: string }>(sql`
    SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND n_mod_since_analyze > ${THRESHOLD_ROWS}::integer + ${SCALE}::float8 * n_live_tup
    ORDER BY relname`);
  for (const { name } of changed) await db.rows(sql`ANALYZE ${sql.raw(name)}`);
  return changed.map((t) => t.name);
}

const loops = new WeakMap<object, ReturnType<typeof setInterval>>();

/** PGlite: analyze what changed, 5 s after start and every minute (Postgres: autovacuum does it). Failures are logged once and retried. */
export function startAutoAnalyze(db: Pick<Db, 'rows' | 'kind'>): void {
  if (db.kind !== 'pglite' || loops.has(db)) return;
  let failing = false;
  const pass = () =>
    analyzeChangedTables(db).then(
      () => (failing = false),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (!failing && !/closed|ended/i.test(message)) console.error(`[tracedeck] analyzing tables failed (retrying in a minute): ${message}`);
        failing = true;
      },
    );
  const timer = setInterval(pass, EVERY_MS);
  timer.unref?.();
  loops.set(db, timer);
  // Soon after start too: a restarted server may hold tables never analyzed.
  setTimeout(() => loops.get(db) === timer && void pass(), FIRST_MS).unref?.();
}

export function stopAutoAnalyze(db: object): void {
  const timer = loops.get(db);
  if (timer) clearInterval(timer);
  loops.delete(db);
}
