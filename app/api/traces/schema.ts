import { z } from 'zod';
import { cursorParam, filterParams, limitParam } from '@/server/http/params';

/** Query parameters of GET /api/traces (repeated `where` are ANDed). */
export const listTracesQuery = filterParams.extend({
  limit: limitParam(1000, 50),
  cursor: cursorParam,
  /** -start (default), start, -duration, duration, -cost, cost */
  sort: z.string().max(16).optional(),
});
