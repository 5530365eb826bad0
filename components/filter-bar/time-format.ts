/**
 * Time range presets and display for the range picker. Pure; every date is
 * shown and edited in UTC so server and browser render the same text.
 */
import type { FilterState } from '@/lib/filter-state';
import { parseInstant } from '@/lib/time-range';
import { parseSince } from '@/lib/where/duration';

export const SINCE_PRESETS = [
  { since: '15m', label: 'Last 15 minutes' },
  { since: '1h', label: 'Last 1 hour' },
  { since: '6h', label: 'Last 6 hours' },
  { since: '24h', label: 'Last 24 hours' },
  { since: '7d', label: 'Last 7 days' },
] as const;

const UNIT_WORDS: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

/** `1h` → `Last 1 hour`, `30d` → `Last 30 days`; a malformed since is shown as written. */
export function describeSince(since: string): string {
  const preset = SINCE_PRESETS.find((p) => p.since === since);
  if (preset) return preset.label;
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(since.trim());
  if (!m || parseSince(since) === null) return `Last ${since}`;
  const [one, many] = UNIT_WORDS[m[2]];
  return `Last ${m[1]} ${Number(m[1]) === 1 ? one : many}`;
}

/** Epoch milliseconds of an instant (ISO or epoch digits, see lib/time-range), or null. */
export function instantMs(text: string | null | undefined): number | null {
  if (!text) return null;
  const ns = parseInstant(text);
  return ns === null ? null : Number(ns / 1_000_000n);
}

/** `YYYY-MM-DD HH:mm` in UTC (seconds shown only when not zero). */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds !== '00' ? `:${seconds}` : ''}`;
}

/**
 * The active range, readably: `Last 24 hours`, `2025-05-01 10:00 → 12:30 UTC`
 * (the date once when both ends share it), `Since 2025-05-01 10:00 UTC`,
 * `Until …`, or `All time` when nothing is set. `from` wins over `since`, as
 * in the API.
 */
export function describeRange(state: Pick<FilterState, 'since' | 'from' | 'to'>): string {
  const from = instantMs(state.from);
  const to = instantMs(state.to);
  if (state.from && from === null) return `Invalid range (from ${state.from})`;
  if (state.to && to === null) return `Invalid range (to ${state.to})`;
  if (from !== null && to !== null) {
    const a = formatUtc(from);
    const b = formatUtc(to);
    return a.slice(0, 10) === b.slice(0, 10) ? `${a} → ${b.slice(11)} UTC` : `${a} → ${b} UTC`;
  }
  if (from !== null) return `Since ${formatUtc(from)} UTC`;
  if (state.since) return to !== null ? `${describeSince(state.since)} until ${formatUtc(to)} UTC` : describeSince(state.since);
  if (to !== null) return `Until ${formatUtc(to)} UTC`;
  return 'All time';
}

/** Value for an `<input type="datetime-local">` showing the instant in UTC (`YYYY-MM-DDTHH:mm`), or ''. */
export function toDateTimeLocalUtc(text: string | null | undefined): string {
  const ms = instantMs(text);
  return ms === null ? '' : msToDateTimeLocalUtc(ms);
}

export function msToDateTimeLocalUtc(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return iso.slice(17, 19) === '00' ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** `datetime-local` value read as UTC → ISO 8601 (`…Z`), or null when blank/invalid. */
export function fromDateTimeLocalUtc(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '0').padEnd(3, '0')}Z`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Checks a custom range typed in the picker (both `datetime-local` values in
 * UTC). At least one end is needed; both given → from before to.
 */
export function customRange(fromLocal: string, toLocal: string): { ok: true; from: string | null; to: string | null } | { ok: false; error: string } {
  const from = fromLocal.trim() === '' ? null : fromDateTimeLocalUtc(fromLocal);
  const to = toLocal.trim() === '' ? null : fromDateTimeLocalUtc(toLocal);
  if (fromLocal.trim() !== '' && from === null) return { ok: false, error: 'The start is not a valid date and time' };
  if (toLocal.trim() !== '' && to === null) return { ok: false, error: 'The end is not a valid date and time' };
  if (from === null && to === null) return { ok: false, error: 'Give a start, an end or both' };
  if (from !== null && to !== null && Date.parse(from) >= Date.parse(to)) return { ok: false, error: 'The start must be before the end' };
  return { ok: true, from, to };
}
