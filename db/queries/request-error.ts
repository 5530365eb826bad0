/**
 * What counts as a failed request (the registry's `errors` metric, lib/metrics/registry.ts),
 * as a filter for the pages' lists of failing requests.
 */
import { sql } from 'drizzle-orm';
import { ERROR_SQL } from '../../lib/metrics/registry';

/** A failed request: an error span, or an HTTP status >= 500 (a boolean over `traces t`). */
export const IS_ERROR = sql.raw(ERROR_SQL);
