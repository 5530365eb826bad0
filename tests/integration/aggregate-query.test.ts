/**
 * GET /api/query (aggregate queries, `<filter> | [spans] by(…) <agg>, …`) over demo Plano
 * traces ingested through the real route, on PGlite and Postgres. Every expected figure
 * is computed here from the spans that were stored (the generated data), with
 * percentile_cont's own interpolation; the rollup path is checked against the same
 * figures (percentiles within one histogram bucket).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { drainRollups } from '../../db/rollups';
import { HIST_RATIO } from '../../lib/metrics/histogram';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import type { QueryResponse } from '../../server/query/service';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, type FlatSpan, demoRequests, flattenRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const HOUR_MS = 3_600_000;
const SCOPED_KEY = 'query-test-acme-key-0123456789abcdef';

function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const byStart = (t: DemoTrace) => [...t.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
const durationMs = (x: { startNs: bigint; endNs: bigint }) => Number(x.endNs - x.startNs) / 1e6;
/** The first span's value of `key` by start (how a request's model and TTFT are made). */
const firstValue = (t: DemoTrace, key: string) => byStart(t).find((s) => key in s.attrs)?.attrs[key];
const sumOf = (t: DemoTrace, key: string) => t.spans.reduce((a, s) => a + (key in s.attrs ? num(s.attrs[key]) : 0), 0);
const rootStatus = (t: DemoTrace) => num(t.spans.find((s) => s.service === 'plano(inbound)')?.attrs['http.status_code']);
const failed = (t: DemoTrace) => t.spans.some((s) => s.statusCode === 2) || rootStatus(t) >= 500;

/** Groups of `items` by key, ranked as the API ranks them: by size, then value. */
function ranked<T>(items: T[], key: (x: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const x of items) groups.set(key(x), [...(groups.get(key(x)) ?? []), x]);
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (JSON.stringify([a[0]]) < JSON.stringify([b[0]]) ? -1 : 1));
}

