/**
 * The trace download (GET /api/traces/{id}/otlp) is OTLP/JSON that /v1/traces
 * takes back: re-POSTed into a fresh database, the spans come back identical.
 * Also: span-level `where` highlighting (matchedSpanIds) on GET /api/traces/{id}.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDb } from '../../server/db';
import { getTrace as getTraceRows, getTraceView } from '../../db/queries/get-trace';
import type { StoredSpan } from '../../lib/trace/wire';
import type { OtlpJsonExportRequest } from '../../lib/otlp/export-json';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { demoRequests, flattenRequests, postDemo } from '../support/demo-data';
import { startRouteServer } from '../support/route-server';

const TRACE = '5f3a0c1e9b7d42a8a1c2e3f4a5b6c7d8';
// An hour ago, on a whole second: inside the retention (spans older than TRACEDECK_RETENTION are rejected).
const T0 = BigInt(Math.floor(Date.now() / 1000) - 3600) * 1_000_000_000n;
const at = (ms: number, extraNs = 0n) => (T0 + BigInt(Math.round(ms * 1e6)) + extraNs).toString();

/** A trace exercising every field the export writes: typed values, events, links, dropped counts, two resources, scopes, a missing parent. */
function richTrace() {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'gateway'),
            str('tenant.id', 'acme-corp'),
            { key: 'host', value: { kvlistValue: { values: [str('name', 'gw-1'), { key: 'cpus', value: { intValue: '8' } }] } } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'plano', version: '0.4.1' },
            spans: [
              {
                traceId: TRACE,
                spanId: '1000000000000001',
                name: 'POST /v1/chat/completions',
                kind: 2,
                startTimeUnixNano: at(0, 123n),
                endTimeUnixNano: at(950, 7n),
                traceState: 'vendor=abc',
                flags: 257,
                attributes: [
                  str('tenant.id', 'acme-corp'),
                  { key: 'big', value: { intValue: '9007199254740993' } },
                  { key: 'ratio', value: { doubleValue: 0.125 } },
                  { key: 'neg', value: { doubleValue: -2.5e-7 } },
                  { key: 'nan', value: { doubleValue: 'NaN' } },
                  { key: 'whole', value: { doubleValue: 2 } },
                  { key: 'inf', value: { doubleValue: 'Infinity' } },
                  {
                    key: 'deep',
                    value: {
                      kvlistValue: { values: [{ key: 'n', value: { arrayValue: { values: [{ intValue: '-9223372036854775808' }, { doubleValue: 3 }] } } }] },
                    },
                  },
                  { key: 'ok', value: { boolValue: false } },
                  { key: 'raw', value: { bytesValue: 'AAEC/w==' } },
                  {
                    key: 'stops',
                    value: { arrayValue: { values: [{ stringValue: '\n' }, { intValue: '3' }, { arrayValue: { values: [{ boolValue: true }] } }] } },
                  },
                  { key: 'nothing', value: {} },
                  str('emoji', '🚩 flagged <b>not html</b>'),
                ],
                droppedAttributesCount: 2,
                events: [
                  { timeUnixNano: at(10), name: 'accepted', attributes: [str('queue', 'fast')] },
                  { timeUnixNano: at(900), name: 'exception', attributes: [str('exception.message', 'boom')], droppedAttributesCount: 1 },
                ],
                droppedEventsCount: 3,
                links: [
                  {
                    traceId: 'abcdefabcdefabcdefabcdefabcdef01',
                    spanId: 'abcdefabcdef0001',
                    traceState: 'k=v',
                    attributes: [str('why', 'retry-of')],
                    droppedAttributesCount: 4,
                  },
                ],
                droppedLinksCount: 1,
                status: { code: 2, message: 'upstream failed' },
              },
              {
                traceId: TRACE,
                spanId: '1000000000000002',
                parentSpanId: '1000000000000001',
                name: '🚩 route',
                kind: 1,
                startTimeUnixNano: at(5),
                endTimeUnixNano: at(20),
                attributes: [str('route', 'default')],
                status: { code: 1 },
              },
            ],
          },
          {
            scope: { name: 'plano-llm' },
            spans: [
              {
                traceId: TRACE,
                spanId: '1000000000000003',
                parentSpanId: '1000000000000001',
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: at(25),
                endTimeUnixNano: at(940),
                attributes: [str('llm.model', 'gpt-4o'), { key: 'llm.usage.total_tokens', value: { intValue: '1234' } }],
              },
            ],
          },
        ],
      },
      {
        resource: { attributes: [str('service.name', 'worker'), str('tenant.id', 'acme-corp')] },
        scopeSpans: [
          {
            scope: {},
            spans: [
              {
                traceId: TRACE,
                spanId: '1000000000000004',
                parentSpanId: 'dead00000000beef', // never arrives
                name: 'late job',
                kind: 5,
                startTimeUnixNano: at(600),
                endTimeUnixNano: at(1200),
                attributes: [str('job', 'summarize')],
              },
            ],
          },
        ],
      },
    ],
  };
}

