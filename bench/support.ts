/** Shared plumbing of the benchmarks: percentiles, process-tree RSS, a served app on a chosen database. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../tests/support/app-server';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function summary(values: number[]): { p50: number; p95: number; p99: number; max: number; n: number } {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, n: s.length };
}

/** RSS (bytes) of a process and all its descendants, from /proc. */
export function treeRss(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* process exited */
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop() as number;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export type ServedApp = { url: string; pid: number; stop(): Promise<void> };

/** `tracedeck serve` with the given env (DATABASE_URL + TRACEDECK_DB_SCHEMA, or TRACEDECK_DATA_DIR). */
export async function serveApp(env: Record<string, string>): Promise<ServedApp> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/tracedeck.mjs', 'serve', '--port', String(port), '--hostname', '127.0.0.1'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited:\n${output}`);
    try {
      if ((await fetch(`${url}/api/attributes`)).ok) break;
    } catch {
      /* starting */
    }
    if (i > 1200) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null) {
        process.kill(-(child.pid as number), 'SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
