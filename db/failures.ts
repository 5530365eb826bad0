/**
 * Which database failures a client may simply retry, for both drivers: postgres.js and
 * PGlite carry the SQLSTATE in `code`, postgres.js adds its own codes and Node's socket
 * errors. The HTTP answers build on it: a retryable failure is 503 + Retry-After (gRPC
 * UNAVAILABLE), which OTLP exporters retry; anything else is the server's bug, 500.
 *
 * - 'connection': the connection is gone or cannot be made (the server stopped, restarted,
 *   crashed, or is still starting); db/postgres-pool.ts also swaps in a fresh pool for it.
 * - 'unavailable': the server is up but refuses the work for now: it is read-only (a standby,
 *   `default_transaction_read_only`), out of disk, memory or connection slots, or no pooled
 *   connection came free (POOL_TIMEOUT).
 * - 'conflict': the transaction lost a serialization conflict or a deadlock and was rolled
 *   back whole; the same request run again succeeds.
 */
export type DbFailure = 'connection' | 'unavailable' | 'conflict';

/** Our own code for a transaction that waited too long for a pooled connection (db/postgres-pool.ts). */
export const POOL_TIMEOUT = 'POOL_TIMEOUT';

const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** 25006 read_only_sql_transaction; class 53 (insufficient resources): 53100 disk_full, 53200 out_of_memory, 53300 too_many_connections, … */
const UNAVAILABLE_CODES = new Set(['25006', POOL_TIMEOUT]);

/** 40001 serialization_failure, 40P01 deadlock_detected. */
const CONFLICT_CODES = new Set(['40001', '40P01']);

/** How deep to follow `cause` and AggregateError `errors` (drizzle and Node wrap driver errors). */
const MAX_WRAPPING = 4;

/** The retryable kind of `err` or of an error it wraps; null for statement errors, bugs and anything else. */
export function classifyDbFailure(err: unknown, depth = 0): DbFailure | null {
  if (err == null || typeof err !== 'object' || depth > MAX_WRAPPING) return null;
  const own = classifyCode((err as { code?: unknown }).code);
  if (own) return own;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  const wrapped = classifyDbFailure(cause, depth + 1);
  if (wrapped) return wrapped;
  if (!Array.isArray(errors)) return null;
  for (const e of errors) {
    const kind = classifyDbFailure(e, depth + 1);
    if (kind) return kind;
  }
  return null;
}

function classifyCode(code: unknown): DbFailure | null {
  if (typeof code !== 'string') return null;
  // Class 08 is connection exception; 57P0x: admin or crash shutdown, cannot connect now, database dropped, idle session timeout.
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return 'connection';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('53')) return 'unavailable';
  if (CONFLICT_CODES.has(code)) return 'conflict';
  return null;
}

/** The connection itself failed: the pool that made it should be replaced. */
export function isConnectionError(err: unknown): boolean {
  return classifyDbFailure(err) === 'connection';
}
