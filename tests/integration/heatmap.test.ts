/**
 * GET /api/heatmap and /api/heatmap/differences over demo Plano traces ingested through
 * the real route, on PGlite and Postgres. The expected cells and the "what's different"
 * ranking are computed here from the generated requests: each request's attribute values
 * (span attributes over resource ones, as the grammar reads a key), its duration and TTFT.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OtlpJsonRequest } from '../../lib/demo/plano-traces';
import { type DifferencesResponse, type HeatmapResponse, yBucketOf } from '../../lib/query/heatmap';
import { selectionDifferences } from '../../db/queries/heatmap';
import { resetConfigForTests } from '../../server/config';
import { useDb } from '../../server/db';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { type DemoTrace, demoRequests, flattenRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const HOUR_MS = 3_600_000;
const SCOPED_KEY = 'heatmap-test-globex-key-0123456789ab';

type Request = { traceId: string; startMs: number; durationMs: number; ttftMs: number | null; values: Map<string, Set<string>>; doubleKeys: Set<string> };

/** Per request: its start, duration, TTFT (the first span's by start) and every (key, value text) its spans carry. */
function requestsOf(requests: OtlpJsonRequest[], traces: DemoTrace[]): Request[] {
  const values = new Map<string, Map<string, Set<string>>>();
  const doubles = new Map<string, Set<string>>();
  for (const req of requests) {
    for (const rs of req.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const effective = new Map<string, unknown>();
          for (const { key, value } of [...rs.resource.attributes, ...span.attributes]) effective.set(key, value);
          const set = values.get(span.traceId) ?? new Map<string, Set<string>>();
          const dbl = doubles.get(span.traceId) ?? new Set<string>();
          for (const [key, value] of effective) {
            const v = value as Record<string, unknown>;
            if ('doubleValue' in v) dbl.add(key);
            const text = 'stringValue' in v ? v.stringValue : 'intValue' in v ? v.intValue : 'doubleValue' in v ? String(v.doubleValue) : String(v.boolValue);
            set.set(key, (set.get(key) ?? new Set()).add(String(text)));
          }
          values.set(span.traceId, set);
          doubles.set(span.traceId, dbl);
        }
      }
    }
  }
  return traces.map((t) => {
    const first = [...t.spans].sort((a, b) => (a.startNs < b.startNs ? -1 : 1)).find((s) => 'llm.time_to_first_token' in s.attrs);
    return {
      traceId: t.traceId,
      startMs: Number(t.startNs / 1_000_000n),
      durationMs: Number(t.endNs - t.startNs) / 1e6,
      ttftMs: first ? Number(first.attrs['llm.time_to_first_token']) : null,
      values: values.get(t.traceId)!,
      doubleKeys: doubles.get(t.traceId)!,
    };
  });
}

type Ranked = { key: string; value: string; selected: number; rest: number; selectedShare: number; restShare: number };

/** The ranking as the API defines it: share among selected minus share among the rest, over-represented values only. */
function ranking(selected: Request[], rest: Request[]): Ranked[] {
  const counts = new Map<string, { key: string; value: string; selected: number; rest: number }>();
  for (const [side, list] of [
    ['selected', selected],
    ['rest', rest],
  ] as const) {
    for (const r of list) {
      for (const [key, set] of r.values) {
        for (const value of set) {
          const id = JSON.stringify([key, value]);
          const c = counts.get(id) ?? { key, value, selected: 0, rest: 0 };
          c[side]++;
          counts.set(id, c);
        }
      }
    }
  }
  const byte = (a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0);
  return [...counts.values()]
    .filter((c) => c.selected > 0)
    .map((c) => ({ ...c, selectedShare: c.selected / selected.length, restShare: rest.length ? c.rest / rest.length : 0 }))
    .filter((c) => c.selectedShare > c.restShare)
    .sort((a, b) => b.selectedShare - b.restShare - (a.selectedShare - a.restShare) || b.selected - a.selected || byte(a.key, b.key) || byte(a.value, b.value));
}

