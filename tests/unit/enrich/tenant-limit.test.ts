import { describe, expect, it } from 'vitest';
import { MAX_TENANT_ID_LENGTH, rejectOverlongTenants } from '../../../lib/enrich/tenant-limit';
import type { RejectedSpan, SpanRecord } from '../../../lib/otlp';
import { spanRecord } from '../../support/span-record';

/** A span named `name` whose span and resource attributes carry the given tenant ids. */
function span(name: string, tenant?: string, resourceTenant?: string): SpanRecord {
  return spanRecord({
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    name,
    attributes: tenant === undefined ? {} : { 'tenant.id': { stringValue: tenant } },
    resourceAttributes: resourceTenant === undefined ? {} : { 'tenant.id': { stringValue: resourceTenant } },
  });
}

describe('rejectOverlongTenants', () => {
  const long = 't'.repeat(MAX_TENANT_ID_LENGTH + 1);

  it('keeps the same array when every tenant fits', () => {
    const spans = [span('a', 'acme'), span('b'), span('c', 'x'.repeat(MAX_TENANT_ID_LENGTH))];
    const rejected: RejectedSpan[] = [];
    expect(rejectOverlongTenants(spans, rejected, 'tenant.id')).toBe(spans);
    expect(rejected).toEqual([]);
  });

  it('names each rejected span by its index in the request, around earlier rejections', () => {
    // Request order: 0 rejected earlier, 1 a, 2 b (long), 3 rejected earlier, 4 rejected earlier, 5 c, 6 d (long via resource)
    const rejected: RejectedSpan[] = [
      { index: 0, reason: 'r0' },
      { index: 3, reason: 'r3' },
      { index: 4, reason: 'r4' },
    ];
    const kept = rejectOverlongTenants([span('a', 'ok'), span('b', long), span('c'), span('d', undefined, long)], rejected, 'tenant.id');
    expect(kept.map((s) => s.name)).toEqual(['a', 'c']);
    const reason = `tenant.id is ${long.length} characters long; the limit is ${MAX_TENANT_ID_LENGTH}`;
    expect(rejected).toEqual([
      { index: 0, reason: 'r0' },
      { index: 2, reason },
      { index: 3, reason: 'r3' },
      { index: 4, reason: 'r4' },
      { index: 6, reason },
    ]);
  });

  it('reads the configured tenant key', () => {
    const s = span('a');
    s.attributes = { org: { stringValue: long } };
    const rejected: RejectedSpan[] = [];
    expect(rejectOverlongTenants([s], rejected, 'org')).toEqual([]);
    expect(rejected[0].reason).toMatch(/^org is 257 characters long/);
  });
});
