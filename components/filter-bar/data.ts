/**
 * Autocomplete data for the filter bar: the attribute catalog (fetched once
 * per page load) and a key's top values (cached per key + range + limit for a
 * minute). Browser-only fetches; no React here.
 */
import { normalizeKeys } from './suggestions';
import type { AttributeKey, ValueCount } from './suggestions';

export type RangeQuery = { since?: string; from?: string; to?: string };

let keysPromise: Promise<AttributeKey[]> | null = null;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message =
      typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
        ? (body as { error: string }).error
        : `HTTP ${res.status}`;
    throw new Error(message);
  }
  return body;
}

/** `GET /api/attributes`, once per page load (a failure is retried on the next call). */
export function loadAttributeKeys(): Promise<AttributeKey[]> {
  if (!keysPromise) {
    keysPromise = getJson('/api/attributes').then(normalizeKeys);
    keysPromise.catch(() => {
      keysPromise = null;
    });
  }
  return keysPromise;
}

/** `GET /api/attributes/{key}/values?since|from|to&limit` URL. */
export function valuesUrl(key: string, range: RangeQuery, limit: number): string {
  const params = new URLSearchParams();
  if (range.since) params.set('since', range.since);
  if (range.from) params.set('from', range.from);
  if (range.to) params.set('to', range.to);
  params.set('limit', String(limit));
  return `/api/attributes/${encodeURIComponent(key)}/values?${params.toString()}`;
}

/** Values from the `GET /api/attributes/{key}/values` body; malformed entries skipped. */
export function normalizeValues(body: unknown): ValueCount[] {
  const list = typeof body === 'object' && body !== null ? (body as { values?: unknown }).values : undefined;
  if (!Array.isArray(list)) return [];
  const out: ValueCount[] = [];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const { value, count } = item as { value?: unknown; count?: unknown };
    if (typeof value !== 'string') continue;
    out.push({ value, count: typeof count === 'number' && Number.isFinite(count) ? count : 0 });
  }
  return out;
}

export const VALUES_TTL_MS = 60_000;
const MAX_CACHED = 200;

type Entry = { at: number; promise: Promise<ValueCount[]>; values: ValueCount[] | null };
const valuesCache = new Map<string, Entry>();

/** Values last loaded for the URL (possibly older than the TTL), or null. */
export function peekValues(url: string): ValueCount[] | null {
  return valuesCache.get(url)?.values ?? null;
}

export function isFresh(url: string, now = Date.now()): boolean {
  const e = valuesCache.get(url);
  return e !== undefined && now - e.at < VALUES_TTL_MS;
}

/** Loads (or reuses a fresh / in-flight load of) the values at `url`. */
export function loadValues(url: string): Promise<ValueCount[]> {
  const hit = valuesCache.get(url);
  if (hit && Date.now() - hit.at < VALUES_TTL_MS) return hit.promise;
  const entry: Entry = { at: Date.now(), promise: Promise.resolve([]), values: hit?.values ?? null };
  entry.promise = getJson(url)
    .then(normalizeValues)
    .then((values) => {
      entry.values = values;
      return values;
    });
  entry.promise.catch(() => {
    if (valuesCache.get(url) === entry) valuesCache.delete(url);
  });
  valuesCache.delete(url);
  valuesCache.set(url, entry);
  while (valuesCache.size > MAX_CACHED) {
    const oldest = valuesCache.keys().next().value;
    if (oldest === undefined) break;
    valuesCache.delete(oldest);
  }
  return entry.promise;
}
