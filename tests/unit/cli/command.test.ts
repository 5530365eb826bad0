/**
 * runTrace's decisions against a stand-in of the HTTP API (the real server is
 * exercised in tests/e2e/cli.test.ts): what it asks, what it prints, the exit code.
 */
import { describe, expect, it } from 'vitest';
import type { TraceCliOptions } from '../../../cli/trace/args';
import { type FetchLike, TracedeckClient } from '../../../cli/trace/client';
import { type TraceIo, runTrace } from '../../../cli/trace/command';
import { plainPainter } from '../../../cli/trace/style';
import { TRACE_ID, failedTrace, summary } from './fixtures';

type Route = (url: URL) => { status: number; body: unknown } | null;

function harness(route: Route, { tty = false, pickAnswer = null as number | null } = {}) {
  const requests: string[] = [];
  let out = '';
  let err = '';
  const fetchImpl: FetchLike = async (url) => {
    requests.push(url);
    const answer = route(new URL(url));
    if (!answer) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  const picked: string[][] = [];
  const io: TraceIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    painter: plainPainter,
    errPainter: plainPainter,
    tty,
    pick: async (labels) => {
      picked.push(labels);
      return pickAnswer;
    },
    client: (base) => new TracedeckClient(base, fetchImpl),
    env: {},
  };
  return {
    run: (target: string | undefined, opts: TraceCliOptions) => runTrace(target, { url: 'http://td.test', ...opts }, io),
    requests,
    picked,
    out: () => out,
    err: () => err,
  };
}

const KEYS = {
  keys: [
    { key: 'trace_id', scope: 'intrinsic' },
    { key: 'tenant.id', scope: 'span' },
    { key: 'http.status_code', scope: 'span' },
  ],
  tenantKey: 'tenant.id',
};
const detail = { traceId: TRACE_ID, summaries: [summary()], spans: failedTrace().spans };

const api: Route = (url) => {
  if (url.pathname === '/api/attributes') return { status: 200, body: KEYS };
  if (url.pathname === '/api/traces') return { status: 200, body: { traces: [summary()], nextCursor: null } };
  if (url.pathname === `/api/traces/${TRACE_ID}` || url.pathname === `/api/traces/${TRACE_ID.slice(0, 8)}`) return { status: 200, body: detail };
  return { status: 404, body: { error: 'not found' } };
};

