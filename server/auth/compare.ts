/**
 * Constant-time secret comparison. Every secret is first reduced to an HMAC-SHA256
 * digest under a key drawn once per process, so the comparison always runs over two
 * 32-byte buffers (crypto.timingSafeEqual needs equal lengths, and comparing digests
 * leaks neither the length nor a common prefix of the configured key). The digests of
 * the configured keys are computed once, at configuration load.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const DIGEST_KEY = randomBytes(32);

export function secretDigest(secret: string): Buffer {
  return createHmac('sha256', DIGEST_KEY).update(secret, 'utf8').digest();
}

/** True when the two secrets are equal; time does not depend on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(secretDigest(a), secretDigest(b));
}

/**
 * The entry whose digest matches the candidate, or null. Every entry is compared
 * (no early exit), so the time does not tell which entry, if any, matched.
 */
export function findByDigest<T extends { digest: Buffer }>(candidate: string, entries: readonly T[]): T | null {
  const digest = secretDigest(candidate);
  let found: T | null = null;
  for (const entry of entries) {
    const equal = timingSafeEqual(digest, entry.digest);
    if (equal && found === null) found = entry;
  }
  return found;
}
