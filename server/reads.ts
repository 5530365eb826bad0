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
import { spanCosts, summaryCost } from '../lib/pricing/trace-cost';
import type { CostFigure } from '../lib/pricing/types';
import { pricing } from './pricing';

/** `query(db, args)` as `query(args)` on the process database. */
function onProcessDb<A, R>(query: (db: Db, args: A) => Promise<R>): (args: A) => Promise<R> {
  return async (args) => query(await getDb(), args);
}

/** A trace page's costs: per span (each at its own start and model) and the trace's sum, with their sources. */
export type TraceCosts = { total: CostFigure | null; bySpan: Record<string, CostFigure>; unpricedSpans: number };

/** The trace list, each trace's cost priced now (reported, computed from the price book in force, or unknown). */
export async function listTraces(args: list.ListTracesArgs): ReturnType<typeof list.listTraces> {
  const page = await list.listTraces(await getDb(), args);
  const { book } = pricing();
  return { ...page, traces: page.traces.map((t) => ({ ...t, cost: summaryCost(t, book) })) };
}
export const findTrace = onProcessDb(traces.findTrace);
/** A trace's spans and summaries, with the costs priced now from the spans themselves. */
export async function getTraceView(args: Parameters<typeof traces.getTraceView>[1]): Promise<traces.TraceLookup & { costs?: TraceCosts }> {
  const found = await traces.getTraceView(await getDb(), args);
  if (found.status !== 'found') return found;
  const costs = spanCosts(found.spans, pricing().book);
  return { ...found, summaries: found.summaries.map((t) => ({ ...t, cost: costs.total })), costs };
}
export const matchSpans = onProcessDb(traces.matchSpans);
export const getTraceForExport = onProcessDb(traces.getTraceForExport);
export const listAttributeKeys = onProcessDb(attributes.listAttributeKeys);
export const listTenantAttributeKeys = onProcessDb(attributes.listTenantAttributeKeys);
export const listAttributeValues = onProcessDb(attributes.listAttributeValues);