describeEachDatabase('aggregate queries over demo traces', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 60_000;
  const window = { from: new Date(endMs - 3 * HOUR_MS).toISOString(), to: new Date(endMs).toISOString() };
  let traces: DemoTrace[];
  let spans: FlatSpan[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(240, 77, endMs - 30_000, 2);
    traces = flattenRequests(requests);
    spans = traces.flatMap((t) => t.spans);
    await postDemo(server.url, requests);
  });
  afterAll(async () => {
    delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
    delete process.env.TRACEDECK_TENANT_SCOPED_KEYS;
    resetConfigForTests();
    await server?.close();
    await database?.dispose();
  });

  const ask = async (q: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const params = new URLSearchParams({ q, ...window, ...extra });
    const res = await fetch(`${server.url}/api/query?${params}`, { headers });
    return { status: res.status, body: (await res.json()) as QueryResponse & { error?: string; column?: number } };
  };

  it('http.status_code>=500 | by(llm.model) count(): requests with a 5xx span, per model', async () => {
    const { status, body } = await ask('http.status_code>=500 | by(llm.model) count()');
    expect(status).toBe(200);
    expect(body).toMatchObject({ columns: ['llm.model', 'count()'], unit: 'traces', source: 'traces', otherRows: [] });
    const matching = traces.filter((t) => t.spans.some((s) => num(s.attrs['http.status_code']) >= 500));
    expect(matching.length).toBeGreaterThan(0);
    expect(body.rows).toEqual(ranked(matching, (t) => String(firstValue(t, 'llm.model'))).map(([model, ts]) => [model, ts.length]));
  });

  it('| by(tenant.id) count(), p95(duration): every request of the range, per tenant', async () => {
    const { body } = await ask('| by(tenant.id) count(), p95(duration)');
    const want = ranked(traces, (t) => String(t.spans[0].attrs['tenant.id']));
    expect(body.rows.map((r) => r.slice(0, 2))).toEqual(want.map(([tenant, ts]) => [tenant, ts.length]));
    want.forEach(([, ts], i) => expect(body.rows[i][2] as number).toBeCloseTo(percentileCont(ts.map(durationMs), 0.95)!, 6));
  });

  it('tenant.id=acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)', async () => {
    const { body } = await ask('tenant.id=acme-corp | by(llm.model) p95(llm.time_to_first_token), sum(llm.usage.total_tokens)');
    const mine = traces.filter((t) => t.spans[0].attrs['tenant.id'] === 'acme-corp');
    expect(mine.length).toBeGreaterThan(0);
    const want = ranked(mine, (t) => String(firstValue(t, 'llm.model')));
    expect(body.rows.map((r) => r[0])).toEqual(want.map(([m]) => m));
    want.forEach(([, ts], i) => {
      const ttfts = ts
        .map((t) => firstValue(t, 'llm.time_to_first_token'))
        .filter((v) => v !== undefined)
        .map(num);
      const p95 = percentileCont(ttfts, 0.95);
      if (p95 === null) expect(body.rows[i][1]).toBeNull();
      else expect(body.rows[i][1] as number).toBeCloseTo(p95, 6);
      expect(body.rows[i][2]).toBe(ts.reduce((a, t) => a + sumOf(t, 'llm.usage.total_tokens'), 0));
    });
  });

  it('errors(), error_rate(), count_distinct(user.id), rate(), and a named field (cost)', async () => {
    const { body } = await ask('| count(), errors(), error_rate(), count_distinct(user.id), rate(), sum(cost), max(tokens)');
    const errors = traces.filter(failed).length;
    expect(errors).toBeGreaterThan(0);
    const [row] = body.rows;
    expect(row.slice(0, 4)).toEqual([traces.length, errors, errors / traces.length, new Set(traces.map((t) => t.spans[0].attrs['user.id'])).size]);
    expect(row[4] as number).toBeCloseTo(traces.length / (3 * 3600), 9);
    expect(row[5] as number).toBeCloseTo(
      traces.reduce((a, t) => a + sumOf(t, 'llm.usage.total_cost_usd'), 0),
      9,
    );
    expect(row[6]).toBe(Math.max(...traces.map((t) => sumOf(t, 'llm.usage.total_tokens'))));
    expect(body.units).toEqual(['count', 'count', 'ratio', 'count', 'per_second', 'usd', 'tokens']);
  });

  it('an attribute without a column: per request its largest value, and a group per value it carries', async () => {
    const { body } = await ask('| max(http.status_code), min(http.status_code)');
    const largest = traces.map((t) => Math.max(...t.spans.map((s) => num(s.attrs['http.status_code'])).filter((n) => !Number.isNaN(n))));
    expect(body.rows).toEqual([[Math.max(...largest), Math.min(...largest)]]);
    const grouped = await ask('| by(http.status_code) count()');
    const pairs = traces.flatMap((t) =>
      [...new Set(t.spans.filter((s) => 'http.status_code' in s.attrs).map((s) => String(s.attrs['http.status_code'])))].map((v) => ({ v, t })),
    );
    expect(new Map(grouped.body.rows.map((r) => [r[0], r[1]]))).toEqual(new Map(ranked(pairs, (p) => p.v).map(([v, ps]) => [v, ps.length])));
  });

  it('| spans by(service) count(), avg(duration), p99(duration): over spans, the filter applied to each span', async () => {
    const { body } = await ask('| spans by(service) count(), avg(duration), p99(duration)');
    expect(body).toMatchObject({ unit: 'spans', source: 'spans', columns: ['service', 'count()', 'avg(duration)', 'p99(duration)'] });
    const want = ranked(spans, (s) => s.service);
    expect(body.rows.map((r) => r.slice(0, 2))).toEqual(want.map(([service, ss]) => [service, ss.length]));
    want.forEach(([, ss], i) => {
      expect(body.rows[i][2] as number).toBeCloseTo(ss.reduce((a, s) => a + durationMs(s), 0) / ss.length, 6);
      expect(body.rows[i][3] as number).toBeCloseTo(percentileCont(ss.map(durationMs), 0.99)!, 6);
    });
    // The demo's LLM spans are kind 1 (internal).
    const llm = await ask('service="plano(llm)" | spans by(kind) count(), sum(llm.usage.total_tokens)');
    const llmSpans = spans.filter((s) => s.service === 'plano(llm)');
    expect(llm.body.rows).toEqual([['internal', llmSpans.length, llmSpans.reduce((a, s) => a + num(s.attrs['llm.usage.total_tokens'] ?? 0), 0)]]);
  });

  it('groups past the limit fold into one "other" row; step gives every bucket of every group', async () => {
    const { body } = await ask('| by(user.id) count()', { limit: '3' });
    const want = ranked(traces, (t) => String(t.spans[0].attrs['user.id']));
    expect(body.rows.slice(0, 3)).toEqual(want.slice(0, 3).map(([u, ts]) => [u, ts.length]));
    expect(body.rows[3]).toEqual(['other', want.slice(3).reduce((a, [, ts]) => a + ts.length, 0)]);
    expect(body.otherRows).toEqual([3]);

    const stepped = await ask('| by(tenant.id) count()', { step: '1h', limit: '2' });
    expect(stepped.body.columns).toEqual(['time', 'tenant.id', 'count()']);
    expect(stepped.body.step).toBe('1h');
    const tenants = ranked(traces, (t) => String(t.spans[0].attrs['tenant.id']));
    const groupOf = (t: DemoTrace) => {
      const i = tenants.slice(0, 2).findIndex(([tenant]) => tenant === t.spans[0].attrs['tenant.id']);
      return i < 0 ? 'other' : tenants[i][0];
    };
    // 3 h from one minute before an hour: four hour buckets (the first and last clipped), each with every group.
    expect(stepped.body.rows).toHaveLength(4 * 3);
    const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
    for (const [time, tenant, count] of stepped.body.rows) {
      const inBucket = traces.filter((t) => hourOf(Number(t.startNs / 1_000_000n)) === hourOf(Date.parse(time as string)) && groupOf(t) === tenant);
      expect(count, `${time} ${tenant}`).toBe(inBucket.length);
    }
    expect(stepped.body.rows.reduce((a, r) => a + (r[2] as number), 0)).toBe(traces.length);
  });

  it('answers from the rollups when the query fits them, with the same counts and sums', async () => {
    process.env.TRACEDECK_ROLLUP_MIN_TRACES = '0';
    resetConfigForTests();
    await drainRollups(database.db);
    try {
      const { body } = await ask('tenant.id=acme-corp | by(llm.model) count(), errors(), p95(duration), sum(llm.usage.total_tokens), max(ttft)');
      expect(body.source).toBe('rollups');
      const mine = traces.filter((t) => t.spans[0].attrs['tenant.id'] === 'acme-corp');
      const want = ranked(mine, (t) => String(firstValue(t, 'llm.model')));
      expect(body.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual(
        want.map(([m, ts]) => [m, ts.length, ts.filter(failed).length, ts.reduce((a, t) => a + sumOf(t, 'llm.usage.total_tokens'), 0)]),
      );
      want.forEach(([, ts], i) => {
        const exact = percentileCont(ts.map(durationMs), 0.95)!;
        expect(body.rows[i][3] as number).toBeGreaterThanOrEqual(exact / HIST_RATIO);
        expect(body.rows[i][3] as number).toBeLessThanOrEqual(exact * HIST_RATIO);
        const ttfts = ts
          .map((t) => firstValue(t, 'llm.time_to_first_token'))
          .filter((v) => v !== undefined)
          .map(num);
        expect(body.rows[i][5]).toBe(ttfts.length ? Math.max(...ttfts) : null);
      });
      // Not stored in the rollups: the exact path answers.
      expect((await ask('tenant.id=acme-corp | count_distinct(user.id)')).body.source).toBe('traces');
      expect((await ask('| by(user.id) count()')).body.source).toBe('traces');
    } finally {
      delete process.env.TRACEDECK_ROLLUP_MIN_TRACES;
      resetConfigForTests();
    }
  });

  it('a tenant-scoped key sees only its tenant, whatever the query names', async () => {
    process.env.TRACEDECK_TENANT_SCOPED_KEYS = `${SCOPED_KEY}=acme-corp`;
    resetConfigForTests();
    try {
      const auth = { authorization: `Bearer ${SCOPED_KEY}` };
      const mine = traces.filter((t) => t.spans[0].attrs['tenant.id'] === 'acme-corp');
      expect((await ask('| by(tenant.id) count()', {}, auth)).body.rows).toEqual([['acme-corp', mine.length]]);
      expect((await ask('tenant.id=globex | count()', {}, auth)).body.rows).toEqual([[0]]);
      const mySpans = mine.flatMap((t) => t.spans);
      expect((await ask('| spans count()', {}, auth)).body.rows).toEqual([[mySpans.length]]);
      expect((await ask('| count()')).status).toBe(401);
    } finally {
      delete process.env.TRACEDECK_TENANT_SCOPED_KEYS;
      resetConfigForTests();
    }
  });

  it.each([
    ['| p42(duration)', "unknown aggregate 'p42' at column 3", 3],
    ['http.status_code>=500 | by() count()', 'by() needs at least one key at column 25', 25],
    ['llm.model=gpt-4o', "expected '|' and an aggregate such as '| count()' after the filter at column 17", 17],
    ['| by(kind) count()', "by(kind) reads spans: write '| spans …' to aggregate spans at column 6", 6],
    ['| sum(service)', "sum() needs a number field, but 'service' is text at column 7", 7],
  ])('%s → 400 {error, column}', async (q, error, column) => {
    const { status, body } = await ask(q);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error, column });
  });

  it('bad parameters are 400s naming them', async () => {
    expect((await ask('| count()', { step: 'fortnight' })).body.error).toBe("invalid step 'fortnight' (use auto, or a size such as 1m, 5m, 1h, 1d)");
    expect((await ask('| count()', { limit: '0' })).status).toBe(400);
    const res = await fetch(`${server.url}/api/query?since=1h`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/'q'/);
  });
});
