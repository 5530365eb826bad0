/**
 * EXPLAIN (ANALYZE, BUFFERS) of exactly what GET /api/traces runs for a set of
 * query parameters. The SQL comes from the project's own code path — the route's
 * zod schema, where parser + compiler, time range, and listTraces itself, handed
 * a db that records statements instead of running them — so it follows any change
 * to the schema, the compiler or the list query without a copy of their SQL here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { listTracesQuery } from '../app/api/traces/schema';
import type { Db } from '../db/client';
import { listTraces } from '../db/queries/list-traces';
import { parseSort } from '../lib/trace/list-order';
import { serverConfig } from '../server/config';
import { parseQuery, rangeFromParams } from '../server/http/query-params';
import { traceFilterFromParams } from '../server/http/where-params';
import { OUT_DIR } from './workload-files';

/** The statements listTraces issues for these GET /api/traces parameters (first page). */
export async function listTracesStatements(params: URLSearchParams): Promise<SQL[]> {
  const q = parseQuery(listTracesQuery, params);
  const filter = traceFilterFromParams(q.where, serverConfig().tenantKey);
  const sort = parseSort(q.sort);
  if (!sort) throw new Error(`invalid sort ${q.sort}`);
  const statements: SQL[] = [];
  const recorder = {
    rows: async <T extends Record<string, unknown>>(query: SQL): Promise<T[]> => {
      statements.push(query);
      return [];
    },
  };
  await listTraces(recorder, { filter: filter.sql, range: rangeFromParams(q), sort, limit: q.limit });
  return statements;
}

/** Runs the plan of each statement on `db` and writes them, with the SQL and its parameters, to bench/out/<name>.txt. */
export async function explainToFile(db: Pick<Db, 'rows'>, params: URLSearchParams, name: string, header: string[]): Promise<string> {
  const dialect = new PgDialect();
  const parts = [...header.map((h) => `-- ${h}`), `-- GET /api/traces?${params}`, ''];
  for (const statement of await listTracesStatements(params)) {
    const query = dialect.sqlToQuery(statement);
    const plan = await db.rows<Record<string, unknown>>(sql`EXPLAIN (ANALYZE, BUFFERS) ${statement}`);
    parts.push(query.sql.trim(), `-- parameters: ${JSON.stringify(query.params)}`, '', ...plan.map((r) => String(Object.values(r)[0])), '');
  }
  const file = path.join(OUT_DIR, `${name}.txt`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(file, parts.join('\n'));
  return file;
}
