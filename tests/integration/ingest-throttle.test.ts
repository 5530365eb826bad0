/**
 * Ingest backpressure (server/ingest/gate.ts) through the real route: past the
 * writes in flight and the bounded wait queue, requests get 429 + Retry-After with an
 * OTLP Status body in their own encoding and nothing of them is stored; the rest are
 * stored, and the server keeps answering after a flood.
 */
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { rpcStatusType } from '../../lib/otlp/response';
import { ingestGateOptions, resetConfigForTests } from '../../server/config';
import { type IngestSlot, ingestGate } from '../../server/ingest/gate';
import { describeEachDatabase } from '../support/databases';
import { freshBatch } from '../support/fresh-batch';
import { serveRoutesOn } from '../support/route-server';

const GATE_ENV = ['TRACEDECK_MAX_INFLIGHT_INGEST', 'TRACEDECK_MAX_QUEUED_INGEST', 'TRACEDECK_INGEST_QUEUE_TIMEOUT_MS'];

function setGate(maxInFlight: number, maxQueued: number, timeoutMs = 5000) {
  process.env.TRACEDECK_MAX_INFLIGHT_INGEST = String(maxInFlight);
  process.env.TRACEDECK_MAX_QUEUED_INGEST = String(maxQueued);
  process.env.TRACEDECK_INGEST_QUEUE_TIMEOUT_MS = String(timeoutMs);
  resetConfigForTests();
  // The route and the test share this process, so this is the gate the route uses.
  return ingestGate(ingestGateOptions());
}

describeEachDatabase('ingest backpressure', (kind) => {
  const server = serveRoutesOn(kind);
  afterEach(() => {
    for (const name of GATE_ENV) delete process.env[name];
    resetConfigForTests();
  });

  const post = (body: BodyInit, contentType = 'application/json') =>
    fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });

  async function storedSpans(traceId: string): Promise<number> {
    const [row] = await server.db.rows<{ n: bigint }>(sql`SELECT count(*) AS n FROM spans WHERE trace_id = ${traceId}`);
    return Number(row.n);
  }

  it('a full gate answers 429 + Retry-After in the request encoding, and stores nothing of it', async () => {
    const gate = setGate(1, 0);
    const held = (await gate.acquire()) as IngestSlot;
    try {
      const batch = freshBatch(5, 'throttle');
      const res = await post(Buffer.from(batch.protobuf), 'application/x-protobuf');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toBe('application/x-protobuf');
      const status = rpcStatusType().toObject(rpcStatusType().decode(new Uint8Array(await res.arrayBuffer()))) as { code: number; message: string };
      expect(status).toMatchObject({ code: 8, message: expect.stringMatching(/at capacity, retry later/) }); // RESOURCE_EXHAUSTED

      const json = await post(freshBatch(5, 'throttle').json);
      expect(json.status).toBe(429);
      expect(((await json.json()) as { code: number }).code).toBe(8);
      expect(await storedSpans(batch.traceId)).toBe(0);
    } finally {
      held();
    }
    // The slot is free again: the same batch goes through.
    const batch = freshBatch(5, 'throttle');
    expect((await post(batch.json)).status).toBe(200);
    expect(await storedSpans(batch.traceId)).toBe(5);
  });

  it('a request waits in the queue for a slot, and is throttled when it waits too long', async () => {
    const gate = setGate(1, 1, 300);
    const held = (await gate.acquire()) as IngestSlot;
    const started = performance.now();
    const timedOut = await post(freshBatch(3, 'throttle').json);
    expect(timedOut.status).toBe(429);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);

    const batch = freshBatch(3, 'throttle');
    const waiting = post(batch.json);
    await new Promise((r) => setTimeout(r, 100));
    expect(gate.stats().queued).toBe(1);
    held();
    expect((await waiting).status).toBe(200);
    expect(await storedSpans(batch.traceId)).toBe(3);
  });

  it('a flood gets throttled answers, not a crash: every 200 is stored, every 429 is not, and the server answers after', async () => {
    const gate = setGate(2, 2);
    const batches = Array.from({ length: 40 }, () => freshBatch(40, 'flood'));
    const answers = await Promise.all(
      batches.map(async (b) => {
        const res = await post(b.json);
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text(), batch: b };
      }),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const throttled = answers.filter((a) => a.status === 429);
    const stored = answers.filter((a) => a.status === 200);
    expect(throttled.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThanOrEqual(4); // at least the in-flight and queued ones
    for (const a of throttled) {
      expect(a.retryAfter).toBe('1');
      expect(await storedSpans(a.batch.traceId)).toBe(0);
    }
    for (const a of stored) expect(await storedSpans(a.batch.traceId)).toBe(40);
    expect(gate.stats()).toMatchObject({ inFlight: 0, queued: 0 });

    // Re-sent after the Retry-After, as an exporter would, the throttled batches are stored too.
    for (const a of throttled) expect((await post(a.batch.json)).status).toBe(200);
    for (const a of throttled) expect(await storedSpans(a.batch.traceId)).toBe(40);
  });
});