describeEachDatabase('latency heatmaps and what is different about a selection', (kind) => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 60_000;
  const window = { from: new Date(endMs - 3 * HOUR_MS).toISOString(), to: new Date(endMs).toISOString() };
  let all: Request[];
  let doubleKeys: Set<string>;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDb(database.db);
    server = await startRouteServer();
    const requests = demoRequests(240, 41, endMs - 30_000, 2);
    all = requestsOf(requests, flattenRequests(requests));
    doubleKeys = new Set(all.flatMap((r) => [...r.doubleKeys]));
    await postDemo(server.url, requests);
  });
  afterAll(async () => {
    delete process.env.TRACEDECK_TENANT_SCOPED_KEYS;
    resetConfigForTests();
    await server?.close();
    await database?.dispose();
  });

  const get = async <T>(path: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}?${new URLSearchParams({ ...window, ...params })}`, { headers });
    return { status: res.status, body: (await res.json()) as T & { error?: string } };
  };

  /** Expected cells: requests with the value, by 15-minute bucket of their start and log bucket of the value. */
  function expectedCells(body: HeatmapResponse, value: (r: Request) => number | null): [number, number, number][] {
    const cells = new Map<string, number>();
    for (const r of all) {
      const v = value(r);
      if (v === null) continue;
      const x = Math.floor((r.startMs - body.originMs) / body.stepMs);
      const id = `${x},${yBucketOf(v)}`;
      cells.set(id, (cells.get(id) ?? 0) + 1);
    }
    return [...cells.entries()].map(([id, n]) => [...id.split(',').map(Number), n] as [number, number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  it('the latency heatmap counts every request by start bucket and log duration bucket', async () => {
    const { status, body } = await get<HeatmapResponse>('/api/heatmap', { field: 'duration', step: '15m' });
    // 3 h ending a minute before the hour: 12 quarters plus the partial one at the start.
    expect(status).toBe(200);
    expect(body).toMatchObject({ field: 'duration', step: '15m', stepMs: 900_000, xCount: 13, total: all.length });
    expect(body.cells).toEqual(expectedCells(body, (r) => r.durationMs));
  });

  it('the TTFT heatmap counts only requests with a TTFT, by their first LLM span', async () => {
    const { body } = await get<HeatmapResponse>('/api/heatmap', { field: 'ttft', step: '15m' });
    const withTtft = all.filter((r) => r.ttftMs !== null);
    expect(withTtft.length).toBeGreaterThan(0);
    expect(withTtft.length).toBeLessThan(all.length);
    expect(body.total).toBe(withTtft.length);
    expect(body.cells).toEqual(expectedCells(body, (r) => r.ttftMs));
  });

  it('the heatmap honours the where filter and a tenant-scoped key', async () => {
    const filtered = await get<HeatmapResponse>('/api/heatmap', { where: 'tenant.id=acme-corp', step: '15m' });
    const acme = all.filter((r) => r.values.get('tenant.id')?.has('acme-corp'));
    expect(filtered.body.total).toBe(acme.length);
    process.env.TRACEDECK_TENANT_SCOPED_KEYS = `${SCOPED_KEY}=globex`;
    resetConfigForTests();
    const scoped = await get<HeatmapResponse>('/api/heatmap', { step: '15m' }, { authorization: `Bearer ${SCOPED_KEY}` });
    expect(scoped.body.total).toBe(all.filter((r) => r.values.get('tenant.id')?.has('globex')).length);
    delete process.env.TRACEDECK_TENANT_SCOPED_KEYS;
    resetConfigForTests();
  });

  it('ranks the values over-represented in a brushed region against the rest of the range', async () => {
    const durations = all.map((r) => r.durationMs).sort((a, b) => a - b);
    const minMs = durations[Math.floor(durations.length * 0.7)];
    const selFrom = endMs - 100 * 60_000;
    const selTo = endMs - 20 * 60_000;
    const inSel = (r: Request) => r.startMs >= selFrom && r.startMs < selTo && r.durationMs >= minMs;
    const selected = all.filter(inSel);
    const rest = all.filter((r) => !inSel(r));
    expect(selected.length).toBeGreaterThan(10);
    const { status, body } = await get<DifferencesResponse>('/api/heatmap/differences', {
      field: 'duration',
      selFrom: new Date(selFrom).toISOString(),
      selTo: new Date(selTo).toISOString(),
      selMin: String(minMs),
      limit: '100',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ selectedTotal: selected.length, restTotal: rest.length, selectedSampled: 1, restSampled: 1 });
    // Values of double attributes are compared elsewhere (their text is the database's number format): leave them out on both sides.
    const want = ranking(selected, rest).filter((v) => !doubleKeys.has(v.key));
    const got = body.values.filter((v) => !doubleKeys.has(v.key));
    expect(got.length).toBeGreaterThan(5);
    expect(got.map((v) => ({ ...v, selectedShare: round(v.selectedShare), restShare: round(v.restShare) }))).toEqual(
      want.slice(0, got.length).map((v) => ({ ...v, selectedShare: round(v.selectedShare), restShare: round(v.restShare) })),
    );
    for (const v of body.values) expect(v.selectedShare).toBeGreaterThan(v.restShare);
  });

  it('past the sample cap, each side is read through the same trace-id sample on every call, and says so', async () => {
    const request = {
      field: 'duration' as const,
      filter: null,
      fromNs: BigInt(Date.parse(window.from)) * 1_000_000n,
      toNs: BigInt(Date.parse(window.to)) * 1_000_000n,
      selection: { fromNs: BigInt(endMs - 60 * 60_000) * 1_000_000n, toNs: BigInt(endMs) * 1_000_000n, minMs: null, maxMs: null },
      limit: 50,
      sampleCap: 40,
    };
    const first = await selectionDifferences(database.db, request);
    const selected = all.filter((r) => r.startMs >= endMs - 60 * 60_000);
    expect(first.selectedTotal).toBe(selected.length);
    expect(first.restTotal).toBe(all.length - selected.length);
    // About 40 of each side are read (a hash sample), and the shares are over what was read.
    for (const [sampled, total] of [
      [first.selectedSampled, first.selectedTotal],
      [first.restSampled, first.restTotal],
    ]) {
      expect(sampled).toBeLessThan(1);
      expect(sampled * total).toBeGreaterThan(15);
      expect(sampled * total).toBeLessThan(80);
    }
    const readSelected = Math.round(first.selectedSampled * first.selectedTotal);
    for (const v of first.values) expect(v.selectedShare).toBeCloseTo(v.selected / readSelected, 9);
    expect(await selectionDifferences(database.db, request)).toEqual(first);
  });

  it('a TTFT selection compares with requests that have a TTFT only, and bad parameters are 400s naming them', async () => {
    const withTtft = all.filter((r) => r.ttftMs !== null);
    const { body } = await get<DifferencesResponse>('/api/heatmap/differences', {
      field: 'ttft',
      selFrom: window.from,
      selTo: window.to,
      selMin: '0',
      selMax: '500',
    });
    const selected = withTtft.filter((r) => r.ttftMs! < 500);
    expect(body.selectedTotal + body.restTotal).toBe(withTtft.length);
    expect(body.selectedTotal).toBe(selected.length);
    const bad = async (params: Record<string, string>) => (await get<DifferencesResponse>('/api/heatmap/differences', params)).body.error;
    expect(await bad({ field: 'ttft', selTo: window.to })).toMatch(/selFrom/);
    expect(await bad({ field: 'size', selFrom: window.from, selTo: window.to })).toMatch(/unknown field 'size'/);
    expect(await bad({ selFrom: window.to, selTo: window.from })).toMatch(/'selFrom' must be before 'selTo'/);
    expect(await bad({ selFrom: window.from, selTo: window.to, selMin: 'x' })).toMatch(/selMin must be a number/);
    expect(await bad({ selFrom: window.from, selTo: window.to, where: 'tenant.id=' })).toMatch(/expected a value/);
  });
});

const round = (x: number) => Math.round(x * 1e9) / 1e9;
