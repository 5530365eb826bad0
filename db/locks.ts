/**
 * Advisory locks that make one process at a time do a job (summaries, rollups,
 * maintenance). Advisory locks belong to the whole database, so the key carries the
 * schema: two Tracedeck stores in one database (test suites, benchmarks, tenants of a
 * shared Postgres) each get their own lock instead of waiting on each other's.
 */
import { type SQL, sql } from 'drizzle-orm';

export type JobLock = 'summarizer' | 'rollups' | 'maintenance';

/** The lock's 64-bit key for the schema the connection works in (its search_path). */
export function jobLockKey(job: JobLock): SQL {
  return sql`hashtextextended(${`tracedeck.${job}:`}::text || current_schema(), 0)`;
}
