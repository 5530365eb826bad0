/** zod validation of query strings → typed params, or a 400 naming the bad parameter. */
import type { z } from 'zod';
import { ApiError } from './errors';
import { type ResolvedRange, resolveTimeRange } from '../../lib/time-range';

/** A page's `searchParams` (after await), as Next.js hands them over. */
export type SearchParamsRecord = Record<string, string | string[] | undefined>;

/** A page's `searchParams` as URLSearchParams, every value of a repeated key kept in order. */
export function searchParamsFrom(record: SearchParamsRecord): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(record))
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(key, item);
  return out;
}

export type QueryRead<T> = { ok: true; data: T } | { ok: false; error: string };

/**
 * The query checked against `schema`: keys in `repeated` become arrays, any
 * other key takes its last value. Never throws; pages show `error`, routes
 * answer 400 with it (parseQuery).
 */
export function readQuery<S extends z.ZodType>(schema: S, params: URLSearchParams, repeated: string[] = ['where']): QueryRead<z.infer<S>> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (repeated.includes(key)) {
      const list = (raw[key] as string[] | undefined) ?? [];
      list.push(value);
      raw[key] = list;
    } else raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `'${issue.path.join('.')}': ` : '';
  return { ok: false, error: `invalid query parameter ${where}${issue?.message ?? 'invalid'}` };
}

/** readQuery for route handlers: the typed params, or an ApiError 400. */
export function parseQuery<S extends z.ZodType>(schema: S, params: URLSearchParams, repeated: string[] = ['where']): z.infer<S> {
  const read = readQuery(schema, params, repeated);
  if (!read.ok) throw new ApiError(400, read.error);
  return read.data;
}

export function rangeFromParams(params: { since?: string; from?: string; to?: string }): ResolvedRange {
  const resolved = resolveTimeRange(params);
  if (!resolved.ok) throw new ApiError(400, resolved.error);
  return resolved.range;
}
