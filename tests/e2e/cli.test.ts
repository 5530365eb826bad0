/**
 * `tracedeck trace` end to end: the real binary (node bin/tracedeck.mjs) against
 * the built server (`tracedeck serve`, embedded database) loaded by `tracedeck seed`.
 * Expectations come from the same HTTP API the web UI reads.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../lib/trace/wire';
import { type AppServer, startAppServer } from '../support/app-server';

type Run = { code: number; stdout: string; stderr: string };
type PlanoaiJson = {
  traces: {
    trace_id: string;
    share_url: string;
    spans: { traceId: string; spanId: string; parentSpanId: string; service: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
  }[];
};

const BIN = 'bin/tracedeck.mjs';
const ANSI = /\x1b\[/;

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'TRACEDECK_URL']) if (!(key in extra)) delete env[key];
  return env;
}

describe('tracedeck trace (real binary, built server, seeded data)', () => {
  let app: AppServer;
  let newest: TraceSummary[];

  const trace = (args: string[], env: Record<string, string> = {}, withUrl = true): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'trace', ...args, ...(withUrl ? ['--url', app.url] : [])],
        { env: baseEnv(env), timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${app.url}${path}`)).json()) as T;
  const apiTraces = async (query: string) => (await api<{ traces: TraceSummary[] }>(`/api/traces?${query}`)).traces;

  beforeAll(async () => {
    app = await startAppServer();
    execFileSync(process.execPath, [BIN, 'seed', '--url', app.url, '--traces', '120', '--seed', '5'], { stdio: 'pipe' });
    newest = await apiTraces('limit=1000');
    expect(newest).toHaveLength(120);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('default target: the newest trace as a span tree, with offsets, no colours when piped, and its share URL', async () => {
    const r = await trace([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const id = newest[0].traceId;
    expect(r.stdout).toContain(`Trace: ${id} (`);
    expect(r.stdout).toMatch(/^└── 0ms plano\(inbound\) POST \/v1\/(chat\/completions|responses)$/m);
    expect(r.stdout).toMatch(/^ {4}├── \d+ms plano\(routing\) route$/m);
    expect(r.stdout).toMatch(/^ {8}└── \d+ms plano\(outbound\) POST /m);
    expect(r.stdout).not.toMatch(ANSI);
    const share = /^Open in Tracedeck: (\S+)$/m.exec(r.stdout)?.[1];
    expect(share).toBeDefined();
    const url = new URL(share!);
    expect(`${url.origin}`).toBe(app.url);
    expect(url.pathname).toBe(`/traces/${id}`);
    expect(url.searchParams.get('from')).toBeTruthy();
    // The share URL opens the trace page of the web UI.
    expect((await fetch(share!)).status).toBe(200);
  });

  it('TRACEDECK_URL is the default server; FORCE_COLOR turns colours on, NO_COLOR off', async () => {
    const viaEnv = await trace([], { TRACEDECK_URL: app.url }, false);
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain(`Trace: ${newest[0].traceId}`);
    const coloured = await trace([], { FORCE_COLOR: '3' });
    expect(coloured.stdout).toMatch(ANSI);
    const plain = await trace([], { FORCE_COLOR: '3', NO_COLOR: '1' });
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it('--list: planoai’s "Trace IDs:" list of short ids, newest first, 50 at most by default', async () => {
    const r = await trace(['--list', '--no-interactive']);
    expect(r.code).toBe(0);
    const ids = [...r.stdout.matchAll(/^ {2}- ([0-9a-f]{8}) \(\d+ms total • [\d-]+ [\d:]+\)/gm)].map((m) => m[1]);
    expect(r.stdout).toMatch(/^Trace IDs:$/m);
    expect(ids).toEqual(newest.slice(0, 50).map((t) => t.traceId.slice(0, 8)));
    const limited = await trace(['--list', '--limit', '7']);
    expect([...limited.stdout.matchAll(/^ {2}- ([0-9a-f]{8})/gm)]).toHaveLength(7);
  });

  it('--json --limit 3: planoai’s {"traces": [...]} with the newest three, spans mapped from the stored ones', async () => {
    const r = await trace(['--json', '--limit', '3']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as PlanoaiJson;
    expect(Object.keys(body)).toEqual(['traces']);
    expect(body.traces.map((t) => t.trace_id)).toEqual(newest.slice(0, 3).map((t) => t.traceId));
    for (const t of body.traces) {
      expect(t.spans).toHaveLength(4);
      expect(t.spans[0].parentSpanId).toBe('');
      expect(t.spans.every((s) => s.traceId === t.trace_id)).toBe(true);
      expect(t.spans.map((s) => s.service).sort()).toEqual(['plano(inbound)', 'plano(llm)', 'plano(outbound)', 'plano(routing)']);
      expect(t.spans[0].attributes).toContainEqual({ key: 'http.method', value: { stringValue: 'POST' } });
      expect(t.share_url).toContain(`/traces/${t.trace_id}?`);
    }
    const ids = await trace(['--list', '--json', '--limit', '3']);
    expect(JSON.parse(ids.stdout)).toEqual({ trace_ids: newest.slice(0, 3).map((t) => t.traceId) });
  });

  it('a short id (and a full id) shows that trace', async () => {
    const target = newest[17];
    const short = await trace([target.traceId.slice(0, 8)]);
    expect(short.code).toBe(0);
    expect(short.stdout).toContain(`Trace: ${target.traceId} (`);
    const full = await trace([target.traceId.toUpperCase(), '--json']);
    expect((JSON.parse(full.stdout) as PlanoaiJson).traces.map((t) => t.trace_id)).toEqual([target.traceId]);
    const missing = await trace(['abcdef0123456789abcdef0123456789']);
    expect(missing).toMatchObject({ code: 0, stdout: 'No traces found.\n' });
  });

  it.each([
    [['abc'], 'Trace ID must be 8 or 32 hex characters.'],
    [['zzzzzzzz'], 'Short trace ID must be 8 hex characters.'],
    [['00000000'], 'Short trace ID must be 8 hex characters.'],
    [['0'.repeat(32)], 'Trace ID must be 32 hex characters.'],
    [['--list', 'deadbeef'], 'Target and --list cannot be used together.'],
    [['--limit', '-1'], 'Limit must be greater than or equal to 0.'],
    [['any', '--where', 'bad-format'], 'Invalid --where filter(s): bad-format. Use key=value.'],
    [['--where', 'tenant.id=acme-corp', '--where', 'x=='], 'Invalid --where filter(s): x==. Use key=value.'],
    [['any', '--where', 'not.a.real.key=value', '--where', 'tenant.id=globex'], 'Unknown --where key(s): not.a.real.key'],
    [['--filter', 'http.method,'], 'Filter contains empty tokens.'],
  ])('trace %j → %s (exit 1)', async (args, message) => {
    const r = await trace(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('--where filters AND together, like the API; filters that exclude everything print planoai’s message', async () => {
    const expected = await apiTraces('where=tenant.id=globex&where=llm.model=gpt-4o-mini&limit=1000');
    expect(expected.length).toBeGreaterThan(1);
    const r = await trace(['any', '--where', 'tenant.id=globex', '--where', 'llm.model=gpt-4o-mini', '--json', '--limit', '1000']);
    const body = JSON.parse(r.stdout) as PlanoaiJson;
    expect(body.traces.map((t) => t.trace_id)).toEqual(expected.map((t) => t.traceId));
    for (const t of body.traces) {
      const pairs = t.spans.flatMap((s) => s.attributes.map((a) => `${a.key}=${String(a.value.stringValue)}`));
      expect(pairs).toContain('tenant.id=globex');
      expect(pairs).toContain('llm.model=gpt-4o-mini');
    }
    // The richer grammar, and planoai's "everything after = is the value".
    const rich = await trace(['--list', '--json', '--limit', '1000', '--where', 'http.status_code>=500 OR error.message="rate limit exceeded for tenant"']);
    const richExpected = await apiTraces(`where=${encodeURIComponent('http.status_code>=500 OR error.message="rate limit exceeded for tenant"')}&limit=1000`);
    const limited = await apiTraces(`where=${encodeURIComponent('error.message="rate limit exceeded for tenant"')}&limit=1000`);
    expect(limited.length).toBeGreaterThan(0);
    expect(richExpected.length).toBeGreaterThan(limited.length);
    expect(JSON.parse(rich.stdout)).toEqual({ trace_ids: richExpected.map((t) => t.traceId) });
    const planoaiForm = await trace(['any', '--list', '--json', '--where', 'error.message=rate limit exceeded for tenant']);
    expect(JSON.parse(planoaiForm.stdout)).toEqual({ trace_ids: limited.slice(0, 50).map((t) => t.traceId) });

    const none = ['--where', 'tenant.id=globex', '--where', 'tenant.id=acme-corp'];
    expect(await trace(none)).toMatchObject({ code: 0, stdout: 'No traces found.\n', stderr: '' });
    expect(await trace([...none, '--list'])).toMatchObject({ code: 0, stdout: 'No trace IDs found.\n' });
    expect(JSON.parse((await trace([...none, 'any', '--json'])).stdout)).toEqual({ traces: [] });
  });

  it("--filter 'http.*' keeps only matching attributes; an unmatched pattern warns and shows everything", async () => {
    const r = await trace(['--filter', 'http.*']);
    expect(r.code).toBe(0);
    const keys = [...r.stdout.matchAll(/── ([\w.:-]+): /g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.every((k) => k.startsWith('http.'))).toBe(true);
    const json = JSON.parse((await trace(['any', '--limit', '5', '--json', '--filter', 'http.*'])).stdout) as PlanoaiJson;
    expect(json.traces.flatMap((t) => t.spans.flatMap((s) => s.attributes.map((a) => a.key))).every((k) => k.startsWith('http.'))).toBe(true);

    const unmatched = await trace(['--filter', 'not-found-*', '--filter', 'http.*']);
    expect(unmatched.code).toBe(0);
    expect(unmatched.stderr).toBe('Warning: Filter key(s) not found: not-found-*. Returning unfiltered traces.\n');
    expect(unmatched.stdout).toMatch(/── tenant\.id: /);
  });

  it('--since limits to recent traces, as the API does', async () => {
    const expected = await apiTraces('since=6h&limit=1000');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(120);
    const r = await trace(['--since', '6h', '--list', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ trace_ids: expected.slice(0, 50).map((t) => t.traceId) });
    // The seed leaves the last two minutes empty.
    expect(await trace(['--since', '1m'])).toMatchObject({ code: 0, stdout: 'No traces found.\n' });
  });

  it('a grammar error prints the filter, a caret under the column and the message; so does one the server finds', async () => {
    const r = await trace(['--where', 'tenant.id=acme-corp AND http.status_code>=']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      ["Error: --where: expected a value after '>=' at column 43", '  tenant.id=acme-corp AND http.status_code>=', `  ${' '.repeat(42)}^`, ''].join('\n'),
    );
    const server = await trace(['--where', 'tenant.id=acme-corp', '--where', 'kind=sideways']);
    expect(server.code).toBe(1);
    expect(server.stderr).toMatch(/^Error: --where #2: .*sideways.* at column 6\n {2}kind=sideways\n {7}\^{8}\n$/);
  });

  it('an unreachable server: names the URL and suggests npm start (exit 1)', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    const r = await trace(['--url', `http://127.0.0.1:${port}`], {}, false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot reach Tracedeck at http://127.0.0.1:${port}`);
    expect(r.stderr).toContain('npm start');
  });

  it('--list on a terminal: the picker (arrow down, Enter) shows the chosen trace', async () => {
    let hasScript = true;
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      hasScript = false;
    }
    if (!hasScript) return; // util-linux `script` gives the command a pseudo-terminal
    const command = `${JSON.stringify(process.execPath)} ${BIN} trace --list --limit 5 --url ${app.url}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: baseEnv({ NO_COLOR: '1', COLUMNS: '120', LINES: '40' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(/Select a trace to view:/);
      expect(out).toContain(`❯ ${newest[0].traceId.slice(0, 8)} (`);
      child.stdin.write('\x1b[B');
      await waitFor(new RegExp(`❯ ${newest[1].traceId.slice(0, 8)}`));
      child.stdin.write('\r');
      await waitFor(/Open in Tracedeck: /);
      child.stdin.end();
      await exited;
    } finally {
      if (child.exitCode === null) child.kill();
    }
    expect(out).toContain(`Trace: ${newest[1].traceId} (`);
  });
});

describe('configuration at start-up: a malformed value stops `serve` and `trace listen`, naming the variable', () => {
  const start = (args: string[], env: Record<string, string>): Promise<Run> =>
    new Promise((resolve) => {
      // An unusable data folder: nothing may get as far as opening a database.
      const full = baseEnv({ DATABASE_URL: '', TRACEDECK_DATA_DIR: '/nonexistent/tracedeck-data', ...env });
      execFile(process.execPath, [BIN, ...args], { env: full, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  it.each([
    [{ TRACEDECK_MAX_BODY_BYTES: 'lots' }, "TRACEDECK_MAX_BODY_BYTES must be a positive integer (got 'lots')"],
    [{ TRACEDECK_SAMPLING: 'plano=two' }, "TRACEDECK_SAMPLING: 'plano=two' needs a percent in (0, 100]"],
    [{ TRACEDECK_ATTRIBUTE_MAP: 'colour=x' }, 'TRACEDECK_ATTRIBUTE_MAP: expected field=key'],
  ])('serve with %j', async (env, message) => {
    const r = await start(['serve', '--no-build'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`[tracedeck] ${message}`);
  });

  it('trace listen with a malformed TRACEDECK_GRPC_PORT', async () => {
    const r = await start(['trace', 'listen'], { TRACEDECK_GRPC_PORT: 'grpc' });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain("Error: TRACEDECK_GRPC_PORT must be a port number (0-65535) (got 'grpc')");
  });
});
