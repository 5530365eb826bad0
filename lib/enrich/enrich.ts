/**
 * The enrich step of ingest: decoded spans → spans ready to store (EnrichedSpan,
 * lib/trace/promoted.ts). Tenant resolution and promotion happen here, in this order:
 *
 * 1. span-attribute rules (./rules.ts): static attributes, request headers, captured headers;
 * 2. a tenant-scoped key's tenant is forced onto every span (./force-tenant.ts), last, so
 *    nothing the request says overrides it;
 * 3. spans whose tenant id is too long for the keys are rejected (./tenant-limit.ts);
 * 4. each kept span gets its tenant (the tenant key's value), its promoted values
 *    (./promoted-columns.ts) and its sampling weight (./sampling.ts).
 *
 * The storage side finishes the tenant's story in db/ingest.ts: a span naming no tenant
 * inherits its trace's tenant from the batch or from the stored trace, and spans stored
 * before their trace's tenant was known are adopted into it.
 *
 * Pure: every setting comes in the options (the server reads them from its configuration).
 */
import type { RejectedSpan, SpanRecord } from '../otlp/span-record';
import type { EnrichedSpan } from '../trace/promoted';
import type { EnrichConfig, SpanAttributeRules } from './config';
import { forceTenant } from './force-tenant';
import { type AttributeMapping, promotedValues, tenantOf } from './promoted-columns';
import { type HeaderSource, applySpanAttributeRules } from './rules';
import { type SamplingConfig, spanSampleWeight } from './sampling';
import { rejectOverlongTenants } from './tenant-limit';

export type EnrichOptions = {
  /** The attribute naming a span's tenant (TRACEDECK_TENANT_KEY). */
  tenantKey: string;
  /** The attribute keys feeding the LLM columns (built-in keys and TRACEDECK_ATTRIBUTE_MAP's). */
  attributeMapping: AttributeMapping;
  /** Sampling percentages by service (TRACEDECK_SAMPLING), for spans whose tracestate says nothing. */
  sampling: SamplingConfig;
  /** The span-attribute rules (header prefixes, static attributes, override). */
  rules: SpanAttributeRules | EnrichConfig;
  /** Headers (HTTP) or metadata (gRPC) of the export request, credentials already removed. */
  headers?: HeaderSource | null;
  /** The tenant of the tenant-scoped key that sent the spans: set on every span, replacing any other. */
  forcedTenant?: string | null;
};

export type EnrichOutcome = {
  /** The spans to store, in request order. */
  spans: EnrichedSpan[];
  /** The request's rejected spans: the decoder's and the ones rejected here, by request index. */
  rejected: RejectedSpan[];
};

/** Enriches the spans of one decoded export request. The input is not changed. */
export function enrichSpans(decoded: { spans: readonly SpanRecord[]; rejected?: readonly RejectedSpan[] }, options: EnrichOptions): EnrichOutcome {
  const rejected = [...(decoded.rejected ?? [])];
  if (decoded.spans.length === 0) return { spans: [], rejected };
  const ruled = applySpanAttributeRules(decoded.spans, { headers: options.headers, config: options.rules });
  const tenanted = options.forcedTenant ? forceTenant(ruled, options.tenantKey, options.forcedTenant) : ruled;
  const storable = rejectOverlongTenants(tenanted, rejected, options.tenantKey);
  return { spans: storable.map((span) => enrichSpan(span, options)), rejected };
}

/** Tenant, promoted values and sampling weight of one span (whose attributes are final). */
export function enrichSpan(span: SpanRecord, options: Pick<EnrichOptions, 'tenantKey' | 'attributeMapping' | 'sampling'>): EnrichedSpan {
  const promoted = promotedValues(span.attributes, span.resourceAttributes, options.attributeMapping);
  return {
    span,
    tenantId: tenantOf(span.attributes, span.resourceAttributes, options.tenantKey),
    promoted: { ...promoted, sampleWeight: spanSampleWeight(span, options.sampling) },
  };
}
