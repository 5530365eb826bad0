/**
 * The trace list's order and keyset cursor, as the URL, the API and the CLI spell them:
 * `sort=-start|start|-duration|duration|-cost|cost`, and an opaque base64url cursor
 * naming the last row of a page (sort value, trace id, tenant id: a total order).
 * The SQL that sorts and pages by them is in db/queries/list-traces.ts.
 */

export const SORT_KEYS = ['start', 'duration', 'cost'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type TraceSort = { key: SortKey; direction: 'asc' | 'desc' };

export const DEFAULT_SORT: TraceSort = { key: 'start', direction: 'desc' };

/** `-start` (default), `start`, `-duration`, `duration`, `-cost`, `cost`. */
export function parseSort(text: string | null | undefined): TraceSort | null {
  if (!text) return DEFAULT_SORT;
  const direction = text.startsWith('-') ? 'desc' : 'asc';
  const key = text.replace(/^[-+]/, '') as SortKey;
  return SORT_KEYS.includes(key) ? { key, direction } : null;
}

export function formatSort(sort: TraceSort): string {
  return `${sort.direction === 'desc' ? '-' : ''}${sort.key}`;
}

export type TraceCursor = { sort: SortKey; value: string; traceId: string; tenantId: string };

export function encodeCursor(c: TraceCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.value, c.traceId, c.tenantId])).toString('base64url');
}

export function decodeCursor(text: string): TraceCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === 'string')) return null;
    const [sort, value, traceId, tenantId] = parsed as string[];
    if (!SORT_KEYS.includes(sort as SortKey) || !/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(value) || !/^[0-9a-f]{32}$/.test(traceId)) return null;
    return { sort: sort as SortKey, value, traceId, tenantId };
  } catch {
    return null;
  }
}
