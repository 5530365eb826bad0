/**
 * The query parameters every filtered read shares — `where`, `since`, `from`,
 * `to`, `limit`, `cursor` — defined once, for the API routes and the pages (and
 * the metrics request). Caps come from the grammar's own limits, so a request
 * the parser would take is never refused here first, nor the reverse.
 */
import { z } from 'zod';
import { MAX_FILTER_COUNT } from '../../lib/where';

/** Longest `cursor` accepted (an opaque token from a previous page, far shorter). */
export const MAX_CURSOR_LENGTH = 1024;

/**
 * Repeated `where` filters, ANDed. At most MAX_FILTER_COUNT, worded as the
 * parser words it; no length cap per text: the parser refuses past
 * MAX_FILTER_LENGTH and names the column.
 */
export const whereParam = z
  .array(z.string())
  .max(MAX_FILTER_COUNT, { error: (issue) => `too many filters (${(issue.input as unknown[]).length}; the limit is ${MAX_FILTER_COUNT})` })
  .default([]);

/** `since=30m` (relative to now) or `from=`/`to=` (see lib/time-range.ts, which checks them). */
export const timeRangeParams = {
  since: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
};

/** What a filtered read takes: the filters and the time range. */
export const filterParams = z.object({ where: whereParam, ...timeRangeParams });
export type FilterParams = z.infer<typeof filterParams>;

/** `limit`: a page size from 1 to `max`, `fallback` when absent. */
export function limitParam(max: number, fallback: number) {
  return z.coerce.number().int().min(1).max(max).default(fallback);
}

/** `cursor`: where the previous page ended. */
export const cursorParam = z.string().max(MAX_CURSOR_LENGTH).optional();
