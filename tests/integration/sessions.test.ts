/**
 * GET /api/sessions and GET /api/sessions/{id} on PGlite and Postgres: sessions whose id
 * sits only on the root span (`session.id`, `plano.session_id`) or only on a child span
 * (`gen_ai.conversation.id`), the first key winning when a trace carries two; each
 * session's turns, tokens, errors, reported / computed / unpriced cost, p95 TTFT and first
 * and last seen checked against figures computed here; the time range, the filter, the
 * sort, TRACEDECK_SESSION_KEYS, a session's turns in order, and the 400s and 404.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { AttributeMap } from '../../lib/otlp/span-record';
import { PriceBook, costOf } from '../../lib/pricing';
import type { SessionDetail, SessionList, SessionSummary } from '../../lib/sessions/types';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { startRouteServer } from '../support/route-server';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const NS_PER_MS = 1_000_000n;
const str = (s: string) => ({ stringValue: s });
const int = (n: number) => ({ intValue: String(n) });

type Turn = {
  tenant: string;
  /** Where the session id goes: the key and whether on the root span or the LLM (child) span. */
  ids: { key: string; value: string; on: 'root' | 'llm' }[];
  minutesAgo: number;
  latencyMs: number;
  model: string;
  input: number;
  output: number;
  cost?: number;
  ttftMs?: number;
  status?: number;
  preview?: string;
  route?: string;
  user?: string;
};

const TURNS: Turn[] = [
  // Session `chat-a` (acme): session.id on the root span only; one turn 3 hours ago.
  {
    tenant: 'acme',
    ids: [{ key: 'session.id', value: 'chat-a', on: 'root' }],
    minutesAgo: 180,
    latencyMs: 900,
    model: 'gpt-4o',
    input: 100,
    output: 20,
    cost: 0.002,
    ttftMs: 300,
    user: 'u1',
    preview: 'hello',
  },
  {
    tenant: 'acme',
    ids: [{ key: 'session.id', value: 'chat-a', on: 'root' }],
    minutesAgo: 30,
    latencyMs: 1200,
    model: 'gpt-4o-mini',
    input: 400,
    output: 80,
    ttftMs: 200,
    user: 'u1',
    preview: 'and then?',
    route: 'code',
  },
  {
    tenant: 'acme',
    ids: [{ key: 'session.id', value: 'chat-a', on: 'root' }],
    minutesAgo: 20,
    latencyMs: 3000,
    model: 'gpt-4o-mini',
    input: 50,
    output: 0,
    status: 502,
    user: 'u1',
    preview: 'again',
  },
  // `plano-b` (acme): Plano's key on the root span only; one turn on a model without a price.
  {
    tenant: 'acme',
    ids: [{ key: 'plano.session_id', value: 'plano-b', on: 'root' }],
    minutesAgo: 40,
    latencyMs: 500,
    model: 'my-finetune',
    input: 70,
    output: 7,
    ttftMs: 90,
    user: 'u2',
  },
  {
    tenant: 'acme',
    ids: [{ key: 'plano.session_id', value: 'plano-b', on: 'root' }],
    minutesAgo: 10,
    latencyMs: 700,
    model: 'gpt-4o',
    input: 60,
    output: 6,
    cost: 0.001,
    ttftMs: 120,
    user: 'u2',
  },
  // `conv-c` (globex): the GenAI key on the LLM span only.
  {
    tenant: 'globex',
    ids: [{ key: 'gen_ai.conversation.id', value: 'conv-c', on: 'llm' }],
    minutesAgo: 50,
    latencyMs: 400,
    model: 'gpt-4o',
    input: 10,
    output: 10,
    cost: 0.0005,
    ttftMs: 80,
  },
  {
    tenant: 'globex',
    ids: [{ key: 'gen_ai.conversation.id', value: 'conv-c', on: 'llm' }],
    minutesAgo: 5,
    latencyMs: 600,
    model: 'gpt-4o',
    input: 30,
    output: 30,
    cost: 0.0007,
    ttftMs: 60,
  },
  // Two keys on one trace: session.id comes first, so this turn is `chat-a`'s, not `plano-b`'s.
  {
    tenant: 'acme',
    ids: [
      { key: 'plano.session_id', value: 'plano-b', on: 'llm' },
      { key: 'session.id', value: 'chat-a', on: 'root' },
    ],
    minutesAgo: 15,
    latencyMs: 800,
    model: 'gpt-4o',
    input: 20,
    output: 2,
    cost: 0.0003,
    ttftMs: 400,
    user: 'u1',
  },
  // No session key at all: in no session.
  { tenant: 'acme', ids: [], minutesAgo: 12, latencyMs: 100, model: 'gpt-4o', input: 1, output: 1, cost: 0.00001 },
];

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo] + (s[Math.ceil(at)] - s[lo]) * (at - lo);
}

