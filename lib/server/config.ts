/** Server settings read from the environment, with their defaults. */
import { tenantKey } from '../enrich/promoted-columns';

const MiB = 1024 * 1024;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return n;
}

export function serverConfig() {
  return {
    /** Largest OTLP request body accepted as received (compressed), bytes. */
    maxBodyBytes: positiveInt('TRACEDECK_MAX_BODY_BYTES', 8 * MiB),
    /** Largest body after gzip decompression (gzip bomb cap), bytes. */
    maxDecompressedBytes: positiveInt('TRACEDECK_MAX_DECOMPRESSED_BYTES', 64 * MiB),
    tenantKey: tenantKey(),
    /** Past this many distinct values, a key's values are not suggested (ids). */
    maxCatalogValues: 1000,
  };
}
