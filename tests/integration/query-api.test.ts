/**
 * The query API over demo Plano traces ingested through the real route. Each
 * filter's expected answer is computed directly from the generated data.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDb } from '../../server/db';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, demoRequests, flattenRequests, newestFirst, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';
import { MAX_FILTER_COUNT } from '../../lib/where';

type ListBody = { traces: { traceId: string; tenantId: string; spanCount: number; errorCount: number }[]; nextCursor: string | null; where: string | null };

const any = (t: DemoTrace, p: (s: DemoTrace['spans'][number]) => boolean) => t.spans.some(p);
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

/** [filters, expected predicate over a demo trace] */
const CASES: [string[], (t: DemoTrace) => boolean][] = [
  [['tenant.id=acme-corp'], (t) => any(t, (s) => s.attrs['tenant.id'] === 'acme-corp')],
  [
    ['tenant.id=acme-corp', 'http.status_code>=500'],
    (t) => any(t, (s) => s.attrs['tenant.id'] === 'acme-corp') && any(t, (s) => num(s.attrs['http.status_code']) >= 500),
  ],
  [['service=plano(llm) AND llm.model=gpt-4o-mini'], (t) => any(t, (s) => s.service === 'plano(llm)') && any(t, (s) => s.attrs['llm.model'] === 'gpt-4o-mini')],
  [['llm.model~claude*'], (t) => any(t, (s) => String(s.attrs['llm.model'] ?? '').startsWith('claude'))],
  [['NOT tenant.id=acme-corp'], (t) => !any(t, (s) => s.attrs['tenant.id'] === 'acme-corp')],
  [
    ['(tenant.id=globex OR tenant.id=initech) AND status=error'],
    (t) => any(t, (s) => s.attrs['tenant.id'] === 'globex' || s.attrs['tenant.id'] === 'initech') && any(t, (s) => s.statusCode === 2),
  ],
  [['error.message exists'], (t) => any(t, (s) => 'error.message' in s.attrs)],
  [['error.message not exists'], (t) => !any(t, (s) => 'error.message' in s.attrs)],
  [['trace.duration>1s'], (t) => t.endNs - t.startNs > 1_000_000_000n],
  [['llm.usage.total_cost_usd>0.01'], (t) => any(t, (s) => num(s.attrs['llm.usage.total_cost_usd']) > 0.01)],
  [
    ['llm.usage.total_tokens>=1000 AND llm.usage.total_tokens<1500'],
    (t) => any(t, (s) => num(s.attrs['llm.usage.total_tokens']) >= 1000) && any(t, (s) => num(s.attrs['llm.usage.total_tokens']) < 1500),
  ],
  [['http.status_code=429'], (t) => any(t, (s) => s.attrs['http.status_code'] === '429')],
  [['http.status_code!=200'], (t) => any(t, (s) => 'http.status_code' in s.attrs && s.attrs['http.status_code'] !== '200')],
  [['duration>=2s'], (t) => any(t, (s) => s.endNs - s.startNs >= 2_000_000_000n)],
  // planoai compatibility: everything after '=' is the value, spaces included
  [['error.message=rate limit exceeded for tenant'], (t) => any(t, (s) => s.attrs['error.message'] === 'rate limit exceeded for tenant')],
  [['kind=server AND name~"* /v1/resp?nses"'], (t) => any(t, (s) => s.service === 'plano(inbound)') && any(t, (s) => s.name === 'POST /v1/responses')],
  [['user.id=usr_acm3'], (t) => any(t, (s) => s.attrs['user.id'] === 'usr_acm3')],
];

