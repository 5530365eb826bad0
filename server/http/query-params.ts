/** zod validation of query strings → typed params, or a 400 naming the bad parameter. */
import type { z } from 'zod';
import { ApiError } from './errors';
import { type ResolvedRange, resolveTimeRange } from '../../lib/time-range';

export function parseQuery<S extends z.ZodType>(schema: S, params: URLSearchParams, repeated: string[] = ['where']): z.infer<S> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (repeated.includes(key)) {
      const list = (raw[key] as string[] | undefined) ?? [];
      list.push(value);
      raw[key] = list;
    } else raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `'${issue.path.join('.')}': ` : '';
    throw new ApiError(400, `invalid query parameter ${where}${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export function rangeFromParams(params: { since?: string; from?: string; to?: string }): ResolvedRange {
  const resolved = resolveTimeRange(params);
  if (!resolved.ok) throw new ApiError(400, resolved.error);
  return resolved.range;
}
