/**
 * The main thread's side of the embedded PGlite database, which runs in a worker
 * thread (db/pglite-worker.mjs) so that a long query never stalls the event loop:
 * HTTP requests, ingest batches and timers keep running while it computes.
 *
 * PGlite is one connection, so the host also keeps transactions whole: while
 * `transaction()` runs, statements from outside it wait here (first come, first
 * served: a waiting transaction cannot be overtaken by statements that came later,
 * nor starve them) and only the statements carrying its id reach the worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export type PgliteHostOptions = {
  /** Data folder, or null for an in-memory database. */
  dataDir: string | null;
  schemaName: string;
  /** Keep CPU time per statement text (stats()): for benchmarks, it costs ~20 µs a request. */
  profile?: boolean;
};

type Request =
  | { op: 'query'; sql: string; params: unknown[]; txId?: number; prepare?: boolean; begin?: boolean }
  | { op: 'begin'; txId: number }
  | { op: 'end'; txId: number; commit: boolean }
  | { op: 'migrate'; migrationsFolder: string; migrationsSchema: string }
  | { op: 'close' }
  | { op: 'stats' };

/** The worker thread's CPU time so far, and per statement text when started with `profile` (benchmarks). */
export type PgliteWorkerStats = { cpuUs: number; statements: Record<string, { count: number; ms: number; cpuUs: number }> | null };

type SerializedError = { message: string; name: string; stack?: string; fields: Record<string, string | number> };

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; error: SerializedError }
  | { id: number; ok: true; rows?: unknown[]; stats?: PgliteWorkerStats }
  | { id: number; ok: false; error: SerializedError };

/** `site`: an Error made where the request was, for the stack of a failure (formatted only then). */
type Pending = { resolve: (result: unknown) => void; reject: (err: Error) => void; site: Error };

/**
 * An error the database raised, rebuilt on this thread with the fields of PGlite's
 * DatabaseError (code, detail, …) and the stack of the call that made the request.
 */
export class PgliteError extends Error {
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  query?: string;
}

function rebuildError(error: SerializedError, site: Error | string): PgliteError {
  const err = new PgliteError(error.message);
  Object.assign(err, error.fields);
  // Keep the driver's name (PGlite's DatabaseError is named "error", as in node-postgres).
  Object.defineProperty(err, 'name', { value: error.name, enumerable: false, configurable: true, writable: true });
  // The caller's frames (the worker's own stack says nothing about who asked), minus the header and request().
  const frames = typeof site === 'string' ? site : (site.stack ?? '').split('\n').slice(2).join('\n');
  err.stack = `${error.name}: ${error.message}\n${frames}`;
  return err;
}

/**
 * The worker script, beside this module. Under vitest and tsx that is db/; `next build`
 * copies it verbatim to <distDir>/server/assets/ and points this URL at the copy (its bare
 * imports still resolve from the app's node_modules). The app's db/ folder (found from the
 * working directory, like MIGRATIONS_FOLDER) is the fallback should a bundler not do so.
 */
export function pgliteWorkerPath(): string {
  const candidates = [path.join(process.cwd(), 'db', 'pglite-worker.mjs')];
  try {
    candidates.unshift(fileURLToPath(new URL('./pglite-worker.mjs', import.meta.url)));
  } catch {
    // not a file: URL (a bundle without the copy)
  }
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`PGlite worker script not found (looked at ${candidates.join(', ')}); TRACEDECK_PGLITE_WORKER=0 runs PGlite in-thread`);
  return found;
}

/**
 * First-come-first-served gate between transactions and statements outside them:
 * a transaction holds it from BEGIN to COMMIT/ROLLBACK; outside statements pass
 * freely when nothing holds or waits for it (the worker runs what it receives in order).
 */
class TransactionGate {
  private holder: number | null = null;
  private waiters: { txId: number | null; grant: () => void }[] = [];

  /** null when an outside statement may go now, else when it may. */
  outside(): Promise<void> | null {
    if (this.holder === null && this.waiters.length === 0) return null;
    return new Promise((grant) => this.waiters.push({ txId: null, grant }));
  }

  acquire(txId: number): Promise<void> {
    if (this.holder === null && this.waiters.length === 0) {
      this.holder = txId;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiters.push({ txId, grant }));
  }

  release(): void {
    this.holder = null;
    while (this.waiters.length > 0) {
      const next = this.waiters.shift()!;
      if (next.txId !== null) this.holder = next.txId;
      next.grant();
      if (next.txId !== null) return;
    }
  }
}

