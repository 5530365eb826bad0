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
import { setMaxListeners } from 'node:events';
import type postgres from 'postgres';
import { POOL_TIMEOUT, isConnectionError } from './failures';

/**
 * 'steady' for the first client and once Postgres answers again; 'reconnecting' for the
 * clients made after a connection failure, until one of them has worked. The factory gives
 * a reconnecting client a shorter connect timeout, so requests fail fast while the server is
 * down or restarting.
 */
export type PoolMode = 'steady' | 'reconnecting';

type Pooled = { sql: postgres.Sql; mode: PoolMode; retired: AbortController };

/** How long a replaced client may finish the statements it is running. */
const RETIRE_TIMEOUT_SECONDS = 30;

export class RecyclingClient {
  private current: Pooled;
  private readonly retiring = new Set<Promise<void>>();
  /** How many times the client was replaced (for logs and tests). */
  replaced = 0;

  constructor(private readonly create: (mode: PoolMode) => postgres.Sql) {
    this.current = this.pooled('steady');
  }

  /** The client new work should use. */
  get client(): postgres.Sql {
    return this.current.sql;
  }

  /** The current client's mode (for tests). */
  get mode(): PoolMode {
    return this.current.mode;
  }

  /**
   * Runs `work` on the current client; a connection failure retires that client before the
   * error is rethrown. `retired` is aborted when the client is retired: a transaction still
   * waiting for one of its connections then gives up (see `transactionOn`).
   */
  async use<T>(work: (client: postgres.Sql, retired: AbortSignal) => Promise<T>): Promise<T> {
    const used = this.current;
    let result: T;
    try {
      result = await work(used.sql, used.retired.signal);
    } catch (err) {
      // Only the first failure of the current client replaces it: a burst of failures
      // from one outage must not churn through clients it already retired.
      if (used === this.current && isConnectionError(err)) this.replace('reconnecting');
      throw err;
    }
    // Postgres answers again: back to a client with the steady connect timeout.
    if (used === this.current && used.mode === 'reconnecting') this.replace('steady');
    return result;
  }

  private pooled(mode: PoolMode): Pooled {
    const retired = new AbortController();
    // One listener per transaction waiting for a connection: as many as the pool has waiters.
    setMaxListeners(0, retired.signal);
    return { sql: this.create(mode), mode, retired };
  }

  private replace(mode: PoolMode): void {
    const old = this.current;
    this.current = this.pooled(mode);
    this.replaced++;
    old.retired.abort();
    const ending: Promise<void> = old.sql
      .end({ timeout: RETIRE_TIMEOUT_SECONDS })
      .catch(() => {})
      .finally(() => this.retiring.delete(ending));
    this.retiring.add(ending);
  }

  /**
   * Ends the current client, and waits for retired ones as long at most: a retired client whose
   * connection died mid-query only ends at its own RETIRE_TIMEOUT_SECONDS, since postgres.js
   * 3.4.9 keeps that query on the connection and waits for it (porsager/postgres#1130).
   */
  async end(timeoutSeconds: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutSeconds * 1000)));
    try {
      await Promise.all([this.current.sql.end({ timeout: timeoutSeconds }), Promise.race([Promise.all(this.retiring), bound])]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Longest a transaction waits for a pooled connection before it is answered "retry later". */
export const POOL_WAIT_SECONDS = 5;

/**
 * BEGIN … COMMIT on a reserved connection. After a statement error the transaction is
 * rolled back and the connection returned; after a connection error neither (the
 * connection is gone, and its client is being retired by `RecyclingClient.use`).
 */
export async function transactionOn<T>(
  client: postgres.Sql,
  work: (tx: postgres.ReservedSql) => Promise<T>,
  retired?: AbortSignal,
  waitSeconds = POOL_WAIT_SECONDS,
): Promise<T> {
  const tx = await reserveConnection(client, retired, waitSeconds);
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

/**
 * `client.reserve()`, given up when the client is retired or after `waitSeconds`. In
 * postgres.js 3.4.9 a reserve() queued while a connection closes can be handed to that
 * connection's reconnect and dropped there, and one queued on an ended client is never
 * served: it stays pending for good (porsager/postgres#1195). Ingest requests hung on
 * it while Postgres restarted, each holding an ingest slot.
 */
async function reserveConnection(client: postgres.Sql, retired: AbortSignal | undefined, waitSeconds: number): Promise<postgres.ReservedSql> {
  const reserving = client.reserve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onRetired = () => {};
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(poolError(POOL_TIMEOUT, `no database connection came free within ${waitSeconds} s`)), waitSeconds * 1000);
    onRetired = () => reject(poolError('CONNECTION_ENDED', 'the connection pool was replaced while this transaction waited for a connection'));
    if (retired?.aborted) onRetired();
    else retired?.addEventListener('abort', onRetired, { once: true });
  });
  try {
    return await Promise.race([reserving, givenUp]);
  } catch (err) {
    // A connection handed over after this gave up goes straight back to its pool.
    reserving.then(
      (tx) => tx.release(),
      () => {},
    );
    throw err;
  } finally {
    clearTimeout(timer);
    retired?.removeEventListener('abort', onRetired);
  }
}

function poolError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
