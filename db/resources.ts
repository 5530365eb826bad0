/**
 * Resources stored once (`resources`, db/schema.ts): a span row carries only its resource's id.
 * The id is a content hash, so a batch computes it without a lookup and writes the resource
 * with ON CONFLICT DO NOTHING in its own statement (db/ingest.ts): retries and concurrent
 * batches of the same resource never take a lock on a committed row.
 */
import { createHash } from 'node:crypto';
import { encodeAttributes } from '../lib/otlp/compact-attributes';
import type { AttributeMap } from '../lib/otlp/span-record';

/** A resource of one batch: its id (a signed 64-bit integer, as decimal text) and compact map. */
export type BatchResource = { id: string; attributes: Record<string, unknown> };

/**
 * The first 8 bytes of the SHA-256 of the compact map's JSON text with its keys sorted (so the
 * order an exporter lists them in does not matter), read as a signed bigint. 64 bits: two
 * different resources of one tenant share an id with probability ~n²/2^65 (n = 10^6: ~3·10^-8).
 */
export function resourceIdOf(compact: Record<string, unknown>): string {
  const sorted = Object.fromEntries(
    Object.keys(compact)
      .sort()
      .map((k) => [k, compact[k]]),
  );
  return createHash('sha256').update(JSON.stringify(sorted)).digest().readBigInt64BE(0).toString();
}

/**
 * The distinct resources of one batch. Spans decoded from one ResourceSpans share its map
 * object, so each map is encoded and hashed once per batch.
 */
export class BatchResources {
  private readonly byMap = new Map<AttributeMap, BatchResource>();
  private readonly byId = new Map<string, BatchResource>();

  /** The id of a span's resource map, remembering the resource for the batch's statement. */
  idOf(map: AttributeMap): string {
    let resource = this.byMap.get(map);
    if (!resource) {
      const attributes = encodeAttributes(map);
      const id = resourceIdOf(attributes);
      resource = this.byId.get(id) ?? { id, attributes };
      this.byMap.set(map, resource);
      this.byId.set(id, resource);
    }
    return resource.id;
  }

  list(): BatchResource[] {
    return [...this.byId.values()];
  }
}
