import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDurationNanos, parseDurationLiteral, parseSince } from '../../../lib/where';

describe('parseDurationLiteral', () => {
  it.each([
    ['250ms', 250_000_000],
    ['1.5s', 1_500_000_000],
    ['2m', 120_000_000_000],
    ['1h', 3_600_000_000_000],
    ['1d', 86_400_000_000_000],
    ['10us', 10_000],
    ['5ns', 5],
    ['0s', 0],
    ['0.5ns', 1],
    ['1.0005ms', 1_000_500],
  ])('%s → %d ns', (text, nanos) => {
    expect(parseDurationLiteral(text)).toBe(nanos);
  });

  it.each([['250'], ['ms'], ['-1s'], ['1e3ms'], [' 1s'], ['1s '], ['1S'], ['1.s'], ['.5s'], ['1w'], ['1 s'], ['1sec'], ['1ms1']])('rejects %j', (text) => {
    expect(parseDurationLiteral(text)).toBeNull();
  });

  it('returns null instead of Infinity', () => {
    expect(parseDurationLiteral('9'.repeat(400) + 'd')).toBeNull();
  });
});

describe('formatDurationNanos', () => {
  it.each([
    [0, '0ns'],
    [5, '5ns'],
    [10_000, '10us'],
    [250_000_000, '250ms'],
    [1_500_000_000, '1.5s'],
    [90_000_000_000, '1.5m'],
    [3_600_000_000_000, '1h'],
    [172_800_000_000_000, '2d'],
    [1_234_567, '1.235ms'],
    [-2_000_000_000, '-2s'],
  ])('%d ns → %s', (nanos, text) => {
    expect(formatDurationNanos(nanos)).toBe(text);
  });

  it('honours maxDecimals', () => {
    expect(formatDurationNanos(1_234_567, { maxDecimals: 1 })).toBe('1.2ms');
  });

  it('exact mode picks a unit that spells the value exactly', () => {
    expect(formatDurationNanos(1_234_567, { exact: true })).toBe('1234.567us');
    expect(formatDurationNanos(1_500_000_001, { exact: true })).toBe('1500000.001us');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseDurationLiteral(formatDurationNanos(n, { exact: true }))).toBe(n);
      }),
    );
  });
});

describe('parseSince', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1.5h', 5_400_000],
    [' 15m ', 900_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseSince(text)).toBe(ms);
  });

  it.each([[''], ['30'], ['m'], ['-5m'], ['5M'], ['5ms'], ['1y'], ['5 m'], ['abc']])('rejects %j', (text) => {
    expect(parseSince(text)).toBeNull();
  });
});
