/** Shared plumbing of the benchmarks: percentiles, process-tree RSS, a served app on a chosen database. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { freePort } from '../tests/support/app-server';
import { benchDistDir, ensureBenchBuild } from './build';

/** `--name value` or `--name=value` from the command line. */
export function arg(name: string, fallback: string, argv = process.argv): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1] ?? fallback;
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return fallback;
}

/** True when the module is the script being run (`npx tsx bench/x.ts`), not imported by bench/run.ts. */
export const isMain = (moduleUrl: string) => !!process.argv[1] && pathToFileURL(process.argv[1]).href === moduleUrl;

/** A script's entry when it is the one run: `main`, then exit 0, or print the error and exit 1. */
export function runIfMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (!isMain(moduleUrl)) return;
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed (sequentially, one client): durations in ms and the last result. */
export async function timed<T>(fn: () => Promise<T>, runs: number, warmup: number): Promise<{ ms: number[]; last: T }> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  return { ms, last: last as T };
}

/** `TRACEDECK_TOKEN` (the CLI's variable) as a bearer token, for a server with auth on; nothing otherwise. */
export const authHeaders = (): Record<string, string> => (process.env.TRACEDECK_TOKEN ? { authorization: `Bearer ${process.env.TRACEDECK_TOKEN}` } : {});

/** GET → parsed JSON, failing loudly on a non-2xx answer (a benchmark of error pages would be meaningless). */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: authHeaders() });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** GET → the whole body as text (a streamed page counts until its last byte). A redirect (e.g. to /login) fails. */
export async function getText(url: string): Promise<string> {
  const res = await fetch(url, { headers: authHeaders(), redirect: 'error' });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}

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

export type ServedApp = {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** What the server printed (stdout and stderr), for a failure's report. */
  output(): string;
  /** Whether the server process has exited (crashed, when the benchmark did not stop it). */
  exited(): boolean;
};

/**
 * `tracedeck serve --no-build` with the given env (DATABASE_URL + TRACEDECK_DB_SCHEMA, or TRACEDECK_DATA_DIR),
 * on the benchmark's own build (bench/build.ts builds it first when the sources are newer).
 */
export async function serveApp(env: Record<string, string>): Promise<ServedApp> {
  await ensureBenchBuild();
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/tracedeck.mjs', 'serve', '--no-build', '--port', String(port), '--hostname', '127.0.0.1'], {
    // Retention off: the workload's fixed dates (bench/workload-files.ts) age past any retention, and ingest would reject them.
    // No OTLP listeners beside the web port: two benchmark servers may run at once.
    env: {
      ...process.env,
      NEXT_DIST_DIR: benchDistDir(),
      TRACEDECK_RETENTION: process.env.TRACEDECK_RETENTION ?? 'off',
      TRACEDECK_GRPC_PORT: '0',
      TRACEDECK_OTLP_HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  // A benchmark that fails half-way must not leave its (detached) server running.
  const killOnExit = () => {
    try {
      if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited:\n${output}`);
    try {
      if ((await fetch(`${url}/api/attributes`, { headers: authHeaders() })).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline) {
      killOnExit();
      throw new Error(`serve did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid as number,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        process.kill(-(child.pid as number), 'SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