describeEachDatabase('sessions (GET /api/sessions, /api/sessions/{id})', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const nowMs = Date.now();
  const startMs = (t: Turn) => nowMs - t.minutesAgo * 60_000;
  const traceId = (i: number) => (i + 1).toString(16).padStart(32, 'c');
  const book = new PriceBook();

  beforeAll(async () => {
    resetConfigForTests();
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const spans = TURNS.flatMap((t, i) => {
      const start = BigInt(startMs(t)) * NS_PER_MS;
      const end = start + BigInt(t.latencyMs) * NS_PER_MS;
      const root: AttributeMap = { 'tenant.id': str(t.tenant), 'http.status_code': str(String(t.status ?? 200)) };
      const llm: AttributeMap = {
        'tenant.id': str(t.tenant),
        'llm.model': str(t.model),
        'llm.usage.prompt_tokens': int(t.input),
        'llm.usage.completion_tokens': int(t.output),
      };
      if (t.user) root['user.id'] = str(t.user);
      if (t.cost !== undefined) llm['llm.usage.total_cost_usd'] = { doubleValue: t.cost };
      if (t.ttftMs !== undefined) llm['llm.time_to_first_token'] = { doubleValue: t.ttftMs };
      if (t.preview) llm['llm.user_message_preview'] = str(t.preview);
      if (t.route) llm['plano.route.name'] = str(t.route);
      for (const id of t.ids) (id.on === 'root' ? root : llm)[id.key] = str(id.value);
      return [
        spanRecord({
          traceId: traceId(i),
          spanId: `${i + 1}`.padStart(16, 'a'),
          name: 'POST /v1/chat/completions',
          service: 'plano(inbound)',
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          attributes: root,
        }),
        spanRecord({
          traceId: traceId(i),
          spanId: `${i + 1}`.padStart(16, 'b'),
          parentSpanId: `${i + 1}`.padStart(16, 'a'),
          name: `chat ${t.model}`,
          service: 'plano(llm)',
          statusCode: (t.status ?? 200) >= 500 ? 2 : 0,
          startTimeUnixNano: start + NS_PER_MS,
          endTimeUnixNano: end - NS_PER_MS,
          attributes: llm,
        }),
      ];
    });
    await storeRecords(database.db, spans);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const get = async <T>(path: string, params: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as T & { error?: string } };
  };

  /** The first session key present on any span, in the default order. */
  const sessionOf = (t: Turn, keys = ['session.id', 'plano.session_id', 'gen_ai.conversation.id']) =>
    keys.map((k) => t.ids.find((id) => id.key === k)?.value).find((v) => v !== undefined) ?? null;

  /** The expected summary of each session from the turns in the last `minutes`. */
  function expected(minutes: number, keys?: string[]) {
    const groups = new Map<string, Turn[]>();
    for (const t of TURNS.filter((x) => x.minutesAgo <= minutes)) {
      const id = sessionOf(t, keys);
      if (id) groups.set(`${t.tenant}/${id}`, [...(groups.get(`${t.tenant}/${id}`) ?? []), t]);
    }
    return [...groups].map(([key, turns]) => {
      const priced = turns.filter((t) => t.cost === undefined).map((t) => book.priceAt(t.model, startMs(t)));
      const computed = turns
        .filter((t) => t.cost === undefined)
        .flatMap((t, i) => (priced[i] ? [costOf({ input: t.input, output: t.output }, priced[i].rates)] : []));
      const reported = turns.filter((t) => t.cost !== undefined).map((t) => t.cost ?? 0);
      return {
        key,
        turns: turns.length,
        inputTokens: turns.reduce((s, t) => s + t.input, 0),
        outputTokens: turns.reduce((s, t) => s + t.output, 0),
        errors: turns.filter((t) => (t.status ?? 200) >= 400).length,
        reportedUsd: reported.length ? reported.reduce((a, b) => a + b, 0) : null,
        computedUsd: computed.length ? computed.reduce((a, b) => a + b, 0) : null,
        unpriced: priced.filter((p) => !p).length,
        ttftP95Ms: percentile(
          turns.flatMap((t) => (t.ttftMs === undefined ? [] : [t.ttftMs])),
          0.95,
        ),
        firstMs: Math.min(...turns.map(startMs)),
        lastMs: Math.max(...turns.map((t) => startMs(t) + t.latencyMs)),
        users: [...new Set(turns.flatMap((t) => (t.user ? [t.user] : [])))].sort(),
      };
    });
  }

  function expectSummary(s: SessionSummary, e: ReturnType<typeof expected>[number]) {
    expect(s.turns, e.key).toBe(e.turns);
    expect(s.inputTokens).toBe(e.inputTokens);
    expect(s.outputTokens).toBe(e.outputTokens);
    expect(s.errors).toBe(e.errors);
    expect(s.users).toEqual(e.users);
    expect(s.cost.unpricedRequests).toBe(e.unpriced);
    if (e.reportedUsd === null) expect(s.cost.reportedUsd).toBeNull();
    else expect(s.cost.reportedUsd).toBeCloseTo(e.reportedUsd, 12);
    if (e.computedUsd === null) expect(s.cost.computedUsd).toBeNull();
    else expect(s.cost.computedUsd).toBeCloseTo(e.computedUsd, 12);
    expect(s.cost.source).toBe(
      [e.reportedUsd !== null ? 'reported' : null, e.computedUsd !== null ? 'computed' : null].filter(Boolean).join(' + ') || (e.unpriced ? 'unknown' : null),
    );
    expect(s.ttftP95Ms).toBeCloseTo(e.ttftP95Ms ?? NaN, 6);
    expect(Date.parse(s.firstSeen)).toBe(e.firstMs);
    expect(Number(BigInt(s.firstSeenUnixNano) / NS_PER_MS)).toBe(Math.floor(e.firstMs));
    expect(Number(BigInt(s.lastSeenUnixNano) / NS_PER_MS)).toBe(Math.floor(e.lastMs));
  }

  it('groups turns by the first session key present on any span, and aggregates each session as computed here', async () => {
    const { status, body } = await get<SessionList>('/api/sessions', { since: '24h' });
    expect(status).toBe(200);
    const want = expected(24 * 60);
    expect(body.sessions.map((s) => `${s.tenantId}/${s.sessionId}`).sort()).toEqual(want.map((w) => w.key).sort());
    expect(want.map((w) => w.key).sort()).toEqual(['acme/chat-a', 'acme/plano-b', 'globex/conv-c']);
    for (const w of want) expectSummary(body.sessions.find((s) => `${s.tenantId}/${s.sessionId}` === w.key) as SessionSummary, w);
    // The default order: most recently seen first.
    const lasts = body.sessions.map((s) => BigInt(s.lastSeenUnixNano));
    expect(lasts).toEqual([...lasts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(body.sessionKeys).toEqual(['session.id', 'plano.session_id', 'gen_ai.conversation.id']);
  });

  it('counts only the turns in range, and applies the filter (tenant)', async () => {
    const hour = await get<SessionList>('/api/sessions', { since: '1h' });
    for (const w of expected(60)) expectSummary(hour.body.sessions.find((s) => `${s.tenantId}/${s.sessionId}` === w.key) as SessionSummary, w);
    expect(hour.body.sessions.find((s) => s.sessionId === 'chat-a')?.turns).toBe(3);
    const globex = await get<SessionList>('/api/sessions', { since: '24h', where: 'tenant.id=globex' });
    expect(globex.body.sessions.map((s) => s.sessionId)).toEqual(['conv-c']);
    expect(globex.body.where).toBe('tenant.id = globex');
  });

  it('sorts by any column, both ways, and cuts at limit', async () => {
    const byTurns = await get<SessionList>('/api/sessions', { since: '24h', sort: '-turns' });
    // Ties (two turns each) go to the most recently seen: conv-c (5 min ago) before plano-b (10 min ago).
    expect(byTurns.body.sessions.map((s) => s.sessionId)).toEqual(['chat-a', 'conv-c', 'plano-b']);
    expect(byTurns.body.sessions.map((s) => s.turns)).toEqual([4, 2, 2]);
    const byFirst = await get<SessionList>('/api/sessions', { since: '24h', sort: 'first' });
    expect(byFirst.body.sessions.map((s) => s.sessionId)).toEqual(['chat-a', 'conv-c', 'plano-b']);
    const bySession = await get<SessionList>('/api/sessions', { since: '24h', sort: '-session', limit: '2' });
    expect(bySession.body.sessions.map((s) => s.sessionId)).toEqual(['plano-b', 'conv-c']);
    expect(bySession.body.truncated).toBe(true);
    expect(bySession.body.sort).toBe('-session');
  });

  it('a session page: its turns oldest first, each with model, route, latency, TTFT, tokens, cost, status and preview', async () => {
    const { status, body } = await get<SessionDetail>('/api/sessions/chat-a', { since: '24h' });
    expect(status).toBe(200);
    const mine = TURNS.map((t, i) => ({ t, id: traceId(i) })).filter(({ t }) => sessionOf(t) === 'chat-a');
    mine.sort((a, b) => startMs(a.t) - startMs(b.t));
    expect(body.turns.map((t) => t.traceId)).toEqual(mine.map((m) => m.id));
    for (const [i, turn] of body.turns.entries()) {
      const t = mine[i].t;
      expect(turn.model).toBe(t.model);
      expect(turn.route).toBe(t.route ?? null);
      expect(turn.latencyMs).toBeCloseTo(t.latencyMs, 6);
      expect(turn.ttftMs).toBe(t.ttftMs ?? null);
      expect([turn.inputTokens, turn.outputTokens]).toEqual([t.input, t.output]);
      expect(turn.statusCode).toBe(t.status ?? 200);
      expect(turn.error).toBe((t.status ?? 200) >= 400);
      expect(turn.userMessage).toBe(t.preview ?? null);
      expect(turn.rootName).toBe('POST /v1/chat/completions');
      if (t.cost !== undefined) expect(turn.cost).toMatchObject({ source: 'reported', usd: t.cost });
      else expect(turn.cost?.source).toBe('computed');
    }
    expect(body.summaries).toHaveLength(1);
    expectSummary(body.summaries[0], expected(24 * 60).find((w) => w.key === 'acme/chat-a') as ReturnType<typeof expected>[number]);
    // Plano's key on the root span only, with one unpriced turn.
    const b = await get<SessionDetail>('/api/sessions/plano-b', { since: '24h' });
    expect(b.body.turns.map((t) => t.cost?.source)).toEqual(['unknown', 'reported']);
    // A value that is not this trace's session key (session.id wins) does not pull the trace in.
    expect(b.body.turns).toHaveLength(2);
  });

  it('404 for a session without turns in range; 400 names a bad sort, filter or id', async () => {
    expect((await get('/api/sessions/nope', { since: '24h' })).status).toBe(404);
    const old = await get('/api/sessions/plano-b', { from: new Date(nowMs - 10 * 3600_000).toISOString(), to: new Date(nowMs - 5 * 3600_000).toISOString() });
    expect(old.status).toBe(404);
    expect(old.body.error).toMatch(/no turn of session 'plano-b' in the range/);
    const sort = await get('/api/sessions', { sort: 'price' });
    expect([sort.status, sort.body.error]).toEqual([400, expect.stringMatching(/invalid sort 'price'/)]);
    const where = await get('/api/sessions', { where: 'llm.model=' });
    expect(where.status).toBe(400);
    expect((await get('/api/sessions', { since: 'soon' })).status).toBe(400);
    expect((await get(`/api/sessions/${'x'.repeat(600)}`)).status).toBe(400);
  });

  it('TRACEDECK_SESSION_KEYS changes which keys name a session, in order', async () => {
    process.env.TRACEDECK_SESSION_KEYS = 'plano.session_id,gen_ai.conversation.id';
    resetConfigForTests();
    try {
      const { body } = await get<SessionList>('/api/sessions', { since: '24h' });
      const want = expected(24 * 60, ['plano.session_id', 'gen_ai.conversation.id']);
      expect(body.sessions.map((s) => `${s.tenantId}/${s.sessionId}`).sort()).toEqual(['acme/plano-b', 'globex/conv-c']);
      for (const w of want) expectSummary(body.sessions.find((s) => `${s.tenantId}/${s.sessionId}` === w.key) as SessionSummary, w);
      expect(body.sessions.find((s) => s.sessionId === 'plano-b')?.turns).toBe(3);
    } finally {
      delete process.env.TRACEDECK_SESSION_KEYS;
      resetConfigForTests();
    }
  });
});
