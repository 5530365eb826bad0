/**
 * The one database client factory. It reads no environment: everything comes as
 * options (server/db.ts builds the process-wide client from server/config.ts).
 *
 * - `databaseUrl: postgres://…` → postgres.js (a real server);
 * - none → embedded PGlite in `dataDir` ("memory://" keeps it in memory), created on
 *   first use. It runs in a worker thread (db/pglite-host.ts) so a long query never
 *   blocks the event loop; `pgliteWorker: false` runs it on the calling thread instead.
 *
 * Both are wrapped in `Db`, which hides the drivers' different result shapes:
 * every query goes through `db.rows(sql\`…\`)` and gets plain row objects with
 * int8 values as bigint on both drivers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { flushCatalog } from './catalog-buffer';
import { stopMaintenance } from './maintenance';
import { stopSummarizer } from './summarizer';
import type { Db, RowsOptions } from './db';
import { PgliteHost } from './pglite-host';
import { type PoolMode, RecyclingClient, transactionOn } from './postgres-pool';
import * as schema from './schema';

export type { Db, DbKind, RowsOptions } from './db';

export type DbOptions = {
  /** postgres:// URL; when absent or empty, PGlite is used. */
  databaseUrl?: string | null;
  /** PGlite data folder, or "memory://" for an in-memory database (required for PGlite). */
  dataDir?: string;
  /** Postgres schema to create and use (tests give each suite its own). Default: public. */
  schemaName?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PGlite in a worker thread (default) or on the calling thread. */
  pgliteWorker?: boolean;
  /** PGlite in its worker thread: keep CPU time per statement text for workerStats() (benchmarks). */
  pgliteProfile?: boolean;
  /** Where the migrations are read from (default db/migrations; the upgrade test points at an older set). */
  migrationsFolder?: string;
};

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

type Executor = { execute(query: SQL): Promise<unknown> };

function rowsOf<T>(result: unknown): T[] {
  // postgres.js returns an array (RowList); PGlite returns { rows }.
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function makeRows(executor: Executor) {
  return async <T extends Record<string, unknown>>(query: SQL): Promise<T[]> => rowsOf<T>(await executor.execute(query));
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return `"${name}"`;
}

export async function createDb(options: DbOptions): Promise<Db> {
  const schemaName = options.schemaName ?? 'public';
  const migrations = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (options.databaseUrl) return createPostgresDb(options.databaseUrl, schemaName, options.maxConnections ?? 10, migrations);
  if (!options.dataDir) throw new Error('createDb: PGlite needs a dataDir ("memory://" for an in-memory database) when no databaseUrl is given');
  return options.pgliteWorker === false
    ? createPgliteInThreadDb(options.dataDir, schemaName, migrations)
    : createPgliteWorkerDb(options.dataDir, schemaName, migrations, options.pgliteProfile ?? false);
}

/**
 * A healthy server may take a while to accept a connection (a busy host, TLS); after a
 * connection failure, while the pool is reconnecting, an attempt gives up sooner so that
 * requests meeting a restarting server are answered 503 quickly (db/postgres-pool.ts).
 */
const CONNECT_TIMEOUT_SECONDS: Record<PoolMode, number> = { steady: 5, reconnecting: 2 };

async function createPostgresDb(url: string, schemaName: string, max: number, migrationsFolder: string): Promise<Db> {
  // Replaced by a fresh client after a connection failure (db/postgres-pool.ts explains why).
  const pool = new RecyclingClient((mode) => {
    const client = postgres(url, {
      max,
      onnotice: () => {},
      // While Postgres is down or restarting, fail fast (ingest answers 503 + Retry-After and
      // exporters retry) and reconnect soon after it is back. postgres.js's default backoff
      // grows to 20 s between connection attempts, shared by the pool, and queued queries
      // wait it out: requests hung for that long and ingest resumed that late.
      connect_timeout: CONNECT_TIMEOUT_SECONDS[mode],
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
      // int8 as bigint, the same as PGlite, so nanosecond times stay exact.
      types: { bigint: postgres.BigInt },
      connection: { search_path: schemaName === 'public' ? 'public' : `${schemaName},public` },
    });
    // drizzle's postgres-js driver makes json/jsonb and date parameters pass through as given
    // (statements here send JSON text); every client needs that, not only the first.
    drizzlePostgres({ client, schema });
    return client;
  });
  // Statements go straight to postgres.js (drizzle builds them) so ingest can ask for prepared ones.
  const dialect = new PgDialect();
  const rowsOn =
    (sqlClient: postgres.Sql | postgres.ReservedSql) =>
    async <T extends Record<string, unknown>>(query: SQL, options?: RowsOptions): Promise<T[]> => {
      const q = dialect.sqlToQuery(query);
      return (await sqlClient.unsafe(q.sql, q.params as never[], { prepare: options?.prepare ?? false })) as unknown as T[];
    };
  const db: Db = {
    kind: 'postgres',
    rows: (query, options) => pool.use((client) => rowsOn(client)(query, options)),
    transaction: (work) => pool.use((client, retired) => transactionOn(client, (tx) => work({ kind: 'postgres', rows: rowsOn(tx) }), retired)),
    async migrate() {
      const client = pool.client;
      await client.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}`);
      await migratePostgres(drizzlePostgres({ client, schema }), { migrationsFolder, migrationsSchema: schemaName });
    },
    async close() {
      // Buffered catalog counts go out before the connections do (unsummarized deltas are durable).
      stopSummarizer(db);
      stopMaintenance(db);
      await flushCatalog(db);
      await pool.end(5);
    },
    describe() {
      const u = new URL(url);
      return `postgres://${u.host}${u.pathname}${schemaName === 'public' ? '' : ` (schema ${schemaName})`}`;
    },
  };
  return db;
}

