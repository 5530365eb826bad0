/**
 * A throwaway Postgres cluster of the machine's own binaries, for tests that stop and
 * start the server (tests/integration/faults.test.ts): initdb in a temp dir with trust
 * auth, a free port on 127.0.0.1 and its unix socket in the same dir, so stopping it
 * never touches the shared cluster on 5432. initdb refuses to run as root, so as root
 * every command runs as the `postgres` user (runuser) in a dir that user owns.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from './app-server';

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/N/bin that has initdb, or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : null;
}

export type ScratchCluster = {
  /** postgres://postgres@127.0.0.1:PORT/DB */
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl start` (waits until it accepts connections). */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: sessions are ended, in-flight transactions roll back. */
  stop(): Promise<void>;
  /** Stops the server and removes the dir. */
  destroy(): Promise<void>;
  /** The server log (for a failing test's message). */
  log(): string;
};

export async function startScratchCluster(database = 'faults'): Promise<ScratchCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no /usr/lib/postgresql/*/bin/initdb on this machine');
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: gidOut } = await run('id', ['-g', 'postgres']);
    fs.chownSync(dir, uid, Number(gidOut.trim()));
  }
  const asOwner = (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, file), ...args]) : run(path.join(bin, file), args);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();

  await asOwner('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'].join(
    ' ',
  );
  const start = async () => {
    await asOwner('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await asOwner('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  const running = () => fs.existsSync(path.join(dataDir, 'postmaster.pid'));

  await start();
  const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dir,
    start,
    stop,
    async destroy() {
      try {
        if (running()) await stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
  };
}
