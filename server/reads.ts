/**
 * The reads behind the pages and the read API, on the process database (server/db.ts).
 * Route handlers and pages call these instead of db/queries, so app/ never holds a
 * database handle. Each is the db/queries function of the same name, bound to getDb();
 * the caller still passes the reader's tenant scope, which every query applies in SQL.
 */
import type { Db } from '../db/client';
import * as attributes from '../db/queries/attributes';
import * as traces from '../db/queries/get-trace';
import * as list from '../db/queries/list-traces';
import { getDb } from './db';

/** `query(db, args)` as `query(args)` on the process database. */
function onProcessDb<A, R>(query: (db: Db, args: A) => Promise<R>): (args: A) => Promise<R> {
  return async (args) => query(await getDb(), args);
}

export const listTraces = onProcessDb(list.listTraces);
export const findTrace = onProcessDb(traces.findTrace);
export const getTraceView = onProcessDb(traces.getTraceView);
export const matchSpans = onProcessDb(traces.matchSpans);
export const getTraceForExport = onProcessDb(traces.getTraceForExport);
export const listAttributeKeys = onProcessDb(attributes.listAttributeKeys);
export const listTenantAttributeKeys = onProcessDb(attributes.listTenantAttributeKeys);
export const listAttributeValues = onProcessDb(attributes.listAttributeValues);
