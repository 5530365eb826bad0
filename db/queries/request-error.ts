/**
 * What counts as a failed request, shared by the chart aggregations
 * (db/queries/metrics.ts) and their rollups (db/rollups.ts).
 */
import { sql } from 'drizzle-orm';

/** A failed request: an error span, or an HTTP status >= 500 (a boolean over `traces t`). */
export const IS_ERROR = sql`(t.error_count > 0 OR t.http_status_code >= 500)`;