export class PgliteHost {
  private readonly pending = new Map<number, Pending>();
  private readonly gate = new TransactionGate();
  private nextId = 1;
  private nextTxId = 1;
  /** Transactions whose BEGIN has not been sent yet (it goes with their first statement). */
  private readonly unopened = new Set<number>();
  /** Set once no request can succeed any more: closed, or the worker died. */
  private gone: Error | null = null;
  private closing: Promise<void> | null = null;
  private lastWorkerError: Error | null = null;
  private drainWaiters: (() => void)[] = [];

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker and resolves once PGlite is open in it (or rejects with why it could not open). */
  static async start(options: PgliteHostOptions): Promise<PgliteHost> {
    const worker = new Worker(pgliteWorkerPath(), {
      workerData: options,
      // Not the parent's flags (tsx loaders, vitest's --require): the worker is plain JavaScript.
      execArgv: [],
    });
    const host = new PgliteHost(worker);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(
          new Error(
            `the PGlite worker thread exited before the database opened (exit code ${code})${host.lastWorkerError ? `: ${host.lastWorkerError.message}` : ''}`,
          ),
        );
      worker.once('exit', onExit);
      worker.on('error', (err) => (host.lastWorkerError = err));
      worker.on('message', (message: WorkerMessage) => {
        if ('type' in message) {
          worker.off('exit', onExit);
          if (message.type === 'ready') resolve();
          else {
            void worker.terminate();
            reject(rebuildError(message.error, `    at PGlite.create (${options.dataDir ?? 'memory://'})`));
          }
          return;
        }
        host.settle(message);
      });
    });
    worker.on('exit', (code) => host.workerExited(code));
    // An idle worker does not keep the process alive (see request()).
    worker.unref();
    return host;
  }

  /**
   * Runs one statement; `txId` for a statement of that (open) transaction; `prepare` keeps it
   * as a named prepared statement in the worker (parsed and planned once, for a text that recurs).
   */
  async query(sql: string, params: unknown[], txId?: number, prepare = false): Promise<unknown[]> {
    if (txId === undefined) {
      const wait = this.gate.outside();
      if (wait) await wait;
    }
    // A transaction's first statement carries its BEGIN (see transaction()).
    const begin = txId !== undefined && this.unopened.delete(txId);
    return (await this.request({ op: 'query', sql, params, txId, ...(prepare ? { prepare } : {}), ...(begin ? { begin } : {}) })) as unknown[];
  }

  /**
   * Runs `work` between BEGIN and COMMIT (ROLLBACK when it throws) in the worker;
   * `work` gets the transaction's id to pass to query().
   */
  async transaction<T>(work: (txId: number) => Promise<T>): Promise<T> {
    const txId = this.nextTxId++;
    await this.gate.acquire(txId);
    // BEGIN travels with the first statement: while a transaction holds the gate, every round trip
    // is time the worker waits for this thread (busy decoding other requests) with appends queued.
    this.unopened.add(txId);
    const opened = () => !this.unopened.has(txId);
    try {
      let result: T;
      try {
        result = await work(txId);
      } catch (err) {
        // The work's error is the one to report; a failed ROLLBACK (worker gone) adds nothing.
        if (opened()) await this.request({ op: 'end', txId, commit: false }).catch(() => {});
        throw err;
      }
      if (opened()) await this.request({ op: 'end', txId, commit: true });
      return result;
    } finally {
      this.unopened.delete(txId);
      this.gate.release();
    }
  }

  async migrate(migrationsFolder: string, migrationsSchema: string): Promise<void> {
    const wait = this.gate.outside();
    if (wait) await wait;
    await this.request({ op: 'migrate', migrationsFolder, migrationsSchema });
  }

  /** Waits for running work, closes PGlite (its files are consistent on disk) and ends the worker. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Held like a transaction: the running one ends first, later ones find the database closed.
      await this.gate.acquire(0);
      try {
        await this.drained();
        if (!this.gone) await this.request({ op: 'close' });
      } finally {
        this.gone ??= new Error('the PGlite database is closed');
        await this.worker.terminate();
        this.gate.release();
      }
    })();
    return this.closing;
  }

  /** Resolves when no request is in flight. */
  private drained(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The worker thread's CPU time (and statement profile): what the database itself cost, for benchmarks. */
  async stats(): Promise<PgliteWorkerStats> {
    return (await this.request({ op: 'stats' })) as PgliteWorkerStats;
  }

  private request(message: Request): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    const site = new Error();
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ id, ...message });
      } catch (err) {
        // e.g. a parameter the structured clone cannot copy (a function).
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject, site });
    });
  }

  private settle(message: Exclude<WorkerMessage, { type: string }>): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    if (message.ok) p.resolve(message.rows ?? message.stats ?? []);
    else p.reject(rebuildError(message.error, p.site));
    if (this.pending.size === 0) this.becameIdle();
  }

  private becameIdle(): void {
    this.worker.unref();
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private workerExited(code: number): void {
    if (!this.gone || this.pending.size > 0) {
      const cause = this.lastWorkerError ? `: ${this.lastWorkerError.message}` : '';
      const err = new Error(`the PGlite worker thread exited unexpectedly (exit code ${code})${cause}`, { cause: this.lastWorkerError ?? undefined });
      this.gone ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.becameIdle();
    }
  }
}
