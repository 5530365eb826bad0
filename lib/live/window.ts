/**
 * The live view's window: how far back from now it looks. The page offers 5 min, 1 h and
 * 24 h; the API and `tracedeck obs --since` take any `since` up to 24 h, which keeps every
 * read to at most two daily partitions of `traces`.
 */
import { parseSince } from '../where/duration';

export const LIVE_WINDOWS = [
  { since: '5m', label: '5 min' },
  { since: '1h', label: '1 h' },
  { since: '24h', label: '24 h' },
] as const;

export const DEFAULT_LIVE_SINCE = '5m';
export const MAX_LIVE_WINDOW_MS = 24 * 3_600_000;

/** The window in milliseconds, or the message naming what is wrong with it. */
export function parseLiveSince(text: string | null | undefined): { ok: true; ms: number; since: string } | { ok: false; error: string } {
  const since = (text ?? '').trim() || DEFAULT_LIVE_SINCE;
  const ms = parseSince(since);
  if (ms === null || ms <= 0) return { ok: false, error: `invalid 'since': ${since} (use e.g. 5m, 1h, 24h)` };
  if (ms > MAX_LIVE_WINDOW_MS)
    return { ok: false, error: `'since' must be at most 24h for the live view (got ${since}); use the trace list or the charts for longer ranges` };
  return { ok: true, ms, since };
}
