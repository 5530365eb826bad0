/**
 * Plain SQL on a benchmark database, the same on both engines: a Postgres schema
 * (through postgres.js, search_path set to it) or a PGlite folder (opened in this
 * process, so only while no server has it open). Raw drivers rather than db/client:
 * measuring must not start anything the app's client may run in the background.
 */
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

export type BenchDatabase = { db: 'postgres'; databaseUrl: string; schema: string } | { db: 'pglite'; dataDir: string };

export type BenchSql = {
  /** The schema the app's tables are in ('public' on PGlite). */
  schema: string;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
};

export async function openBenchSql(target: BenchDatabase): Promise<BenchSql> {
  if (target.db === 'postgres') {
    const client = postgres(target.databaseUrl, { max: 1, onnotice: () => {}, connection: { search_path: target.schema } });
    return {
      schema: target.schema,
      query: async <T>(text: string, params: unknown[] = []) => (await client.unsafe(text, params as never[])) as unknown as T[],
      close: () => client.end(),
    };
  }
  return pgliteSql(await PGlite.create({ dataDir: target.dataDir }));
}

/** An open PGlite as BenchSql (its tables are in 'public'). */
export function pgliteSql(pg: PGlite): BenchSql {
  return {
    schema: 'public',
    query: async <T>(text: string, params: unknown[] = []) => (await pg.query<T>(text, params)).rows,
    close: () => pg.close(),
  };
}

/** Whether a table (or partitioned table) of that name exists in the schema. */
export async function tableExists(sql: BenchSql, name: string): Promise<boolean> {
  const [row] = await sql.query<{ found: boolean }>(`SELECT to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL AS found`, [sql.schema, name]);
  return row.found;
}
