/**
 * The span-attribute rules (lib/enrich/rules.ts): Plano's header-prefix mapping,
 * static attributes, captured `http.request.header.*` and the precedence between them.
 */
import { describe, expect, it } from 'vitest';
import { spanRecord } from '../../support/span-record';
import type { SpanAttributeRules } from '../../../lib/enrich/config';
import { capturedHeaderAttributes, applySpanAttributeRules, headerAttributeKey, headerAttributes } from '../../../lib/enrich/rules';
import type { AttributeMap, OtlpAnyValue, SpanRecord } from '../../../lib/otlp/span-record';

const KATANEMO = ['x-katanemo-'];

function rules(partial: Partial<SpanAttributeRules> = {}): SpanAttributeRules {
  return { headerPrefixes: KATANEMO, static: {}, overrideExisting: false, ...partial };
}

function span(attributes: AttributeMap = {}, resourceAttributes: AttributeMap = {}, id = '1'): SpanRecord {
  return spanRecord({
    traceId: '0123456789abcdef0123456789abcdef',
    spanId: id.padStart(16, '0'),
    name: 'POST /v1/chat/completions',
    kind: 2,
    service: 'plano(inbound)',
    attributes,
    resourceAttributes,
  });
}

const s = (value: string): OtlpAnyValue => ({ stringValue: value });

describe('header name → attribute key (the seed’s mapping table)', () => {
  it.each([
    ['x-katanemo-user-id', 'user.id'],
    ['x-katanemo-tenant-id', 'tenant.id'],
    ['x-katanemo-request-id', 'request.id'],
    ['x-katanemo-session-id', 'session.id'],
    ['X-Katanemo-User-Id', 'user.id'], // header names are case-insensitive
    ['x-katanemo--user-id', 'user.id'], // leading hyphens trimmed
    ['x-katanemo-a-b-c', 'a.b.c'],
  ])('%s → %s', (header, key) => {
    expect(headerAttributeKey(header, KATANEMO)).toBe(key);
  });

  it.each([['x-katanemo-'], ['x-katanemo---'], ['x-other-user-id'], ['authorization'], ['x-katanemo']])('%s maps to nothing', (header) => {
    expect(headerAttributeKey(header, KATANEMO)).toBeNull();
  });

  it('accepts several prefixes; the longest matching one is stripped', () => {
    const prefixes = ['x-katanemo-', 'x-acme-', 'x-'];
    expect(headerAttributeKey('x-acme-team', prefixes)).toBe('team');
    expect(headerAttributeKey('x-katanemo-user-id', prefixes)).toBe('user.id');
    expect(headerAttributeKey('x-forwarded-for', prefixes)).toBe('forwarded.for');
  });

  it('no prefixes (missing or empty list): nothing is mapped', () => {
    expect(headerAttributeKey('x-katanemo-user-id', [])).toBeNull();
    expect(headerAttributes({ 'x-katanemo-user-id': 'u1' }, [])).toEqual({});
  });
});

describe('headerAttributes', () => {
  it('reads fetch Headers, pairs and plain objects (arrays joined like repeated headers; binary skipped)', () => {
    const headers = new Headers({ 'X-Katanemo-Tenant-Id': 'acme', 'content-type': 'application/x-protobuf' });
    expect(headerAttributes(headers, KATANEMO)).toEqual({ 'tenant.id': 'acme' });
    expect(headerAttributes([['x-katanemo-user-id', 'u1']], KATANEMO)).toEqual({ 'user.id': 'u1' });
    expect(headerAttributes({ 'x-katanemo-tags': ['a', 'b'], 'x-katanemo-blob-bin': Buffer.from('zz'), 'x-katanemo-request-id': ' r-1 ' }, KATANEMO)).toEqual({
      tags: 'a, b',
      'request.id': 'r-1',
    });
  });

  it('ignores empty values and empty suffixes', () => {
    expect(headerAttributes({ 'x-katanemo-user-id': '  ', 'x-katanemo-': 'x', 'x-katanemo-tenant-id': 'acme' }, KATANEMO)).toEqual({ 'tenant.id': 'acme' });
  });

  it('a header named like __proto__ becomes an own attribute, never a prototype', () => {
    const out = headerAttributes({ 'x-katanemo-__proto__': 'boom' }, KATANEMO);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });
});

describe('captured http.request.header.* attributes', () => {
  it('maps string and string-array values whose header name matches a prefix', () => {
    const attrs: AttributeMap = {
      'http.request.header.x-katanemo-user-id': { arrayValue: { values: [s('usr_7')] } },
      'http.request.header.x_katanemo_tenant_id': s('globex'), // older conventions: _ for -
      'http.request.header.x-katanemo-tags': { arrayValue: { values: [s('a'), s('b')] } },
      'http.request.header.content-type': s('application/json'),
      'http.request.header.x-katanemo-count': { intValue: '3' },
    };
    expect(capturedHeaderAttributes(attrs, KATANEMO)).toEqual({ 'user.id': 'usr_7', 'tenant.id': 'globex', tags: 'a, b' });
  });

  it('keeps the original attribute and adds the mapped one', () => {
    const original = { arrayValue: { values: [s('usr_7')] } };
    const [out] = applySpanAttributeRules([span({ 'http.request.header.x-katanemo-user-id': original })], { config: rules() });
    expect(out.attributes['http.request.header.x-katanemo-user-id']).toEqual(original);
    expect(out.attributes['user.id']).toEqual(s('usr_7'));
  });

  it('does nothing without prefixes', () => {
    const [out] = applySpanAttributeRules([span({ 'http.request.header.x-katanemo-user-id': s('u') })], { config: rules({ headerPrefixes: [] }) });
    expect(out.attributes['user.id']).toBeUndefined();
  });
});

