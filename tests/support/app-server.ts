/**
 * Starts the real app the way users do (`tracedeck serve`: build if stale,
 * migrate, `next start`) on a free port with its own embedded database folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** `pid`: the `tracedeck serve` process (the supervisor of the Next server). */
export type AppServer = { url: string; dataDir: string; pid: number; output: () => string; stop(): Promise<void> };

/** A TCP port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * The OTLP listeners beside the web port are on by default (4317, 4318) and the Plano
 * config is looked up in ./ and ~/.plano: test servers run in parallel and must not
 * depend on the machine, so they get neither unless a test asks (an `undefined` value
 * unsets a variable).
 */
const TEST_DEFAULTS = { TRACEDECK_GRPC_PORT: '0', TRACEDECK_OTLP_HTTP_PORT: '0', TRACEDECK_CONFIG: 'off' };

function serverEnv(dataDir: string, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const full: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', TRACEDECK_DATA_DIR: dataDir, ...TEST_DEFAULTS };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete full[key];
    else full[key] = value;
  }
  return full;
}

export async function startAppServer(env: Record<string, string | undefined> = {}): Promise<AppServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracedeck-e2e-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/tracedeck.mjs', 'serve', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: process.cwd(),
    env: serverEnv(dataDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 540_000; // includes a `next build` on a fresh clone
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tracedeck serve exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/api/attributes`);
      // 401: up, with read tokens configured (tests/e2e/auth.test.ts).
      if (res.ok || res.status === 401) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`tracedeck serve did not answer in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    dataDir,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.pid) {
        process.kill(-child.pid, 'SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
