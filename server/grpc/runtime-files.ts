/**
 * Small files under `.tracedeck/` that let separate `tracedeck` processes find
 * each other:
 *
 * - the listener's pid file (`.tracedeck/grpc.pid`, or TRACEDECK_GRPC_PID_FILE),
 *   written by `tracedeck trace listen` and read by `tracedeck trace down`;
 * - the owner file of an embedded PGlite data folder (`<data dir>.owner.json`,
 *   beside the folder), so `trace listen` and `serve` never open the same folder
 *   at once: PGlite allows one process per data folder.
 *
 * A recorded process counts only while it is alive and (where /proc exists) its
 * command line mentions tracedeck, so a stale file left by a crash, or a pid
 * reused by another program, is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSettings } from '../config';

export type ListenerRecord = { pid: number; host: string; port: number; startedAt: string; database?: string };
export type OwnerRecord = { pid: number; role: 'server' | 'grpc-listener'; startedAt: string };

/** The pid file's path: TRACEDECK_GRPC_PID_FILE (server/config `grpc.pidFile`) or `.tracedeck/grpc.pid`. */
export function listenerPidFile(configured: string | null): string {
  return path.resolve(configured || path.join('.tracedeck', 'grpc.pid'));
}

/** True when `pid` runs and looks like a tracedeck process. */
export function isTracedeckProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's; still "alive".
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('tracedeck');
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  fs.renameSync(tmp, file);
}

/** Removes `file` if it still names `pid` (never another process's record). */
function removeIfOwn(file: string, pid: number): void {
  const record = readJson(file) as { pid?: unknown } | null;
  if (record && record.pid === pid) fs.rmSync(file, { force: true });
}

/** The running listener recorded in the pid file, or null (a stale file is removed). */
export function readListener(file: string): ListenerRecord | null {
  if (!fs.existsSync(file)) return null;
  const raw = readJson(file);
  const record = (typeof raw === 'number' ? { pid: raw, host: '0.0.0.0', port: 0, startedAt: '' } : raw) as Partial<ListenerRecord> | null;
  if (!record || typeof record.pid !== 'number' || !isTracedeckProcess(record.pid)) {
    fs.rmSync(file, { force: true });
    return null;
  }
  return {
    pid: record.pid,
    host: String(record.host ?? ''),
    port: Number(record.port ?? 0),
    startedAt: String(record.startedAt ?? ''),
    ...(record.database ? { database: record.database } : {}),
  };
}

export function writeListener(record: ListenerRecord, file: string): () => void {
  writeJson(file, record);
  return () => removeIfOwn(file, record.pid);
}

/** The PGlite data folder the configuration points at, or null for Postgres or an in-memory database. */
export function pgliteDataDir(database: Pick<DatabaseSettings, 'url' | 'dataDir'>): string | null {
  if (database.url) return null;
  return database.dataDir.startsWith('memory://') ? null : path.resolve(database.dataDir);
}

export function ownerFile(dataDir: string): string {
  return `${path.resolve(dataDir).replace(/[\\/]+$/, '')}.owner.json`;
}

/** The live process (other than this one) that has the data folder open, or null. */
export function dataDirOwner(dataDir: string): OwnerRecord | null {
  const raw = readJson(ownerFile(dataDir)) as Partial<OwnerRecord> | null;
  if (!raw || typeof raw.pid !== 'number' || raw.pid === process.pid || !isTracedeckProcess(raw.pid)) return null;
  return { pid: raw.pid, role: raw.role === 'grpc-listener' ? 'grpc-listener' : 'server', startedAt: String(raw.startedAt ?? '') };
}

export function describeOwner(owner: OwnerRecord): string {
  return owner.role === 'grpc-listener' ? `\`tracedeck trace listen\` (PID ${owner.pid})` : `the Tracedeck server (PID ${owner.pid})`;
}

export class DataDirBusyError extends Error {
  constructor(
    message: string,
    readonly owner: OwnerRecord,
  ) {
    super(message);
    this.name = 'DataDirBusyError';
  }
}

/**
 * Records this process (or `pid`: `tracedeck serve`'s supervisor, claimed for by its preparing
 * child) as the user of the data folder; throws DataDirBusyError when another live tracedeck
 * process has it. Returns the release function.
 */
export function claimDataDir(dataDir: string, role: OwnerRecord['role'], busyHint: (owner: OwnerRecord) => string, pid = process.pid): () => void {
  const owner = dataDirOwner(dataDir);
  if (owner) {
    throw new DataDirBusyError(
      `the embedded database at ${dataDir} is open in ${describeOwner(owner)}; PGlite allows one process per data folder.\n${busyHint(owner)}`,
      owner,
    );
  }
  const file = ownerFile(dataDir);
  writeJson(file, { pid, role, startedAt: new Date().toISOString() } satisfies OwnerRecord);
  return () => removeIfOwn(file, pid);
}
