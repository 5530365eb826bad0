/** Constant-time comparison over equal-length digests. */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { findByDigest, safeEqual, secretDigest } from '../../../server/auth/compare';

const compared = vi.hoisted(() => ({ lengths: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    compared.lengths.push([a.byteLength, b.byteLength]);
    return actual.timingSafeEqual(a, b);
  };
  return { ...actual, default: { ...actual, timingSafeEqual }, timingSafeEqual };
});

describe('safeEqual / findByDigest', () => {
  it('compares secrets of any lengths, always over two 32-byte digests', () => {
    compared.lengths = [];
    expect(safeEqual('same-secret-value', 'same-secret-value')).toBe(true);
    expect(safeEqual('same-secret-value', 'same-secret-valuf')).toBe(false);
    expect(safeEqual('short', 'a much longer secret value')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('ключ-ключ-ключ-ключ', 'ключ-ключ-ключ-ключ')).toBe(true);
    expect(compared.lengths).toEqual(Array(5).fill([32, 32]));
  });

  it('digests are keyed, 32 bytes whatever the input length', () => {
    expect(secretDigest('')).toHaveLength(32);
    expect(secretDigest('x'.repeat(10_000))).toHaveLength(32);
    expect(secretDigest('a').equals(secretDigest('a'))).toBe(true);
    expect(secretDigest('a').equals(createHash('sha256').update('a').digest())).toBe(false);
  });

  it('finds the matching entry after comparing against every entry (no early exit)', () => {
    const entries = ['first-key-aaaaaaaa', 'second-key-bbbbbbb', 'third-key-cccccccc'].map((k, i) => ({ digest: secretDigest(k), i }));
    for (const [candidate, expected] of [
      ['first-key-aaaaaaaa', 0],
      ['third-key-cccccccc', 2],
      ['nope', undefined],
    ] as const) {
      compared.lengths = [];
      expect(findByDigest(candidate, entries)?.i).toBe(expected);
      expect(compared.lengths).toHaveLength(entries.length);
    }
  });
});
