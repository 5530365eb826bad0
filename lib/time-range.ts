/**
 * Time range parameters shared by the API, the pages and the CLI:
 * `since=30m` (relative to now) or `from=`/`to=` (ISO 8601, or epoch seconds /
 * milliseconds / nanoseconds told apart by their digit count). Absolute wins.
 */
import { parseSince } from './where/duration';

export type TimeRangeInput = { since?: string | null; from?: string | null; to?: string | null };
export type ResolvedRange = { fromNs?: bigint; toNs?: bigint };
export type RangeResult = { ok: true; range: ResolvedRange } | { ok: false; error: string };

const NS_PER_MS = 1_000_000n;

/** Parses one absolute instant to epoch nanoseconds, or null. */
export function parseInstant(text: string): bigint | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    if (t.length <= 11) return BigInt(t) * 1_000_000_000n; // seconds
    if (t.length <= 14) return BigInt(t) * NS_PER_MS; // milliseconds
    if (t.length <= 20) return BigInt(t); // nanoseconds
    return null;
  }
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : BigInt(ms) * NS_PER_MS;
}

export function resolveTimeRange(input: TimeRangeInput, nowMs: number = Date.now()): RangeResult {
  const range: ResolvedRange = {};
  if (input.from) {
    const v = parseInstant(input.from);
    if (v === null) return { ok: false, error: `invalid 'from': ${input.from} (use ISO 8601 or epoch ms)` };
    range.fromNs = v;
  }
  if (input.to) {
    const v = parseInstant(input.to);
    if (v === null) return { ok: false, error: `invalid 'to': ${input.to} (use ISO 8601 or epoch ms)` };
    range.toNs = v;
  }
  if (input.since && range.fromNs === undefined) {
    const ms = parseSince(input.since);
    if (ms === null) return { ok: false, error: `invalid 'since': ${input.since} (use e.g. 30m, 2h, 1d)` };
    range.fromNs = BigInt(Math.round(nowMs - ms)) * NS_PER_MS;
  }
  if (range.fromNs !== undefined && range.toNs !== undefined && range.fromNs >= range.toNs) {
    return { ok: false, error: "'from' must be before 'to'" };
  }
  return { ok: true, range };
}
