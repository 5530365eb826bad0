/**
 * The configured database: db/client.ts's factory fed from server/config.ts, and the
 * process-wide client the route handlers, pages and the gRPC listener share.
 */
import { type Db, type DbOptions, createDb } from '../db/client';
import { startMaintenance } from '../db/maintenance';
import { startAutoAnalyze } from '../db/statistics';
import { startSummarizer } from '../db/summarizer';

export type { Db };
import { type ServerConfig, serverConfig } from './config';

/** db/client options for the database the configuration names. */
export function databaseOptions(config: ServerConfig = serverConfig()): DbOptions {
  const { url, dataDir, schemaName, pgliteWorker } = config.database;
  return { databaseUrl: url, dataDir, schemaName, pgliteWorker };
}

/** A new client of the configured database (not migrated; the caller closes it). */
export function openConfiguredDb(config: ServerConfig = serverConfig()): Promise<Db> {
  return createDb(databaseOptions(config));
}

/**
 * Created and migrated once, cached on globalThis so Next.js dev reloads do not
 * open a second PGlite on the same folder (PGlite allows one process per data dir).
 */
const globalForDb = globalThis as unknown as { tracedeckDb?: Promise<Db> };

/** Makes `db` the process-wide client (tests and tools that bring their own). */
export function useDb(db: Db): void {
  globalForDb.tracedeckDb = Promise.resolve(db);
}

/** The process-wide client. */
export function getDb(): Promise<Db> {
  if (!globalForDb.tracedeckDb) {
    globalForDb.tracedeckDb = (async () => {
      const db = await openConfiguredDb();
      await db.migrate();
      // Summaries left behind by another process, or by this one before a restart, get built;
      // partitions are made ahead and dropped past the retention.
      startSummarizer(db);
      startMaintenance(db, { retentionMs: serverConfig().retentionMs });
      // PGlite has no autovacuum: its planner statistics are kept here.
      startAutoAnalyze(db);
      return db;
    })();
    // A failed start must not stay cached: the next request retries.
    globalForDb.tracedeckDb.catch(() => {
      globalForDb.tracedeckDb = undefined;
    });
  }
  return globalForDb.tracedeckDb;
}
