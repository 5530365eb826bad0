/** The enrich step: rules → forced tenant → overlong tenants rejected → tenant, promoted values and sampling weight per span. */
import { describe, expect, it } from 'vitest';
import { spanRecord } from '../../support/span-record';
import { type EnrichOptions, enrichSpan, enrichSpans } from '../../../lib/enrich/enrich';
import { PROMOTED_KEYS } from '../../../lib/enrich/promoted-columns';
import { parseSamplingConfig } from '../../../lib/enrich/sampling';
import { MAX_TENANT_ID_LENGTH } from '../../../lib/enrich/tenant-limit';
import type { AttributeMap, SpanRecord } from '../../../lib/otlp/span-record';
import { PROMOTED_COLUMNS } from '../../../lib/trace/promoted';

const s = (stringValue: string) => ({ stringValue });
const span = (n: number, attributes: AttributeMap = {}, fields: Partial<SpanRecord> = {}) =>
  spanRecord({ traceId: 'a'.repeat(32), spanId: n.toString(16).padStart(16, '0'), attributes, ...fields });

function sampling(text: string) {
  const parsed = parseSamplingConfig(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.config;
}

const options = (extra: Partial<EnrichOptions> = {}): EnrichOptions => ({
  tenantKey: 'tenant.id',
  attributeMapping: { ...PROMOTED_KEYS },
  sampling: sampling(''),
  rules: { headerPrefixes: ['x-katanemo-'], static: {}, overrideExisting: false },
  ...extra,
});

describe('enrichSpans', () => {
  it('gives each span its tenant, promoted values and sampling weight, in request order', () => {
    const spans = [
      span(1, { 'tenant.id': s('acme'), 'llm.model': s('gpt-4o'), 'gen_ai.usage.input_tokens': { intValue: '12' }, 'http.status_code': { intValue: '200' } }),
      span(2, {}, { resourceAttributes: { 'tenant.id': s('globex'), 'user.id': s('u1') }, service: 'plano(inbound)' }),
      span(3, {}, { traceState: 'ot=th:8' }),
    ];
    const out = enrichSpans({ spans, rejected: [] }, options({ sampling: sampling('plano=20') }));
    expect(out.rejected).toEqual([]);
    expect(out.spans.map((e) => e.span)).toEqual(spans);
    expect(out.spans.map((e) => e.tenantId)).toEqual(['acme', 'globex', null]);
    expect(out.spans[0].promoted).toMatchObject({ llmModel: 'gpt-4o', promptTokens: 12, httpStatusCode: 200, userId: null, sampleWeight: null });
    expect(out.spans[1].promoted).toMatchObject({ userId: 'u1', sampleWeight: 5 });
    expect(out.spans[2].promoted.sampleWeight).toBe(2);
    // Every promoted field of the descriptor is there (null when the span does not carry it).
    for (const e of out.spans) expect(Object.keys(e.promoted).sort()).toEqual(PROMOTED_COLUMNS.map((c) => c.field).sort());
  });

  it('applies the span-attribute rules with the request headers before promoting, so a header can name the tenant and the user', () => {
    const out = enrichSpans(
      { spans: [span(1), span(2, { 'tenant.id': s('own') })] },
      options({ headers: { 'x-katanemo-tenant-id': 'from-header', 'x-katanemo-user-id': 'u9' } }),
    );
    expect(out.spans.map((e) => e.tenantId)).toEqual(['from-header', 'own']);
    expect(out.spans.map((e) => e.promoted.userId)).toEqual(['u9', 'u9']);
    expect(out.spans[0].span.attributes['tenant.id']).toEqual(s('from-header'));
  });

  it('a forced tenant beats the span’s own, a header’s and a static one, under the configured tenant key', () => {
    const out = enrichSpans(
      { spans: [span(1, { org: s('own') }), span(2)] },
      options({
        tenantKey: 'org',
        headers: { 'x-katanemo-org': 'hdr' },
        rules: { headerPrefixes: ['x-katanemo-'], static: { org: 'static' }, overrideExisting: true },
        forcedTenant: 'acme',
      }),
    );
    expect(out.spans.map((e) => e.tenantId)).toEqual(['acme', 'acme']);
    expect(out.spans.map((e) => e.span.attributes.org)).toEqual([s('acme'), s('acme')]);
  });

  it('rejects spans whose tenant is too long, numbered around the decoder’s rejections, without changing the input', () => {
    const long = 't'.repeat(MAX_TENANT_ID_LENGTH + 1);
    const decoded = { spans: [span(1, { 'tenant.id': s(long) }), span(2)], rejected: [{ index: 0, reason: 'bad span id' }] };
    const out = enrichSpans(decoded, options());
    expect(out.spans.map((e) => e.span.spanId)).toEqual([span(2).spanId]);
    expect(out.rejected).toEqual([
      { index: 0, reason: 'bad span id' },
      { index: 1, reason: `tenant.id is ${long.length} characters long; the limit is ${MAX_TENANT_ID_LENGTH}` },
    ]);
    expect(decoded.rejected).toHaveLength(1);
  });

  it('a forced tenant is what the length limit reads', () => {
    const out = enrichSpans({ spans: [span(1, { 'tenant.id': s('t'.repeat(MAX_TENANT_ID_LENGTH + 1)) })] }, options({ forcedTenant: 'acme' }));
    expect(out.rejected).toEqual([]);
    expect(out.spans[0].tenantId).toBe('acme');
  });

  it('uses the attribute mapping it is given, not the environment', () => {
    const mapping = { ...PROMOTED_KEYS, llmModel: [...PROMOTED_KEYS.llmModel, 'ai.model.id'] };
    const [e] = enrichSpans({ spans: [span(1, { 'ai.model.id': s('house-model') })] }, options({ attributeMapping: mapping })).spans;
    expect(e.promoted.llmModel).toBe('house-model');
    expect(enrichSpan(span(1, { 'ai.model.id': s('house-model') }), options()).promoted.llmModel).toBeNull();
  });
});