type TraceBody = { traceId: string; spans: StoredSpan[]; matchedSpanIds?: string[]; where?: string; error?: string; column?: number };

const bySpanId = (a: StoredSpan, b: StoredSpan) => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

describeEachDatabase('trace download as OTLP/JSON, and where highlighting', (kind) => {
  let source: TestDatabase;
  /** Opened up front: a fresh PGlite takes seconds to start, longer than the route server's keep-alive. */
  let fresh: TestDatabase;
  let server: Awaited<ReturnType<typeof startRouteServer>>;
  let demoTraceId: string;

  beforeAll(async () => {
    [source, fresh] = await Promise.all([openTestDatabase(kind), openTestDatabase(kind)]);
    useDb(source.db);
    server = await startRouteServer();
    const requests = demoRequests(12, 21);
    await postDemo(server.url, requests);
    // A demo trace with all four Plano services.
    demoTraceId = flattenRequests(requests).find((t) => t.spans.length === 4)?.traceId as string;
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(richTrace()) });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('rejected');
  });
  afterAll(async () => {
    await server?.close();
    await source?.dispose();
    await fresh?.dispose();
  });

  const getTrace = async (id: string, wheres: string[] = []) => {
    const qs = new URLSearchParams(wheres.map((w) => ['where', w]));
    const res = await fetch(`${server.url}/api/traces/${id}${wheres.length ? `?${qs}` : ''}`);
    return { status: res.status, body: (await res.json()) as TraceBody };
  };
  const download = async (id: string) => {
    const res = await fetch(`${server.url}/api/traces/${id}/otlp`);
    return { res, doc: (await res.json()) as OtlpJsonExportRequest };
  };

  it('serves a downloadable ExportTraceServiceRequest grouped by resource and scope', async () => {
    const { res, doc } = await download(TRACE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="trace-${TRACE}.json"`);
    expect(doc.resourceSpans).toHaveLength(2);
    const [gateway, worker] = doc.resourceSpans;
    // Attribute order is not kept (JSONB), and OTLP gives it no meaning.
    expect(gateway.resource.attributes.map((a) => a.key).sort()).toEqual(['host', 'service.name', 'tenant.id']);
    expect(gateway.scopeSpans.map((s) => s.scope)).toEqual([{ name: 'plano', version: '0.4.1' }, { name: 'plano-llm' }]);
    expect(worker.scopeSpans.map((s) => s.scope)).toEqual([{}]);
    const root = gateway.scopeSpans[0].spans.find((s) => s.spanId === '1000000000000001');
    expect(root).toMatchObject({
      traceId: TRACE,
      startTimeUnixNano: at(0, 123n),
      endTimeUnixNano: at(950, 7n),
      traceState: 'vendor=abc',
      flags: 257,
      droppedAttributesCount: 2,
      droppedEventsCount: 3,
      droppedLinksCount: 1,
      status: { code: 2, message: 'upstream failed' },
    });
    expect(root?.attributes.find((a) => a.key === 'big')?.value).toEqual({ intValue: '9007199254740993' });
    expect(root?.attributes.find((a) => a.key === 'raw')?.value).toEqual({ bytesValue: 'AAEC/w==' });
    // Stored compact (2.0 as {"d": 2}), a double 2.0 still comes back a double, not an int.
    expect(root?.attributes.find((a) => a.key === 'whole')?.value).toEqual({ doubleValue: 2 });
    expect(root?.attributes.find((a) => a.key === 'inf')?.value).toEqual({ doubleValue: 'Infinity' });
    expect(root?.attributes.find((a) => a.key === 'deep')?.value).toEqual({
      kvlistValue: { values: [{ key: 'n', value: { arrayValue: { values: [{ intValue: '-9223372036854775808' }, { doubleValue: 3 }] } } }] },
    });
    expect(root?.events[1]).toEqual({
      timeUnixNano: at(900),
      name: 'exception',
      attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
      droppedAttributesCount: 1,
    });
    expect(root?.links[0]).toMatchObject({ traceState: 'k=v', droppedAttributesCount: 4 });
    // The short id works too, and unknown ids are 404.
    expect((await fetch(`${server.url}/api/traces/${TRACE.slice(0, 8)}/otlp`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/traces/${'0'.repeat(31)}1/otlp`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/traces/xyz/otlp`)).status).toBe(400);
  });

  it('round trip: the download re-POSTed to a fresh database gives identical spans and an identical download', async () => {
    const originals = new Map<string, { spans: StoredSpan[]; doc: OtlpJsonExportRequest }>();
    for (const id of [TRACE, demoTraceId]) {
      originals.set(id, { spans: (await getTrace(id)).body.spans, doc: (await download(id)).doc });
    }
    try {
      useDb(fresh.db);
      for (const [id, original] of originals) {
        expect((await getTrace(id)).status).toBe(404);
        const res = await fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(original.doc),
        });
        expect(res.status).toBe(200);
        expect(await res.text()).not.toContain('rejected');
        const again = await getTrace(id);
        expect(again.status).toBe(200);
        expect([...again.body.spans].sort(bySpanId)).toEqual([...original.spans].sort(bySpanId));
        expect((await download(id)).doc).toEqual(original.doc);
      }
    } finally {
      useDb(source.db);
    }
  });

  it('matchedSpanIds lists the spans matching where at span level', async () => {
    const all = (await getTrace(demoTraceId)).body.spans;
    expect((await getTrace(demoTraceId)).body).not.toHaveProperty('matchedSpanIds');
    const ids = (p: (s: StoredSpan) => boolean) =>
      all
        .filter(p)
        .map((s) => s.spanId)
        .sort();

    const llm = await getTrace(demoTraceId, ['service=plano(llm)']);
    expect(llm.status).toBe(200);
    expect(llm.body.where).toBe('service = plano(llm)');
    expect(llm.body.matchedSpanIds).toEqual(ids((s) => s.service === 'plano(llm)'));
    expect(llm.body.matchedSpanIds).toHaveLength(1);

    expect((await getTrace(demoTraceId, ['NOT service=plano(llm)'])).body.matchedSpanIds).toEqual(ids((s) => s.service !== 'plano(llm)'));
    expect((await getTrace(demoTraceId, ['trace.duration>0'])).body.matchedSpanIds).toEqual(ids(() => true));
    // Repeated where: ANDed on the same span.
    expect((await getTrace(demoTraceId, ['kind=server', 'service~"plano(*"'])).body.matchedSpanIds).toEqual(ids((s) => s.kind === 2));

    const rich = (await getTrace(TRACE)).body.spans;
    const richIds = (p: (s: StoredSpan) => boolean) =>
      rich
        .filter(p)
        .map((s) => s.spanId)
        .sort();
    expect((await getTrace(TRACE, ['status=error'])).body.matchedSpanIds).toEqual(['1000000000000001']);
    expect((await getTrace(TRACE, ['llm.usage.total_tokens>=1000'])).body.matchedSpanIds).toEqual(['1000000000000003']);
    // Resource attributes count too (span attributes first).
    expect((await getTrace(TRACE, ['host exists OR job=summarize'])).body.matchedSpanIds).toEqual(richIds(() => true));
    expect((await getTrace(TRACE, ['emoji~"🚩*"'])).body.matchedSpanIds).toEqual(['1000000000000001']);
    expect((await getTrace(TRACE, ['tenant.id=globex'])).body.matchedSpanIds).toEqual([]);
  });

  it('getTraceView (one aggregated JSON value) answers exactly like getTrace (one row per span)', async () => {
    for (const id of [TRACE, demoTraceId, TRACE.slice(0, 8)]) {
      expect(await getTraceView(source.db, { traceId: id })).toEqual(await getTraceRows(source.db, { traceId: id }));
    }
    expect(await getTraceView(source.db, { traceId: 'f'.repeat(32) })).toEqual({ status: 'not_found' });
  });

  it('a bad where is a 400 naming the filter and column', async () => {
    const bad = await getTrace(demoTraceId, ['tenant.id=acme-corp', 'duration>fast']);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/column/);
    expect(bad.body).toMatchObject({ filterIndex: 1, where: 'duration>fast' });
  });
});
