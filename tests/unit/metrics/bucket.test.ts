import { describe, expect, it } from 'vitest';
import {
  BUCKET_LADDER_MS,
  MAX_POINTS,
  TARGET_MAX_POINTS,
  TARGET_MIN_POINTS,
  autoBucketMs,
  bucketBounds,
  bucketGrid,
  chooseBucketMs,
  formatBucket,
  parseBucket,
} from '../../../lib/metrics/bucket';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

describe('auto bucket', () => {
  it.each([
    [15 * MIN, 10_000],
    [HOUR, 30_000],
    [2 * HOUR, MIN],
    [6 * HOUR, 3 * MIN],
    [DAY, 15 * MIN],
    [7 * DAY, 2 * HOUR],
    [30 * DAY, 6 * HOUR],
  ])('a %d ms range gets %d ms buckets', (range, expected) => {
    expect(autoBucketMs(range)).toBe(expected);
  });

  it('gives 60–120 points for every range from 1 minute to 3 years', () => {
    for (let range = MIN; range <= 3 * 365 * DAY; range = Math.round(range * 1.07)) {
      const points = Math.ceil(range / autoBucketMs(range));
      expect(points, `range ${range} ms`).toBeLessThanOrEqual(TARGET_MAX_POINTS);
      expect(points, `range ${range} ms`).toBeGreaterThanOrEqual(TARGET_MIN_POINTS);
    }
  });

  it('each ladder step is at most twice the one before (which is what guarantees the 60-point floor)', () => {
    for (let i = 1; i < BUCKET_LADDER_MS.length; i++) expect(BUCKET_LADDER_MS[i] / BUCKET_LADDER_MS[i - 1]).toBeLessThanOrEqual(2);
  });

  it('tiny ranges get the smallest bucket; explicit sizes win over auto', () => {
    expect(autoBucketMs(5_000)).toBe(1_000);
    expect(chooseBucketMs(null, 0n, ns(2 * HOUR))).toBe(MIN);
    expect(chooseBucketMs(5 * MIN, 0n, ns(2 * HOUR))).toBe(5 * MIN);
  });
});

describe('bucket parameter', () => {
  it('parses auto and sizes, refuses anything else', () => {
    expect(parseBucket('auto')).toBeNull();
    expect(parseBucket(undefined)).toBeNull();
    expect(parseBucket('')).toBeNull();
    expect(parseBucket('1m')).toBe(MIN);
    expect(parseBucket('5m')).toBe(5 * MIN);
    expect(parseBucket('1h')).toBe(HOUR);
    expect(parseBucket('1d')).toBe(DAY);
    expect(parseBucket('30s')).toBe(30_000);
    expect(parseBucket('1w')).toBe(7 * DAY);
    for (const bad of ['0m', '5', 'm', '1.5h', '-1m', '1y', 'auto2']) expect(parseBucket(bad), bad).toBeUndefined();
  });

  it('formats sizes with the largest whole unit', () => {
    expect(formatBucket(5 * MIN)).toBe('5m');
    expect(formatBucket(DAY)).toBe('1d');
    expect(formatBucket(90_000)).toBe('90s');
    expect(formatBucket(2 * HOUR)).toBe('2h');
    expect(MAX_POINTS).toBeGreaterThan(TARGET_MAX_POINTS);
  });
});

describe('bucket grid', () => {
  it('aligns buckets to multiples of the size and clips the first and last to the range', () => {
    const from = ns(Date.UTC(2025, 0, 1, 10, 2, 30));
    const to = ns(Date.UTC(2025, 0, 1, 10, 17, 0));
    const grid = bucketGrid(from, to, 5 * MIN);
    expect(grid.originNs).toBe(ns(Date.UTC(2025, 0, 1, 10, 0, 0)));
    expect(grid.count).toBe(4); // 10:00 (clipped from 10:02:30), 10:05, 10:10, 10:15 (clipped to 10:17)
    expect(bucketBounds(grid, 0, { fromNs: from, toNs: to })).toEqual({ fromNs: from, toNs: ns(Date.UTC(2025, 0, 1, 10, 5)) });
    expect(bucketBounds(grid, 3, { fromNs: from, toNs: to })).toEqual({ fromNs: ns(Date.UTC(2025, 0, 1, 10, 15)), toNs: to });
  });

  it('a range ending exactly on a boundary has no empty trailing bucket', () => {
    const grid = bucketGrid(ns(0), ns(HOUR), 5 * MIN);
    expect(grid.count).toBe(12);
  });
});
