/**
 * Where-box history: the last applied filters, newest first, kept in
 * localStorage under `tracedeck.whereHistory` as a JSON array of strings.
 * Pure helpers plus storage access that never throws (private mode, quota,
 * server rendering).
 */

export const HISTORY_STORAGE_KEY = 'tracedeck.whereHistory';
/** The /explore query box's own history (aggregate queries are not filters). */
export const QUERY_HISTORY_STORAGE_KEY = 'tracedeck.queryHistory';
export const HISTORY_LIMIT = 10;

/** `text` added to the front of `list`: blank texts ignored, an equal entry moved up, at most `limit` kept. */
export function pushHistory(list: readonly string[], text: string, limit = HISTORY_LIMIT): string[] {
  const entry = text.trim();
  if (entry === '') return list.slice(0, limit);
  return [entry, ...list.filter((x) => x !== entry)].slice(0, limit);
}

/** History from its stored JSON; anything malformed is dropped. */
export function parseHistory(raw: string | null | undefined, limit = HISTORY_LIMIT): string[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    const out: string[] = [];
    for (const item of value) {
      if (typeof item !== 'string' || item.trim() === '' || out.includes(item)) continue;
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  } catch {
    return [];
  }
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): StorageLike | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function loadHistory(storage: StorageLike | null = defaultStorage(), key = HISTORY_STORAGE_KEY): string[] {
  try {
    return parseHistory(storage?.getItem(key));
  } catch {
    return [];
  }
}

export function saveHistory(list: readonly string[], storage: StorageLike | null = defaultStorage(), key = HISTORY_STORAGE_KEY): void {
  try {
    storage?.setItem(key, JSON.stringify(list.slice(0, HISTORY_LIMIT)));
  } catch {
    // Storage full or disabled: history is a convenience, not state.
  }
}

/** Loads, pushes `text`, saves; returns the new list. */
export function rememberFilter(text: string, storage: StorageLike | null = defaultStorage(), key = HISTORY_STORAGE_KEY): string[] {
  const next = pushHistory(loadHistory(storage, key), text);
  saveHistory(next, storage, key);
  return next;
}
