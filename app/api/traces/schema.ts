import { z } from 'zod';

/** Query parameters of GET /api/traces (repeated `where` are ANDed). */
export const listTracesQuery = z.object({
  // No length cap here: the where parser refuses past MAX_FILTER_LENGTH with the column.
  where: z.array(z.string()).max(32).default([]),
  since: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(1024).optional(),
  /** -start (default), start, -duration, duration, -cost, cost */
  sort: z.string().max(16).optional(),
});
