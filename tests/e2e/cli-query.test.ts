/**
 * `tracedeck query` end to end: the real binary (node bin/tracedeck.mjs) against the
 * built server (`tracedeck serve`, embedded database) loaded by `tracedeck seed`. The
 * table and --json are checked against GET /api/query and the trace list of the same server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResponse } from '../../lib/query/response';
import type { TraceSummary } from '../../lib/trace/wire';
import { type AppServer, startAppServer } from '../support/app-server';

type Run = { code: number; stdout: string; stderr: string };

const BIN = 'bin/tracedeck.mjs';

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'TRACEDECK_URL', 'TRACEDECK_TOKEN']) if (!(key in extra)) delete env[key];
  return env;
}

describe('tracedeck query (real binary, built server, seeded data)', () => {
  let app: AppServer;
  let traces: TraceSummary[];

  const run = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, 'query', ...args, '--url', app.url], { env: baseEnv(env), timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  const api = async (q: string, extra: Record<string, string> = {}) =>
    (await (await fetch(`${app.url}/api/query?${new URLSearchParams({ q, since: '2d', ...extra })}`)).json()) as QueryResponse;

  beforeAll(async () => {
    app = await startAppServer();
    execFileSync(process.execPath, [BIN, 'seed', '--url', app.url, '--traces', '150', '--seed', '9', '--hours', '6'], { stdio: 'pipe' });
    traces = ((await (await fetch(`${app.url}/api/traces?limit=1000&since=2d`)).json()) as { traces: TraceSummary[] }).traces;
    expect(traces).toHaveLength(150);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('prints a table: a header, a rule, one line per group, and what answered', async () => {
    const r = await run(['| by(tenant.id) count(), p95(duration)', '--since', '2d']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tenant\.id +count\(\) +p95\(duration\)$/);
    expect(lines[1]).toMatch(/^-+ {2}-+ {2}-+$/);
    const answer = await api('| by(tenant.id) count(), p95(duration)');
    const body = lines.slice(2, -1).map((l) => l.split(/ {2,}/));
    expect(body.map((cells) => [cells[0], Number(cells[1])])).toEqual(answer.rows.map((row) => [row[0], row[1]]));
    body.forEach((cells, i) => expect(Number(cells[2])).toBeCloseTo(answer.rows[i][2] as number, 2));
    // Every seeded request is counted once across the tenants.
    expect(body.reduce((a, cells) => a + Number(cells[1]), 0)).toBe(traces.length);
    expect(lines.at(-1)).toMatch(new RegExp(`^${answer.rows.length} rows · traces · source: traces · `));
  });

  it('--json prints the API shape; the issue’s examples run', async () => {
    for (const q of [
      'http.status_code>=500 | by(llm.model) count()',
      '| by(tenant.id) count(), p95(duration)',
      'tenant.id=acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)',
    ]) {
      const r = await run([q, '--since', '2d', '--json']);
      expect(r.code, q).toBe(0);
      const body = JSON.parse(r.stdout) as QueryResponse;
      const { queryMs: _a, ...printed } = body;
      const { queryMs: _b, range: _r, ...fromApi } = await api(q);
      expect({ ...printed, range: undefined }).toEqual({ ...fromApi, range: undefined });
      expect(body.rows.length).toBeGreaterThan(0);
    }
    const failing = JSON.parse((await run(['http.status_code>=500 | count()', '--since', '2d', '--json'])).stdout) as QueryResponse;
    const errors = traces.filter((t) => (t.httpStatusCode ?? 0) >= 500).length;
    expect(failing.rows[0][0]).toBeGreaterThanOrEqual(errors);
  });

  it('--step gives a time column; --limit folds the rest into "other"', async () => {
    const stepped = JSON.parse((await run(['| count()', '--since', '2d', '--step', '1h', '--json'])).stdout) as QueryResponse;
    expect(stepped.columns).toEqual(['time', 'count()']);
    expect(stepped.rows.reduce((a, r) => a + (r[1] as number), 0)).toBe(traces.length);
    const limited = JSON.parse((await run(['| by(user.id) count()', '--since', '2d', '--limit', '2', '--json'])).stdout) as QueryResponse;
    expect(limited.rows).toHaveLength(3);
    expect(limited.rows[2][0]).toBe('other');
    expect(limited.otherRows).toEqual([2]);
  });

  it.each([
    ['| p42(duration)', "Invalid query: unknown aggregate 'p42' at column 3", '    ^^^'],
    ['| by() count()', 'Invalid query: by() needs at least one key at column 3', '    ^^^^'],
    ['tenant.id=acme-corp', "Invalid query: expected '|' and an aggregate such as '| count()' after the filter at column 20", `  ${' '.repeat(19)}^`],
  ])('%s → exit 1 with the message and a caret', async (q, message, caret) => {
    const r = await run([q]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Error: ${message}\n  ${q}\n${caret}\n`);
  });

  it('bad options are refused with a message naming them', async () => {
    const r = await run(['| count()', '--since', 'yesterday']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain("Invalid value for '--since': 'yesterday'");
    const step = await run(['| count()', '--step', 'fortnight']);
    expect(step.code).toBe(1);
    expect(step.stderr).toContain("invalid step 'fortnight'");
  });
});
