/**
 * The one ingest path behind both receivers (OTLP/HTTP route and OTLP/gRPC
 * listener): decoded spans → span-attribute rules (lib/enrich/rules, with the
 * request's headers or metadata) → storeSpans (db/ingest). The rules run before
 * storing, so the promoted columns (tenant, user, …) see the derived attributes.
 * A tenant-scoped key's tenant is forced last, so nothing the request says overrides it,
 * and credential headers never reach the header rules (they would become attributes).
 */
import type { Db } from '../../db/client';
import { type StoreResult, storeSpans } from '../../db/ingest';
import { CREDENTIAL_HEADERS } from '../auth/principal';
import type { EnrichConfig } from '../../lib/enrich/config';
import { forceTenant } from '../../lib/enrich/force-tenant';
import { serverConfig } from '../config';
import { enrichSettings, promotionSettings } from '../enrich-config';
import { type HeaderSource, enrichSpans } from '../../lib/enrich/rules';
import { rejectOverlongTenants } from '../../lib/enrich/tenant-limit';
import type { RejectedSpan, SpanRecord } from '../../lib/otlp/span-record';

export type IngestOptions = {
  /** Defaults to server/enrich-config's (TRACEDECK_CONFIG and the environment). */
  config?: EnrichConfig;
  /** The tenant of the tenant-scoped key that sent the spans: set on every span, replacing any other. */
  forceTenant?: string | null;
};

/** The headers without the ones carrying credentials (Authorization, x-tracedeck-key, Cookie). */
export function withoutCredentials(headers: HeaderSource | null | undefined): HeaderSource | null | undefined {
  if (!headers) return headers;
  const drop = (name: string) => CREDENTIAL_HEADERS.includes(name.toLowerCase());
  if (headers instanceof Headers || typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    return [...(headers as Iterable<readonly [string, string]>)].filter(([name]) => !drop(name));
  }
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name)));
}

/**
 * Enriches and stores the spans of one decoded export request. Throws when the write fails.
 * Spans that cannot be stored (a tenant id too long for the keys) are added to
 * `decoded.rejected`, which the receivers answer with.
 */
export async function ingestSpans(
  db: Pick<Db, 'rows' | 'transaction'>,
  decoded: { spans: SpanRecord[]; rejected?: RejectedSpan[] },
  headers: HeaderSource | null | undefined,
  options: IngestOptions = {},
): Promise<StoreResult> {
  if (decoded.spans.length === 0) return { inserted: 0, duplicates: 0 };
  const config = options.config ?? enrichSettings().rules;
  const { tenantKey } = serverConfig();
  const enriched = enrichSpans(decoded.spans, { headers: withoutCredentials(headers), config });
  const tenanted = options.forceTenant ? forceTenant(enriched, tenantKey, options.forceTenant) : enriched;
  const storable = rejectOverlongTenants(tenanted, (decoded.rejected ??= []), tenantKey);
  if (storable.length === 0) return { inserted: 0, duplicates: 0 };
  return storeSpans(db, storable, { adoptOrphans: !options.forceTenant, promotion: promotionSettings() });
}
