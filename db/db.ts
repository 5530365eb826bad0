/**
 * The database as every query function sees it: one interface hiding the driver
 * (postgres.js or PGlite, built by db/client.ts). Its own file so that modules the
 * client itself uses (the catalog buffer) can name it without importing the client.
 */
import type { SQL } from 'drizzle-orm';
import type { PgliteWorkerStats } from './pglite-host';

export type DbKind = 'pglite' | 'postgres';

export interface Db {
  kind: DbKind;
  /** Runs one statement and returns its rows. */
  rows<T extends Record<string, unknown>>(query: SQL, options?: RowsOptions): Promise<T[]>;
  /** Runs `work` in one transaction; `tx.rows` uses the transaction's connection. */
  transaction<T>(work: (tx: Pick<Db, 'rows' | 'kind'>) => Promise<T>): Promise<T>;
  /** Applies pending migrations from db/migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Where the data lives, for logs ("postgres://host/db" without password, or a folder). */
  describe(): string;
  /** PGlite in its worker thread: the thread's CPU time (and statement profile), for benchmarks. */
  workerStats?(): Promise<PgliteWorkerStats>;
}

export type RowsOptions = {
  /**
   * Keep the statement prepared on its connection (Postgres; on PGlite in its worker
   * thread, db/pglite-worker.mjs): for a big statement run once per ingest batch,
   * planning it every time cost as much as running it.
   * Only for statements whose text is constant (values as parameters).
   */
  prepare?: boolean;
};
