/** A tenant-scoped key's tenant replaces whatever tenant the spans claim. */
import { describe, expect, it } from 'vitest';
import { spanRecord } from '../../support/span-record';
import { forceTenant } from '../../../lib/enrich/force-tenant';
import type { SpanRecord } from '../../../lib/otlp/span-record';
import { withoutCredentials } from '../../../server/ingest/receive';

const span = (attributes: SpanRecord['attributes'], resourceAttributes: SpanRecord['resourceAttributes']): SpanRecord =>
  spanRecord({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 's', kind: 1, attributes, resourceAttributes });

describe('forceTenant', () => {
  it('sets the tenant on every span and rewrites a resource copy, without touching the input', () => {
    const resource = { 'tenant.id': { stringValue: 'globex' }, 'service.name': { stringValue: 'svc' } };
    const input = [span({ 'tenant.id': { stringValue: 'globex' }, x: { intValue: '1' } }, resource), span({}, resource), span({}, {})];
    const out = forceTenant(input, 'tenant.id', 'acme-corp');
    for (const s of out) expect(s.attributes['tenant.id']).toEqual({ stringValue: 'acme-corp' });
    expect(out[0].attributes.x).toEqual({ intValue: '1' });
    expect(out[0].resourceAttributes['tenant.id']).toEqual({ stringValue: 'acme-corp' });
    expect(out[0].resourceAttributes).toBe(out[1].resourceAttributes); // one rewritten map per resource
    expect(out[2].resourceAttributes).toEqual({});
    expect(input[0].attributes['tenant.id']).toEqual({ stringValue: 'globex' });
    expect(resource['tenant.id']).toEqual({ stringValue: 'globex' });
  });

  it('uses the configured tenant key', () => {
    const [s] = forceTenant([span({ 'org.id': { intValue: '7' } }, {})], 'org.id', 'acme-corp');
    expect(s.attributes['org.id']).toEqual({ stringValue: 'acme-corp' });
  });
});

describe('withoutCredentials', () => {
  it('drops credential headers before the header rules see them', () => {
    const h = new Headers({ authorization: 'Bearer x', 'x-tracedeck-key': 'y', cookie: 'c=1', 'x-katanemo-user-id': 'u' });
    expect(Object.fromEntries(withoutCredentials(h) as [string, string][])).toEqual({ 'x-katanemo-user-id': 'u' });
    expect(withoutCredentials({ Authorization: 'Bearer x', 'x-katanemo-tenant-id': 't' })).toEqual({ 'x-katanemo-tenant-id': 't' });
    expect(withoutCredentials(null)).toBeNull();
  });
});
