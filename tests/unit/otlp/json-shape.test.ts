/** The uint64 reader of OTLP/JSON (times, fixed64 fields): its upper bound is exact. */
import { describe, expect, it } from 'vitest';
import { JsonShapeError, asU64 } from '../../../lib/otlp/json-shape';

describe('asU64', () => {
  it('takes the largest uint64 as a decimal string', () => {
    expect(asU64('18446744073709551615', 'x')).toBe(18446744073709551615n);
  });

  it('refuses 2^64, as a string and as a JSON number (the number is exact in a double)', () => {
    expect(() => asU64('18446744073709551616', 'x')).toThrow(JsonShapeError);
    expect(() => asU64(2 ** 64, 'x')).toThrow(JsonShapeError);
  });

  it('takes the largest double below 2^64 as a number', () => {
    const below = 2 ** 64 - 2 ** 11;
    expect(asU64(below, 'x')).toBe(BigInt(below));
  });
});