describeEachDatabase('query API over demo traces', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let traces: DemoTrace[];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(160, 11);
    traces = flattenRequests(requests);
    await postDemo(server.url, requests);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const list = async (params: [string, string][]) => {
    const res = await fetch(`${server.url}/api/traces?${new URLSearchParams(params)}`);
    return { status: res.status, body: (await res.json()) as ListBody & { error?: string; column?: number } };
  };

  for (const [filters, predicate] of CASES) {
    it(`where ${filters.map((f) => JSON.stringify(f)).join(' & ')} returns exactly the matching traces, newest first`, async () => {
      const expected = traces
        .filter(predicate)
        .sort(newestFirst)
        .map((t) => t.traceId);
      const { status, body } = await list([...filters.map((f): [string, string] => ['where', f]), ['limit', '1000'], ['since', '3h']]);
      expect(status).toBe(200);
      expect(body.traces.map((t) => t.traceId)).toEqual(expected);
    });
  }

  it('the data set exercises the filters (each case matches some but not all traces)', () => {
    for (const [filters, predicate] of CASES) {
      const n = traces.filter(predicate).length;
      expect(n, filters.join(' & ')).toBeGreaterThan(0);
      expect(n, filters.join(' & ')).toBeLessThan(traces.length);
    }
  });

  it('keyset pages cover every trace once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params: [string, string][] = [
        ['limit', '7'],
        ['since', '3h'],
      ];
      if (cursor) params.push(['cursor', cursor]);
      const { body } = await list(params);
      seen.push(...body.traces.map((t) => t.traceId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual([...traces].sort(newestFirst).map((t) => t.traceId));
  });

  const sortValue: Record<string, (t: DemoTrace) => number | bigint> = {
    duration: (t) => t.endNs - t.startNs,
    cost: (t) => t.spans.reduce((sum, s) => sum + (typeof s.attrs['llm.usage.total_cost_usd'] === 'number' ? s.attrs['llm.usage.total_cost_usd'] : 0), 0),
    start: (t) => t.startNs,
  };
  for (const sort of ['-duration', 'duration', '-cost', 'cost', 'start']) {
    it(`pages sorted by ${sort} in a total, deterministic order (ties by trace id)`, async () => {
      const key = sort.replace('-', '');
      const desc = sort.startsWith('-');
      const expected = [...traces]
        .sort((a, b) => {
          const va = sortValue[key](a);
          const vb = sortValue[key](b);
          const byValue = va < vb ? -1 : va > vb ? 1 : a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
          return desc ? -byValue : byValue;
        })
        .map((t) => t.traceId);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const params: [string, string][] = [
          ['limit', '13'],
          ['since', '3h'],
          ['sort', sort],
        ];
        if (cursor) params.push(['cursor', cursor]);
        const { status, body } = await list(params);
        expect(status).toBe(200);
        seen.push(...body.traces.map((t) => t.traceId));
        cursor = body.nextCursor;
      } while (cursor && seen.length <= traces.length);
      expect(seen).toEqual(expected);
    });
  }

  it('rejects an unknown sort and a cursor from another sort', async () => {
    expect((await list([['sort', 'name']])).status).toBe(400);
    const { body } = await list([
      ['limit', '2'],
      ['sort', '-duration'],
    ]);
    expect(
      (
        await list([
          ['sort', '-start'],
          ['cursor', body.nextCursor ?? ''],
        ])
      ).status,
    ).toBe(400);
  });

  it('summaries count spans and errors per trace', async () => {
    const { body } = await list([
      ['limit', '1000'],
      ['since', '3h'],
    ]);
    for (const t of body.traces) {
      const demo = traces.find((d) => d.traceId === t.traceId);
      expect(t.spanCount).toBe(demo?.spans.length);
      expect(t.errorCount).toBe(demo?.spans.filter((s) => s.statusCode === 2).length);
      expect(t.tenantId).toBe(demo?.spans[0].attrs['tenant.id']);
    }
  });

  it('a time range outside the data returns nothing', async () => {
    const { body } = await list([
      ['from', '2001-01-01T00:00:00Z'],
      ['to', '2001-01-02T00:00:00Z'],
    ]);
    expect(body.traces).toEqual([]);
  });

  it('a malformed filter is a 400 naming what was expected and the column', async () => {
    const { status, body } = await list([['where', 'http.status_code>=']]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/expected a value after '>='/);
    expect(body.column).toBe(19);
    const unknownKind = await list([['where', 'kind=sideways']]);
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.error).toMatch(/unknown span kind 'sideways'/);
    const badSince = await list([['since', 'yesterday']]);
    expect(badSince.status).toBe(400);
    expect(badSince.body.error).toMatch(/since/);
  });

  it('a type or enum problem among several filters names the filter it is in', async () => {
    const { status, body } = await list([
      ['where', 'tenant.id=globex'],
      ['where', 'duration~1s'],
    ]);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: "'~' matches text patterns, but this field is a number at column 10",
      column: 10,
      length: 2,
      filterIndex: 1,
      where: 'duration~1s',
    });
    // Syntax is reported before types, whichever filter it is in.
    const syntax = await list([
      ['where', 'kind=sideways'],
      ['where', 'a>='],
    ]);
    expect(syntax.status).toBe(400);
    expect(syntax.body).toMatchObject({ error: "expected a value after '>=' at column 4", filterIndex: 1 });
  });

  it('every filtered route takes as many `where` as the grammar does, and refuses one more alike', async () => {
    const wheres = (n: number) => Array.from({ length: n }, (_, i) => `where=${encodeURIComponent(`a${i} not exists`)}`).join('&');
    const tooMany = `invalid query parameter 'where': too many filters (${MAX_FILTER_COUNT + 1}; the limit is ${MAX_FILTER_COUNT})`;
    const t = traces[0].traceId;
    for (const path of ['/api/traces?since=3h&', '/api/attributes/tenant.id/values?since=3h&', `/api/traces/${t}?`, '/api/metrics?since=3h&']) {
      const ok = await fetch(`${server.url}${path}${wheres(MAX_FILTER_COUNT)}`);
      expect(ok.status, path).toBe(200);
      const refused = await fetch(`${server.url}${path}${wheres(MAX_FILTER_COUNT + 1)}`);
      expect(refused.status, path).toBe(400);
      expect(((await refused.json()) as { error: string }).error, path).toBe(tooMany);
    }
  });

  it('the trace route refuses a span kind it does not know, with the column and the filter', async () => {
    const res = await fetch(`${server.url}/api/traces/${traces[0].traceId}?where=${encodeURIComponent('kind=sideways')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "unknown span kind 'sideways' (expected unspecified, internal, server, client, producer, consumer) at column 6",
      column: 6,
      length: 8,
      filterIndex: 0,
      where: 'kind=sideways',
    });
  });

  it('an injection attempt is just a value that matches nothing', async () => {
    const { status, body } = await list([['where', "user.id=x';DROP TABLE spans;--"]]);
    expect(status).toBe(200);
    expect(body.traces).toEqual([]);
    const after = await list([
      ['limit', '1'],
      ['since', '3h'],
    ]);
    expect(after.body.traces).toHaveLength(1);
  });

  it('finds a trace by its 8-hex short id and rejects bad ids', async () => {
    const t = traces[5];
    const res = await fetch(`${server.url}/api/traces/${t.traceId.slice(0, 8)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { traceId: string; spans: unknown[] };
    expect(body.traceId).toBe(t.traceId);
    expect(body.spans).toHaveLength(t.spans.length);
    expect((await fetch(`${server.url}/api/traces/${'0'.repeat(31)}1`)).status).toBe(404);
    const bad = await fetch(`${server.url}/api/traces/abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('Trace ID must be 8 or 32 hex characters.');
  });

  it('lists attribute keys with types, and top values with counts', async () => {
    const keys = (await (await fetch(`${server.url}/api/attributes`)).json()) as { keys: { key: string; scope: string; valueType: string }[] };
    expect(keys.keys).toContainEqual(expect.objectContaining({ key: 'tenant.id', scope: 'span', valueType: 'string' }));
    expect(keys.keys).toContainEqual(expect.objectContaining({ key: 'llm.usage.total_tokens', valueType: 'int' }));
    expect(keys.keys).toContainEqual(expect.objectContaining({ key: 'service.name', scope: 'resource' }));
    expect(keys.keys).toContainEqual(expect.objectContaining({ key: 'trace.duration', scope: 'intrinsic' }));

    const tenants = (await (await fetch(`${server.url}/api/attributes/tenant.id/values?since=3h`)).json()) as { values: { value: string; count: number }[] };
    const expectedCounts = new Map<string, number>();
    for (const t of traces) {
      const tenant = String(t.spans[0].attrs['tenant.id']);
      expectedCounts.set(tenant, (expectedCounts.get(tenant) ?? 0) + 1);
    }
    expect(new Map(tenants.values.map((v) => [v.value, v.count]))).toEqual(expectedCounts);

    const models = (await (await fetch(`${server.url}/api/attributes/llm.model/values`)).json()) as { values: { value: string; count: number }[] };
    const modelSpans = new Map<string, number>();
    for (const t of traces)
      for (const s of t.spans)
        if (typeof s.attrs['llm.model'] === 'string') modelSpans.set(s.attrs['llm.model'], (modelSpans.get(s.attrs['llm.model']) ?? 0) + 1);
    expect(new Map(models.values.map((v) => [v.value, v.count]))).toEqual(modelSpans);

    const filtered = (await (await fetch(`${server.url}/api/attributes/llm.model/values?where=tenant.id=globex&since=3h`)).json()) as {
      values: { value: string }[];
    };
    const globexModels = new Set(
      traces
        .flatMap((t) => t.spans)
        .filter((s) => s.attrs['tenant.id'] === 'globex' && s.attrs['llm.model'])
        .map((s) => s.attrs['llm.model']),
    );
    expect(new Set(filtered.values.map((v) => v.value))).toEqual(globexModels);
  });
});
