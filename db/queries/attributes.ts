/** Attribute catalog reads: keys for autocomplete, top values for dropdowns. */
import { type SQL, sql } from 'drizzle-orm';
import { INTRINSICS } from '../../lib/where/ast';
import { spanAttributePresent, spanAttributeText, spanAttributesMap } from '../../lib/where/sql-compiler';
import { flushCatalog } from '../catalog-buffer';
import type { Db } from '../client';
import { type TimeRangeNs, timeRangeCondition } from './list-traces';
import { spansWithResource } from './rows';
import { summariesCaughtUp } from '../summarizer';

export type AttributeKeyInfo = {
  key: string;
  scope: 'span' | 'resource' | 'intrinsic';
  valueType: string;
  seenCount: number;
  highCardinality: boolean;
};

function intrinsicKeys(): AttributeKeyInfo[] {
  return INTRINSICS.map((key) => ({
    key,
    scope: 'intrinsic',
    valueType: key.endsWith('duration') ? 'duration' : 'string',
    seenCount: 0,
    highCardinality: key === 'trace_id' || key === 'span_id',
  }));
}

export async function listAttributeKeys(db: Pick<Db, 'rows'>, { maxValues }: { maxValues: number }): Promise<AttributeKeyInfo[]> {
  await flushCatalog(db);
  const rows = await db.rows<{ key: string; scope: 'span' | 'resource'; value_type: string; seen_count: bigint; distinct_values: number }>(
    sql`SELECT key, scope, value_type, seen_count, distinct_values FROM attribute_keys ORDER BY seen_count DESC, key, scope`,
  );
  return [
    ...intrinsicKeys(),
    ...rows.map((r) => ({
      key: r.key,
      scope: r.scope,
      valueType: r.value_type,
      seenCount: Number(r.seen_count),
      highCardinality: Number(r.distinct_values) >= maxValues,
    })),
  ];
}

/** Traces of the tenant's sample behind listTenantAttributeKeys (newest first). */
export const TENANT_KEY_SAMPLE_TRACES = 500;

/**
 * The attribute keys of one tenant, for a tenant-scoped reader (server/auth): the catalog
 * (`attribute_keys`) is shared by all tenants, so the keys are read from the spans of
 * the tenant's newest traces instead; counts and cardinality are over that sample.
 */
export async function listTenantAttributeKeys(
  db: Pick<Db, 'rows'>,
  { tenant, maxValues, sampleTraces = TENANT_KEY_SAMPLE_TRACES }: { tenant: string; maxValues: number; sampleTraces?: number },
): Promise<AttributeKeyInfo[]> {
  await summariesCaughtUp(db);
  const rows = await db.rows<{ key: string; scope: 'span' | 'resource'; value_type: string; seen_count: bigint; distinct_values: bigint }>(sql`
    WITH recent AS (
      SELECT tenant_id, trace_id FROM traces WHERE tenant_id = ${tenant}::text ORDER BY start_ns DESC NULLS LAST LIMIT ${sampleTraces}
    ), sample AS (
      SELECT ${spanAttributesMap('s')} AS attributes, COALESCE(r.attributes, '{}'::jsonb) AS resource_attributes
      FROM ${spansWithResource('s').from} JOIN recent rt ON s.tenant_id = rt.tenant_id AND s.trace_id = rt.trace_id
    ), entries AS (
      SELECT e.key, 'span' AS scope, e.value FROM sample, jsonb_each(sample.attributes) AS e
      UNION ALL
      SELECT e.key, 'resource' AS scope, e.value FROM sample, jsonb_each(sample.resource_attributes) AS e
    ), typed AS (
      SELECT key, scope, value, COALESCE(td_ctype(value), 'empty') AS value_type FROM entries
    )
    SELECT key, scope, CASE WHEN count(DISTINCT value_type) > 1 THEN 'mixed' ELSE min(value_type) END AS value_type,
      count(*) AS seen_count, count(DISTINCT td_ctext(value)) AS distinct_values
    FROM typed GROUP BY key, scope ORDER BY count(*) DESC, key, scope`);
  return [
    ...intrinsicKeys(),
    ...rows.map((r) => ({
      key: r.key,
      scope: r.scope,
      valueType: r.value_type,
      seenCount: Number(r.seen_count),
      highCardinality: Number(r.distinct_values) >= maxValues,
    })),
  ];
}

export type AttributeValueCount = { value: string; count: number };

/**
 * Top values of a key. Without a filter or time range the catalog answers; with
 * them the values are counted over the matching traces' spans (bounded by the range).
 * For the tenant key the count is of traces, straight from the summary table.
 */
export async function listAttributeValues(
  db: Pick<Db, 'rows'>,
  { key, filter, range = {}, limit = 20, tenantKey }: { key: string; filter?: SQL | null; range?: TimeRangeNs; limit?: number; tenantKey: string },
): Promise<AttributeValueCount[]> {
  const hasRange = range.fromNs !== undefined || range.toNs !== undefined;
  let rows: { value: string; count: bigint | number }[];
  if (key === tenantKey) {
    rows = await db.rows(sql`
      SELECT t.tenant_id AS value, count(*) AS count FROM traces t
      WHERE t.tenant_id <> '' AND ${timeRangeCondition(range, sql`t.start_ns`)} AND ${filter ?? sql`true`}
      GROUP BY t.tenant_id ORDER BY count(*) DESC, t.tenant_id LIMIT ${limit}`);
  } else if (!filter && !hasRange) {
    await flushCatalog(db);
    rows = await db.rows(sql`
      SELECT value, seen_count AS count FROM attribute_values WHERE key = ${key}::text
      ORDER BY seen_count DESC, value LIMIT ${limit}`);
  } else {
    rows = await db.rows(sql`
      SELECT ${spanAttributeText(key)} AS value, count(*) AS count
      FROM traces t JOIN spans s ON s.tenant_id = t.tenant_id AND s.trace_id = t.trace_id
      WHERE ${timeRangeCondition(range, sql`t.start_ns`)} AND ${filter ?? sql`true`}
        AND ${spanAttributePresent(key)}
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`);
  }
  return rows.filter((r) => r.value !== null).map((r) => ({ value: r.value, count: Number(r.count) }));
}
