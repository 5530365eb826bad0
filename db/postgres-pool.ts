/**
 * The postgres.js client behind the Postgres `Db`, replaced by a fresh one after a
 * connection-level failure (the server stopped, restarted, or dropped a backend).
 *
 * Why not just let postgres.js reconnect: in postgres.js 3.4.9 a connection whose
 * socket closes while a small write is still buffered keeps a stale write timer and
 * that buffer, so every later use of it hangs until connect_timeout and fails again
 * (porsager/postgres#1154, #1208, open upstream). After Postgres came back, a share
 * of ingest requests kept failing that way. A new client has only clean connections;
 * the old one finishes what it is running and is ended.
 *
 * Transactions do not use `sql.begin()` for the same reason: when the connection dies
 * mid-transaction, begin() writes its own ROLLBACK to the dead socket, and 3.4.9 throws
 * that from a setImmediate (an uncaught TypeError that ends a plain Node process). Here
 * a transaction that lost its connection writes nothing more to it.
 */
import type postgres from 'postgres';

/**
 * Failures of the connection rather than of the statement: postgres.js's own codes,
 * socket errors, SQLSTATE class 08 (connection exception) and 57P (the server is
 * shutting down, crashed, or not accepting connections yet).
 */
const CONNECTION_ERROR_CODES = new Set([
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

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code.startsWith('57P');
}

/** How long a replaced client may finish the statements it is running. */
const RETIRE_TIMEOUT_SECONDS = 30;

export class RecyclingClient {
  private current: postgres.Sql;
  private readonly retiring = new Set<Promise<void>>();
  /** How many times the client was replaced (for logs and tests). */
  replaced = 0;

  constructor(private readonly create: () => postgres.Sql) {
    this.current = create();
  }

  /** The client new work should use. */
  get client(): postgres.Sql {
    return this.current;
  }

  /** Runs `work` on the current client; a connection failure retires that client before the error is rethrown. */
  async use<T>(work: (client: postgres.Sql) => Promise<T>): Promise<T> {
    const client = this.current;
    try {
      return await work(client);
    } catch (err) {
      // Only the first failure of the current client replaces it: a burst of failures
      // from one outage must not churn through clients it already retired.
      if (client === this.current && isConnectionError(err)) this.replace();
      throw err;
    }
  }

  private replace(): void {
    const old = this.current;
    this.current = this.create();
    this.replaced++;
    const ending: Promise<void> = old
      .end({ timeout: RETIRE_TIMEOUT_SECONDS })
      .catch(() => {})
      .finally(() => this.retiring.delete(ending));
    this.retiring.add(ending);
  }

  async end(timeoutSeconds: number): Promise<void> {
    await Promise.all([this.current.end({ timeout: timeoutSeconds }), ...this.retiring]);
  }
}

/**
 * BEGIN … COMMIT on a reserved connection. After a statement error the transaction is
 * rolled back and the connection returned; after a connection error neither (the
 * connection is gone, and its client is being retired by `RecyclingClient.use`).
 */
export async function transactionOn<T>(client: postgres.Sql, work: (tx: postgres.ReservedSql) => Promise<T>): Promise<T> {
  const tx = await client.reserve();
  let reusable = true;
  try {
    await tx.unsafe('BEGIN');
    const result = await work(tx);
    await tx.unsafe('COMMIT');
    return result;
  } catch (err) {
    if (isConnectionError(err)) reusable = false;
    else await tx.unsafe('ROLLBACK').catch(() => (reusable = false));
    throw err;
  } finally {
    if (reusable) tx.release();
  }
}