describe('applySpanAttributeRules', () => {
  const headers = { 'x-katanemo-tenant-id': 'acme-corp', 'x-katanemo-user-id': 'usr_12', 'x-katanemo-request-id': 'req-9', 'content-type': 'application/json' };

  it('request headers become attributes of every span of the request', () => {
    const out = applySpanAttributeRules([span({}, {}, '1'), span({ 'llm.model': s('gpt-4o') }, {}, '2')], { headers, config: rules() });
    for (const sp of out) {
      expect(sp.attributes['tenant.id']).toEqual(s('acme-corp'));
      expect(sp.attributes['user.id']).toEqual(s('usr_12'));
      expect(sp.attributes['request.id']).toEqual(s('req-9'));
      expect(sp.attributes['content.type']).toBeUndefined();
    }
    expect(out[1].attributes['llm.model']).toEqual(s('gpt-4o'));
  });

  it('multiple prefixes', () => {
    const [out] = applySpanAttributeRules([span()], {
      headers: { 'x-katanemo-user-id': 'u1', 'x-acme-team-name': 'infra', 'x-other-thing': 'no' },
      config: rules({ headerPrefixes: ['x-katanemo-', 'x-acme-'] }),
    });
    expect(out.attributes).toEqual({ 'user.id': s('u1'), 'team.name': s('infra') });
  });

  it('static pairs go on every span', () => {
    const out = applySpanAttributeRules([span({}, {}, '1'), span({}, {}, '2')], {
      config: rules({ static: { environment: 'production', 'service.version': '2.1.0' } }),
    });
    for (const sp of out) expect(sp.attributes).toEqual({ environment: s('production'), 'service.version': s('2.1.0') });
  });

  it('a header-derived attribute overrides a static one of the same key', () => {
    const [out] = applySpanAttributeRules([span()], {
      headers: { 'x-katanemo-tenant-id': 'from-header' },
      config: rules({ static: { 'tenant.id': 'from-static', env: 'prod' } }),
    });
    expect(out.attributes).toEqual({ 'tenant.id': s('from-header'), env: s('prod') });
  });

  it('an attribute already on the span wins over headers and static (also one on its resource)', () => {
    const [onSpan, onResource] = applySpanAttributeRules(
      [span({ 'tenant.id': s('span-tenant'), 'user.id': { intValue: '12' } }, {}, '1'), span({}, { 'tenant.id': s('resource-tenant') }, '2')],
      { headers: { 'x-katanemo-tenant-id': 'hdr', 'x-katanemo-user-id': 'hdr-user' }, config: rules({ static: { 'tenant.id': 'static' } }) },
    );
    expect(onSpan.attributes).toEqual({ 'tenant.id': s('span-tenant'), 'user.id': { intValue: '12' } });
    expect(onResource.attributes).toEqual({ 'user.id': s('hdr-user') });
  });

  it('override_existing: derived attributes replace the span’s own', () => {
    const [out] = applySpanAttributeRules([span({ 'tenant.id': s('span-tenant'), keep: s('k') })], {
      headers: { 'x-katanemo-tenant-id': 'hdr' },
      config: rules({ overrideExisting: true, static: { env: 'prod' } }),
    });
    expect(out.attributes).toEqual({ 'tenant.id': s('hdr'), keep: s('k'), env: s('prod') });
  });

  it('a span’s captured header beats the request-wide header of the same key', () => {
    const [out] = applySpanAttributeRules([span({ 'http.request.header.x-katanemo-user-id': s('captured') })], {
      headers: { 'x-katanemo-user-id': 'request' },
      config: rules(),
    });
    expect(out.attributes['user.id']).toEqual(s('captured'));
  });

  it('is pure: the input spans and their maps are left as they were; untouched spans are returned as is', () => {
    const input = span({ 'tenant.id': s('t') });
    const before = structuredClone(input);
    const [same] = applySpanAttributeRules([input], { headers: { 'x-katanemo-tenant-id': 'other' }, config: rules() });
    expect(same).toBe(input);
    const [changed] = applySpanAttributeRules([input], { headers: { 'x-katanemo-user-id': 'u' }, config: rules() });
    expect(changed).not.toBe(input);
    expect(input).toEqual(before);
  });

  it('no headers, no prefixes, no static: spans pass through', () => {
    const input = [span({ a: s('1') })];
    expect(applySpanAttributeRules(input, { config: rules({ headerPrefixes: [] }) })).toEqual(input);
    expect(applySpanAttributeRules(input, { headers: null, config: rules() })[0]).toBe(input[0]);
  });

  it('accepts the whole EnrichConfig as well as the rules', () => {
    const [out] = applySpanAttributeRules([span()], {
      headers: { 'x-katanemo-tenant-id': 'acme' },
      config: { spanAttributes: rules(), randomSampling: null, source: 'test' },
    });
    expect(out.attributes['tenant.id']).toEqual(s('acme'));
  });
});
