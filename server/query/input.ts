/**
 * GET /api/query parameters → the typed input of the query service (./service.ts):
 * `q` (an aggregate query, lib/where/pipeline.ts), the range (`since` | `from`/`to`,
 * default the last 24 h), `step` (time buckets: 1m, 5m, 1h, … or auto) and `limit`
 * (groups kept before the rest fold into "other"). A bad query is a 400 with its column.
 */
import { z } from 'zod';
import { parseBucket } from '../../lib/metrics/bucket';
import { MAX_FILTER_LENGTH, checkQuery } from '../../lib/where';
import type { QueryExpr } from '../../lib/where';
import { ApiError } from '../http/errors';
import { timeRangeParams } from '../http/params';
import { parseQuery as readParams } from '../http/query-params';
import { metricsBucket, metricsRange } from '../metrics/input';

export const DEFAULT_GROUP_LIMIT = 20;
export const MAX_GROUP_LIMIT = 500;

export const queryParamsSchema = z.object({
  // The parser names the column past its own limit; this cap only keeps the URL sane.
  q: z.string({ error: "missing 'q' (an aggregate query such as '| by(llm.model) count()')" }).max(MAX_FILTER_LENGTH * 2),
  ...timeRangeParams,
  step: z.string().max(16).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_GROUP_LIMIT).default(DEFAULT_GROUP_LIMIT),
});

export type QueryInput = {
  query: QueryExpr;
  range: { fromNs: bigint; toNs: bigint };
  /** Bucket size in ms, or null (one row per group); `auto` when chosen from the range. */
  step: { ms: number; auto: boolean } | null;
  limit: number;
};

/** The query text parsed and validated: its AST, or a 400 `{error, column, length}`. */
export function checkedQuery(text: string): QueryExpr {
  const checked = checkQuery(text);
  const first = checked.diagnostics[0];
  if (first || !checked.ast) throw new ApiError(400, first?.message ?? 'invalid query', first ? { column: first.column, length: first.length } : {});
  return checked.ast;
}

export function parseQueryParams(params: URLSearchParams, nowMs: number = Date.now()): QueryInput {
  const p = readParams(queryParamsSchema, params, []);
  const query = checkedQuery(p.q);
  const range = metricsRange({ since: p.since, from: p.from, to: p.to }, nowMs);
  let step: QueryInput['step'] = null;
  if (p.step !== undefined && p.step.trim() !== '') {
    const requested = parseBucket(p.step);
    if (requested === undefined) throw new ApiError(400, `invalid step '${p.step}' (use auto, or a size such as 1m, 5m, 1h, 1d)`);
    step = metricsBucket(range, requested, true);
  }
  return { query, range, step, limit: p.limit };
}
