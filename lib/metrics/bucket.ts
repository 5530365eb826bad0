/**
 * Time buckets of the metrics series. Buckets are aligned to multiples of their
 * size since the Unix epoch (UTC), so the same range gives the same buckets on
 * every reload and in every shared link; the first and last bucket are clipped
 * to the range. `auto` picks the smallest "nice" size that gives at most
 * TARGET_MAX points, which (every step at most twice the one before) gives at
 * least TARGET_MAX / 2 points whenever the range allows it. Pure: browser and Node.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Nice bucket sizes in ms, each at most twice the previous one. */
export const BUCKET_LADDER_MS: readonly number[] = [
  1 * SECOND,
  2 * SECOND,
  3 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  1 * MINUTE,
  2 * MINUTE,
  3 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  1 * DAY,
  2 * DAY,
  4 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];

export const TARGET_MIN_POINTS = 60;
export const TARGET_MAX_POINTS = 120;
/** An explicit bucket giving more points than this is refused (the response would be huge). */
export const MAX_POINTS = 1500;

/** The smallest ladder size giving at most TARGET_MAX_POINTS buckets over `rangeMs` (the largest size for huge ranges). */
export function autoBucketMs(rangeMs: number): number {
  for (const size of BUCKET_LADDER_MS) if (Math.ceil(rangeMs / size) <= TARGET_MAX_POINTS) return size;
  return BUCKET_LADDER_MS[BUCKET_LADDER_MS.length - 1];
}

const UNIT_MS: Record<string, number> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

/** `auto` → null (choose from the range); `30s`, `1m`, `5m`, `1h`, `1d`, `1w` → ms; anything else → undefined. */
export function parseBucket(text: string | null | undefined): number | null | undefined {
  const t = (text ?? 'auto').trim();
  if (t === '' || t === 'auto') return null;
  const m = /^(\d+)(s|m|h|d|w)$/.exec(t);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms > 0 ? ms : undefined;
}

/** A size in ms as the shortest label: 300000 → `5m`, 86400000 → `1d`, 90000 → `90s`. */
export function formatBucket(ms: number): string {
  for (const [unit, size] of [
    ['w', 7 * DAY],
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export type BucketGrid = {
  /** Bucket size, ms. */
  sizeMs: number;
  /** Start of bucket 0 (aligned; may be before the range start), epoch ns. */
  originNs: bigint;
  /** Number of buckets covering [fromNs, toNs). */
  count: number;
};

const NS_PER_MS = 1_000_000n;

/** The aligned buckets covering [fromNs, toNs). */
export function bucketGrid(fromNs: bigint, toNs: bigint, sizeMs: number): BucketGrid {
  const size = BigInt(sizeMs) * NS_PER_MS;
  const floorDiv = (a: bigint) => (a >= 0n ? a / size : -((-a + size - 1n) / size));
  const originNs = floorDiv(fromNs) * size;
  const last = floorDiv(toNs - 1n);
  const count = toNs > fromNs ? Number(last - floorDiv(fromNs) + 1n) : 0;
  return { sizeMs, originNs, count };
}

/** Bounds of bucket `index`, clipped to the range: [from, to) in epoch ns. */
export function bucketBounds(grid: BucketGrid, index: number, range: { fromNs: bigint; toNs: bigint }): { fromNs: bigint; toNs: bigint } {
  const size = BigInt(grid.sizeMs) * NS_PER_MS;
  const start = grid.originNs + BigInt(index) * size;
  const end = start + size;
  return { fromNs: start < range.fromNs ? range.fromNs : start, toNs: end > range.toNs ? range.toNs : end };
}

/** The bucket size for a request: the explicit one, or auto over the range. */
export function chooseBucketMs(requested: number | null, fromNs: bigint, toNs: bigint): number {
  if (requested !== null) return requested;
  return autoBucketMs(Number((toNs - fromNs) / NS_PER_MS));
}
