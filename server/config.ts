/** Server settings read from the environment, with their defaults. */
import { tenantKey } from '../lib/enrich/promoted-columns';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../lib/otlp/limits';

const MiB = 1024 * 1024;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return n;
}

function nonNegativeInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got '${raw}')`);
  return n;
}

/** The database pool size of postgres.js (db/client.ts); the ingest gate lets about as many writes run. */
export const DEFAULT_MAX_INFLIGHT_INGEST = 10;

/**
 * Ingest backpressure (server/ingest/gate.ts): writes in flight, requests waiting
 * for one, and how long one may wait before it is throttled.
 */
export function ingestGateOptions() {
  const maxInFlight = positiveInt('TRACEDECK_MAX_INFLIGHT_INGEST', DEFAULT_MAX_INFLIGHT_INGEST);
  return {
    maxInFlight,
    maxQueued: nonNegativeInt('TRACEDECK_MAX_QUEUED_INGEST', 4 * maxInFlight),
    maxWaitMs: positiveInt('TRACEDECK_INGEST_QUEUE_TIMEOUT_MS', 5000),
  };
}

export function serverConfig() {
  return {
    /** Largest OTLP request body accepted as received (compressed), bytes. */
    maxBodyBytes: positiveInt('TRACEDECK_MAX_BODY_BYTES', 8 * MiB),
    /** Largest body after gzip decompression (gzip bomb cap), bytes. */
    maxDecompressedBytes: positiveInt('TRACEDECK_MAX_DECOMPRESSED_BYTES', 64 * MiB),
    /** What one span may carry (lib/otlp/limits.ts); extras are dropped or truncated and reported as warnings. */
    ingestLimits: ingestLimits(),
    tenantKey: tenantKey(),
    /** Past this many distinct values, a key's values are not suggested (ids). */
    maxCatalogValues: 1000,
  };
}

export function ingestLimits(): IngestLimits {
  const d = DEFAULT_INGEST_LIMITS;
  return {
    maxAttributes: positiveInt('TRACEDECK_MAX_ATTRIBUTES_PER_SPAN', d.maxAttributes),
    maxValueLength: positiveInt('TRACEDECK_MAX_ATTRIBUTE_VALUE_LENGTH', d.maxValueLength),
    maxDepth: positiveInt('TRACEDECK_MAX_ATTRIBUTE_DEPTH', d.maxDepth),
    maxEvents: positiveInt('TRACEDECK_MAX_EVENTS_PER_SPAN', d.maxEvents),
    maxLinks: positiveInt('TRACEDECK_MAX_LINKS_PER_SPAN', d.maxLinks),
    maxFutureSkewMs: positiveInt('TRACEDECK_MAX_FUTURE_SKEW_SECONDS', d.maxFutureSkewMs / 1000) * 1000,
  };
}