function describePglite(dataDir: string): string {
  return dataDir.startsWith('memory://') ? 'PGlite (in memory)' : `PGlite at ${path.resolve(dataDir)}`;
}

/**
 * PGlite in a worker thread: statements are rendered here (the same text and
 * parameters drizzle's PGlite driver would send) and run there, so the event
 * loop stays free while Postgres computes.
 */
async function createPgliteWorkerDb(dataDir: string, schemaName: string, migrationsFolder: string, profile: boolean): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const host = await PgliteHost.start({ dataDir: inMemory ? null : path.resolve(dataDir), schemaName, profile });
  const dialect = new PgDialect();
  const rowsIn =
    (txId?: number) =>
    async <T extends Record<string, unknown>>(query: SQL, options?: RowsOptions): Promise<T[]> => {
      const q = dialect.sqlToQuery(query);
      return (await host.query(q.sql, q.params, txId, options?.prepare ?? false)) as T[];
    };
  const db: Db = {
    kind: 'pglite',
    rows: rowsIn(),
    transaction: (work) => host.transaction((txId) => work({ kind: 'pglite', rows: rowsIn(txId) })),
    migrate: () => host.migrate(migrationsFolder, schemaName),
    async close() {
      // Buffered catalog counts go out before the worker does.
      stopSummarizer(db);
      stopMaintenance(db);
      try {
        await flushCatalog(db);
      } finally {
        await host.close();
      }
    },
    describe: () => describePglite(dataDir),
    workerStats: () => host.stats(),
  };
  return db;
}

async function createPgliteInThreadDb(dataDir: string, schemaName: string, migrationsFolder: string): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) fs.mkdirSync(dataDir, { recursive: true });
  // int8 (OID 20) always as bigint, like postgres.js above; PGlite's default
  // returns a number when it fits, which would make result types driver-dependent.
  const client = await PGlite.create({
    dataDir: inMemory ? undefined : dataDir,
    parsers: { 20: (value: string) => BigInt(value) },
  });
  if (schemaName !== 'public') {
    await client.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}; SET search_path TO ${quoteIdent(schemaName)}, public;`);
  }
  const orm = drizzlePglite({ client, schema });
  const db: Db = {
    kind: 'pglite',
    rows: makeRows(orm),
    transaction: (work) => orm.transaction((tx) => work({ kind: 'pglite', rows: makeRows(tx) })),
    async migrate() {
      await migratePglite(orm, { migrationsFolder, migrationsSchema: schemaName });
    },
    async close() {
      stopSummarizer(db);
      stopMaintenance(db);
      await flushCatalog(db);
      await client.close();
    },
    describe: () => describePglite(dataDir),
  };
  return db;
}
