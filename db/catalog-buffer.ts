/**
 * The attribute catalog (keys and top values for autocomplete) is written from an
 * in-memory buffer instead of by every ingest request: concurrent batches all bump
 * the same hot rows (`user.id`, `http.status_code`, …), so per-request upserts queued
 * on each other's row locks and cost as much as storing the spans. Batches fold
 * their counts in here; one flush at a time writes them (about once a second, and
 * before any catalog read, so a read always sees what was ingested before it).
 *
 * The catalog is advisory: counts buffered when the process dies are lost, the
 * spans never are. A failed flush is logged and its counts kept for the next one.
 */
import { sql } from 'drizzle-orm';
import type { SpanRecord } from '../lib/otlp/span-record';
import { type CatalogKeyRow, type CatalogValueRow, catalogEntries } from './attribute-catalog';
import type { Db } from './db';

/** Past this many distinct values a key counts as high-cardinality (ids) and stops collecting values. */
export const MAX_TRACKED_VALUES = 1000;

const FLUSH_DELAY_MS = 1000;
/** Beyond this many buffered values (a flood of distinct ids while the database is down), new values are dropped. */
const MAX_BUFFERED_VALUES = 200_000;

type Pending = { keys: Map<string, CatalogKeyRow>; values: Map<string, CatalogValueRow> };

const later = (a: string, b: string) => (BigInt(a) >= BigInt(b) ? a : b);

class CatalogBuffer {
  private pending: Pending = { keys: new Map(), values: new Map() };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Keys at MAX_TRACKED_VALUES in the table: their values are not collected any more (ids would flood the buffer). */
  private readonly saturated = new Set<string>();

  constructor(private readonly db: Pick<Db, 'rows'>) {}

  add(spans: SpanRecord[]): void {
    const { keys, values } = catalogEntries(spans, this.saturated);
    this.merge(keys, values);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
    this.timer.unref?.();
  }

  private merge(keys: CatalogKeyRow[], values: CatalogValueRow[]): void {
    for (const k of keys) {
      const id = `${k.scope}\u0000${k.key}`;
      const old = this.pending.keys.get(id);
      if (!old) this.pending.keys.set(id, { ...k });
      else {
        old.seen_count += k.seen_count;
        old.last_seen_ns = later(old.last_seen_ns, k.last_seen_ns);
        if (old.value_type !== k.value_type) old.value_type = 'mixed';
      }
    }
    for (const v of values) {
      const id = `${v.key}\u0000${v.value}`;
      const old = this.pending.values.get(id);
      if (old) {
        old.seen_count += v.seen_count;
        old.last_seen_ns = later(old.last_seen_ns, v.last_seen_ns);
      } else if (this.pending.values.size < MAX_BUFFERED_VALUES) this.pending.values.set(id, { ...v });
    }
  }

  /** Writes what is buffered; resolves once everything added before the call is stored (or failed and re-buffered). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending;
      if (batch.keys.size === 0) return;
      this.pending = { keys: new Map(), values: new Map() };
      try {
        const saturated = await writeCatalog(this.db, [...batch.keys.values()], [...batch.values.values()]);
        for (const key of saturated) this.saturated.add(key);
      } catch (err) {
        console.error(`[tracedeck] attribute catalog update failed (spans are stored; retrying): ${err instanceof Error ? err.message : String(err)}`);
        this.merge([...batch.keys.values()], [...batch.values.values()]);
        this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS * 5);
        this.timer.unref?.();
      }
    });
    return this.flushing;
  }
}

const buffers = new WeakMap<object, CatalogBuffer>();

function bufferFor(db: Pick<Db, 'rows'>): CatalogBuffer {
  let buffer = buffers.get(db);
  if (!buffer) buffers.set(db, (buffer = new CatalogBuffer(db)));
  return buffer;
}

/** Folds a stored batch into the catalog (written shortly after, or at the next catalog read). */
export function recordCatalog(db: Pick<Db, 'rows'>, spans: SpanRecord[]): void {
  bufferFor(db).add(spans);
}

/** Writes the buffered catalog counts now. Catalog readers call this first. */
export function flushCatalog(db: Pick<Db, 'rows'>): Promise<void> {
  const buffer = buffers.get(db);
  return buffer ? buffer.flush() : Promise.resolve();
}

/** At most MAX_TRACKED_VALUES values per key in one flush (the most frequent), so one flush of ids cannot flood the table. */
function capPerKey(values: CatalogValueRow[]): CatalogValueRow[] {
  const sorted = [...values].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.seen_count - a.seen_count));
  const kept: CatalogValueRow[] = [];
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i - 1].key === sorted[i].key ? run + 1 : 0;
    if (run < MAX_TRACKED_VALUES) kept.push(sorted[i]);
  }
  return kept;
}

/** Writes the counts; resolves to the keys of this flush that are now at MAX_TRACKED_VALUES. */
async function writeCatalog(db: Pick<Db, 'rows'>, keys: CatalogKeyRow[], allValues: CatalogValueRow[]): Promise<string[]> {
  const values = capPerKey(allValues);
  await db.rows(sql`
    INSERT INTO attribute_keys AS k (key, scope, value_type, seen_count, last_seen_ns, distinct_values)
    SELECT key, scope, value_type, seen_count, last_seen_ns, 0
    FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
      AS x(key text, scope text, value_type text, seen_count bigint, last_seen_ns bigint)
    ORDER BY key, scope
    ON CONFLICT (key, scope) DO UPDATE SET
      seen_count = k.seen_count + EXCLUDED.seen_count,
      last_seen_ns = GREATEST(k.last_seen_ns, EXCLUDED.last_seen_ns),
      value_type = CASE WHEN k.value_type = EXCLUDED.value_type THEN k.value_type ELSE 'mixed' END`);
  if (values.length === 0) return [];
  const saturated = await db.rows<{ key: string; distinct_values: number }>(sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
        AS x(key text, value text, seen_count bigint, last_seen_ns bigint)
    ),
    -- New values of a key take only the room it has left (the most frequent first), so a key never
    -- holds more than MAX_TRACKED_VALUES however the batches fall into flushes; known values always count.
    ranked AS (
      SELECT v.*, known.value IS NOT NULL AS known,
        row_number() OVER (PARTITION BY v.key, known.value IS NOT NULL ORDER BY v.seen_count DESC, v.value) AS nth
      FROM v LEFT JOIN attribute_values known ON known.key = v.key AND known.value = v.value
    ),
    upserted AS (
      INSERT INTO attribute_values AS av (key, value, seen_count, last_seen_ns)
      SELECT key, value, seen_count, last_seen_ns FROM ranked r
      -- max(): a key seen as a span and as a resource attribute has a row per scope (both carry its count)
      WHERE r.known OR r.nth <= ${MAX_TRACKED_VALUES} - COALESCE((SELECT max(k.distinct_values) FROM attribute_keys k WHERE k.key = r.key), 0)
      ORDER BY key, value
      ON CONFLICT (key, value) DO UPDATE SET
        seen_count = av.seen_count + EXCLUDED.seen_count,
        last_seen_ns = GREATEST(av.last_seen_ns, EXCLUDED.last_seen_ns)
      RETURNING key, (xmax = 0) AS is_new
    )
    UPDATE attribute_keys k SET distinct_values = k.distinct_values + n.new_values
    FROM (SELECT key, count(*)::integer AS new_values FROM upserted WHERE is_new GROUP BY key) n
    WHERE k.key = n.key
    RETURNING k.key, k.distinct_values`);
  return saturated.filter((r) => Number(r.distinct_values) >= MAX_TRACKED_VALUES).map((r) => r.key);
}
