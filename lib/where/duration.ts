/**
 * Duration literals of the `where` grammar (`250ms`, `1.5s`, `2m`, `1h`, `1d`,
 * `10us`, `5ns`) and the `--since` window syntax (`30s`, `5m`, `2h`, `1d`, `1w`).
 * Pure: runs in the browser and in Node.
 */

const NANOS_PER_UNIT = {
  ns: 1,
  us: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  h: 3_600_000_000_000,
  d: 86_400_000_000_000,
} as const;
export type DurationUnit = keyof typeof NANOS_PER_UNIT;

/** Unsigned decimal (no exponent) followed by a lowercase unit. Longest units first. */
const DURATION_RE = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h|d)$/;

/**
 * `'250ms'` → 250000000. Returns nanoseconds rounded to an integer, or null when
 * the text is not a duration literal (units are case-sensitive; no sign, no
 * exponent, no surrounding whitespace). Values beyond 2^53 ns (~104 days) are
 * returned but lose precision; a value that overflows to Infinity gives null.
 */
export function parseDurationLiteral(text: string): number | null {
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  const nanos = Math.round(Number(m[1]) * NANOS_PER_UNIT[m[2] as DurationUnit]);
  return Number.isFinite(nanos) ? nanos : null;
}

/** True when `text` is written as a duration literal. */
export function isDurationLiteral(text: string): boolean {
  return parseDurationLiteral(text) !== null;
}

const FORMAT_UNITS: ReadonlyArray<[DurationUnit, number]> = [
  ['d', NANOS_PER_UNIT.d],
  ['h', NANOS_PER_UNIT.h],
  ['m', NANOS_PER_UNIT.m],
  ['s', NANOS_PER_UNIT.s],
  ['ms', NANOS_PER_UNIT.ms],
  ['us', NANOS_PER_UNIT.us],
  ['ns', NANOS_PER_UNIT.ns],
];

/**
 * Human-readable duration using the largest unit the value reaches:
 * 1_500_000_000 → `1.5s`, 250_000_000 → `250ms`, 90e9 → `1.5m`, 0 → `0ns`.
 * At most `maxDecimals` (default 3) decimals, trailing zeros dropped.
 * For non-negative finite integers with `exact: true`, the result always parses
 * back (via parseDurationLiteral) to the same number of nanoseconds.
 */
export function formatDurationNanos(nanos: number, opts: { maxDecimals?: number; exact?: boolean } = {}): string {
  if (!Number.isFinite(nanos)) return String(nanos);
  if (nanos < 0) return '-' + formatDurationNanos(-nanos, opts);
  if (nanos === 0) return '0ns';
  const maxDecimals = opts.maxDecimals ?? 3;
  for (const [unit, size] of FORMAT_UNITS) {
    if (nanos < size) continue;
    if (opts.exact) {
      // Largest unit in which the value is written exactly with few decimals.
      const text = trimZeros((nanos / size).toFixed(maxDecimals));
      if (parseDurationLiteral(text + unit) === Math.round(nanos)) return text + unit;
      continue;
    }
    return trimZeros((nanos / size).toFixed(maxDecimals)) + unit;
  }
  // Fractional nanoseconds (only reachable for 0 < nanos < 1).
  return trimZeros(nanos.toFixed(maxDecimals)) + 'ns';
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const MS_PER_SINCE_UNIT = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;
const SINCE_RE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;

/**
 * `--since` window: `30s`, `5m`, `2h`, `1d`, `1w` (decimals allowed, e.g. `1.5h`)
 * → milliseconds, or null when malformed. Surrounding whitespace is ignored;
 * units are lowercase.
 */
export function parseSince(text: string): number | null {
  if (typeof text !== 'string') return null;
  const m = SINCE_RE.exec(text.trim());
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * MS_PER_SINCE_UNIT[m[2] as keyof typeof MS_PER_SINCE_UNIT]);
  return Number.isFinite(ms) ? ms : null;
}
