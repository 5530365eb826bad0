/**
 * The one ingest path behind both receivers (OTLP/HTTP route and OTLP/gRPC
 * listener): decoded spans → span-attribute rules (lib/enrich/rules, with the
 * request's headers or metadata) → storeSpans (db/ingest). The rules run before
 * storing, so the promoted columns (tenant, user, …) see the derived attributes.
 */
import type { Db } from '../db/client';
import { type StoreResult, storeSpans } from '../db/ingest';
import { type EnrichConfig, enrichConfig } from './enrich/config';
import { type HeaderSource, enrichSpans } from './enrich/rules';
import type { SpanRecord } from './otlp/span-record';

export type IngestOptions = {
  /** Defaults to the configuration from TRACEDECK_CONFIG and the environment. */
  config?: EnrichConfig;
};

/** Enriches and stores the spans of one decoded export request. Throws when the write fails. */
export async function ingestSpans(
  db: Pick<Db, 'rows' | 'transaction'>,
  decoded: { spans: SpanRecord[] },
  headers: HeaderSource | null | undefined,
  options: IngestOptions = {},
): Promise<StoreResult> {
  if (decoded.spans.length === 0) return { inserted: 0, duplicates: 0 };
  const config = options.config ?? enrichConfig();
  return storeSpans(db, enrichSpans(decoded.spans, { headers, config }));
}