describe('runTrace', () => {
  it('last: one list request with the filters, then the trace, printed as a tree with its share URL', async () => {
    const h = harness(api);
    expect(await h.run(undefined, { where: ['tenant.id=acme-corp'], since: '2h' })).toBe(0);
    const list = new URL(h.requests.find((r) => r.includes('/api/traces?'))!);
    expect(list.searchParams.getAll('where')).toEqual(['tenant.id=acme-corp']);
    expect(list.searchParams.get('since')).toBe('2h');
    expect(list.searchParams.get('limit')).toBe('1');
    expect(h.out()).toContain(`Trace: ${TRACE_ID} (1511ms total)`);
    expect(h.out()).toMatch(new RegExp(`Open in Tracedeck: http://td\\.test/traces/${TRACE_ID}\\?where=tenant\\.id\\+%3D\\+acme-corp&from=`));
  });

  it('unknown keys: planoai’s message and exit 1; skipped when the server has no data yet', async () => {
    const h = harness(api);
    expect(await h.run('any', { where: ['nope=1', 'tenant.id=x', 'also.missing exists'] })).toBe(1);
    expect(h.err()).toBe('Error: Unknown --where key(s): nope, also.missing\n');
    const empty = harness((url) =>
      url.pathname === '/api/attributes' ? { status: 200, body: { keys: KEYS.keys.slice(0, 1) } } : { status: 200, body: { traces: [], nextCursor: null } },
    );
    expect(await empty.run('any', { where: ['nope=1'] })).toBe(0);
    expect(empty.out()).toBe('No traces found.\n');
  });

  it('an unmatched --filter pattern warns on stderr and shows every attribute', async () => {
    const h = harness(api);
    expect(await h.run(undefined, { filter: ['http.*,nope.*'] })).toBe(0);
    expect(h.err()).toBe('Warning: Filter key(s) not found: nope.*. Returning unfiltered traces.\n');
    expect(h.out()).toContain('user.id: usr_1');
  });

  it('--json --list prints trace_ids; --json prints traces in planoai’s shape', async () => {
    const h = harness(api);
    await h.run(undefined, { list: true, json: true });
    expect(JSON.parse(h.out())).toEqual({ trace_ids: [TRACE_ID] });
    const j = harness(api);
    await j.run('any', { json: true, filter: ['http.status_code'] });
    const body = JSON.parse(j.out()) as { traces: { trace_id: string; spans: { attributes: { key: string }[] }[]; share_url: string }[] };
    expect(body.traces[0].trace_id).toBe(TRACE_ID);
    expect(body.traces[0].spans.flatMap((s) => s.attributes.map((a) => a.key))).toEqual(['http.status_code', 'http.status_code', 'http.status_code']);
    expect(body.traces[0].share_url).toContain(`/traces/${TRACE_ID}?`);
  });

  it('--limit 0 asks for nothing and finds nothing (planoai)', async () => {
    const h = harness(api);
    expect(await h.run(undefined, { limit: '0', json: true })).toBe(0);
    expect(JSON.parse(h.out())).toEqual({ traces: [] });
    expect(h.requests).toEqual([]);
  });

  it('a short id without filters is looked up directly; with filters it must also match them', async () => {
    const h = harness(api);
    expect(await h.run(TRACE_ID.slice(0, 8), {})).toBe(0);
    expect(h.requests).toEqual([`http://td.test/api/traces/${TRACE_ID.slice(0, 8)}`]);
    const f = harness(api);
    await f.run(TRACE_ID.slice(0, 8), { where: ['tenant.id=acme-corp'] });
    const list = new URL(f.requests.find((r) => r.includes('/api/traces?'))!);
    expect(list.searchParams.getAll('where')).toEqual(['tenant.id=acme-corp', `trace_id=${TRACE_ID.slice(0, 8)}`]);
  });

  it('an ambiguous short id shows the newest candidate, with a note', async () => {
    const other = `${TRACE_ID.slice(0, 8)}${'1'.repeat(24)}`;
    const h = harness((url) =>
      url.pathname === `/api/traces/${TRACE_ID.slice(0, 8)}`
        ? { status: 409, body: { error: 'ambiguous', candidates: [TRACE_ID, other] } }
        : url.pathname === `/api/traces/${other}`
          ? { status: 200, body: { ...detail, traceId: other, summaries: [summary({ traceId: other })] } }
          : api(url),
    );
    expect(await h.run(TRACE_ID.slice(0, 8), {})).toBe(0);
    expect(h.out()).toContain(`Trace: ${TRACE_ID}`);
    expect(h.err()).toMatch(/^Note: 2 traces start with 4bf92f35; showing the newest/);
  });

  it('a filter the server rejects is shown with its caret, located among several', async () => {
    // A server may refuse what this CLI's own checks accept (a newer server, stricter rules).
    const bad = (w: string[]) => w.includes('http.status_code=sideways');
    const h = harness((url) =>
      url.pathname === '/api/traces' && bad(url.searchParams.getAll('where'))
        ? { status: 400, body: { error: "unknown status code 'sideways' at column 18", column: 18, length: 8 } }
        : api(url),
    );
    expect(await h.run(undefined, { where: ['tenant.id=acme-corp', 'http.status_code=sideways'] })).toBe(1);
    expect(h.err()).toBe(`Error: --where #2: unknown status code 'sideways' at column 18\n  http.status_code=sideways\n  ${' '.repeat(17)}^^^^^^^^\n`);
  });

  it('a filter the grammar types refuse is shown with its caret before anything is asked', async () => {
    const h = harness(api);
    expect(await h.run(undefined, { where: ['tenant.id=acme-corp', 'kind=sideways'] })).toBe(1);
    expect(h.err()).toBe(
      "Error: --where #2: unknown span kind 'sideways' (expected unspecified, internal, server, client, producer, consumer) at column 6\n  kind=sideways\n       ^^^^^^^^\n",
    );
    expect(h.requests).toEqual([]);
  });

  it('--list on a terminal offers the picker, then shows the chosen trace; cancelling says so', async () => {
    const h = harness(api, { tty: true, pickAnswer: 0 });
    await h.run(undefined, { list: true });
    expect(h.picked[0][0]).toMatch(/^4bf92f35 \(1511ms total • /);
    expect(h.out()).toContain(`Trace: ${TRACE_ID}`);
    const c = harness(api, { tty: true, pickAnswer: null });
    await c.run(undefined, { list: true });
    expect(c.out()).toBe('Cancelled.\n');
    const n = harness(api, { tty: true });
    await n.run(undefined, { list: true, interactive: false });
    expect(n.picked).toEqual([]);
    expect(n.out()).toContain('Trace IDs:');
  });

  it('an unreachable server: names the URL, suggests npm start, exit 1', async () => {
    const h = harness(() => null);
    expect(await h.run(undefined, {})).toBe(1);
    expect(h.err()).toBe(
      'Error: Cannot reach Tracedeck at http://td.test (ECONNREFUSED). Is the server running? Start it with `npm start`, or point --url / TRACEDECK_URL at it.\n',
    );
  });

  it('validation errors never reach the server', async () => {
    const h = harness(api);
    expect(await h.run('xyz', {})).toBe(1);
    expect(h.err()).toBe('Error: Trace ID must be 8 or 32 hex characters.\n');
    expect(h.requests).toEqual([]);
  });
});

describe('runTrace --fold-internal', () => {
  it('folds the server’s internal spans into their parents, counts them on the parent, and says so in the share URL', async () => {
    const folding: Route = (url) =>
      url.pathname === `/api/traces/${TRACE_ID}`
        ? { status: 200, body: { ...detail, internalSpans: { services: ['plano(routing)', 'plano(outbound)'], names: [] } } }
        : api(url);
    const h = harness(folding);
    expect(await h.run(TRACE_ID, { foldInternal: true })).toBe(0);
    expect(h.out()).not.toContain('plano(routing)');
    expect(h.out()).not.toContain('plano(outbound)');
    expect(h.out()).toMatch(/plano\(inbound\) POST \/v1\/chat\/completions \(\+1 internal\)$/m);
    expect(h.out()).toMatch(/plano\(llm\) chat gpt-4o \(\+1 internal\)$/m);
    expect(h.out()).toMatch(/Open in Tracedeck: .*&fold=true/);
    const json = harness(folding);
    expect(await json.run(TRACE_ID, { foldInternal: true, json: true })).toBe(0);
    const [trace] = (JSON.parse(json.out()) as { traces: { spans: { service: string }[] }[] }).traces;
    expect(trace.spans.map((s) => s.service).sort()).toEqual(['plano(inbound)', 'plano(llm)']);
  });

  it('without the switch every span shows; a server without rules gets Plano’s defaults', async () => {
    const h = harness(api);
    expect(await h.run(TRACE_ID, {})).toBe(0);
    expect(h.out()).toContain('plano(routing)');
    expect(h.out()).not.toContain('internal)');
    const old = harness(api);
    expect(await old.run(TRACE_ID, { foldInternal: true })).toBe(0);
    expect(old.out()).not.toContain('plano(routing)');
  });
});
