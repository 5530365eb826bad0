import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestGateOptions, resetConfigForTests } from '../../../server/config';
import { IngestGate, type IngestSlot, ingestGate } from '../../../server/ingest/gate';

const gate = (maxInFlight: number, maxQueued: number, maxWaitMs = 60_000) => new IngestGate({ maxInFlight, maxQueued, maxWaitMs });

describe('IngestGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits up to maxInFlight at once', async () => {
    const g = gate(2, 0);
    const a = await g.acquire();
    const b = await g.acquire();
    expect(a).toBeTypeOf('function');
    expect(b).toBeTypeOf('function');
    expect(g.stats()).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('refuses at once when the queue is full, and counts it', async () => {
    const g = gate(1, 1);
    const held = (await g.acquire()) as IngestSlot;
    const waiting = g.acquire();
    expect(g.stats().queued).toBe(1);
    expect(await g.acquire()).toBeNull();
    expect(g.stats()).toMatchObject({ inFlight: 1, queued: 1, throttled: 1 });
    held();
    expect(await waiting).toBeTypeOf('function');
  });

  it('hands a freed slot to the oldest waiter (first come, first served)', async () => {
    const g = gate(1, 3);
    const first = (await g.acquire()) as IngestSlot;
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      g.acquire().then((slot) => {
        order.push(n);
        return slot as IngestSlot;
      }),
    );
    first();
    const second = await waiters[0];
    expect(order).toEqual([1]);
    expect(g.stats()).toMatchObject({ inFlight: 1, queued: 2 });
    second();
    (await waiters[1])();
    (await waiters[2])();
    expect(order).toEqual([1, 2, 3]);
    expect(g.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 4, throttled: 0 });
  });

  it('never lets more than maxInFlight run, however many arrive', async () => {
    const g = gate(3, 100);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const slot = await g.acquire();
        if (!slot) return;
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        running--;
        slot();
      }),
    );
    expect(peak).toBe(3);
    expect(g.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 50 });
  });

  it('releasing twice frees one slot only', async () => {
    const g = gate(1, 0);
    const slot = (await g.acquire()) as IngestSlot;
    slot();
    slot();
    expect(g.stats().inFlight).toBe(0);
    await g.acquire();
    expect(await g.acquire()).toBeNull();
  });

  it('a request that waits longer than maxWaitMs is refused and leaves the queue', async () => {
    vi.useFakeTimers();
    const g = gate(1, 5, 1000);
    const held = (await g.acquire()) as IngestSlot;
    const waiting = g.acquire();
    vi.advanceTimersByTime(999);
    expect(g.stats().queued).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await waiting).toBeNull();
    expect(g.stats()).toMatchObject({ queued: 0, throttled: 1 });
    // The timed-out waiter does not get the slot later.
    held();
    expect(g.stats().inFlight).toBe(0);
  });

  it('rejects nonsense settings', () => {
    expect(() => gate(0, 1)).toThrow(/maxInFlight/);
    expect(() => gate(1, -1)).toThrow(/maxQueued/);
    expect(() => gate(1.5, 1)).toThrow(/maxInFlight/);
  });
});

describe('ingestGate settings', () => {
  const names = ['TRACEDECK_MAX_INFLIGHT_INGEST', 'TRACEDECK_MAX_QUEUED_INGEST', 'TRACEDECK_INGEST_QUEUE_TIMEOUT_MS'];
  afterEach(() => {
    for (const n of names) delete process.env[n];
    resetConfigForTests();
  });

  it('defaults to the pool size in flight and four times as many waiting', () => {
    expect(ingestGateOptions()).toEqual({ maxInFlight: 10, maxQueued: 40, maxWaitMs: 5000 });
  });

  it('reads the environment, and the process-wide gate follows it', () => {
    process.env.TRACEDECK_MAX_INFLIGHT_INGEST = '2';
    process.env.TRACEDECK_MAX_QUEUED_INGEST = '0';
    process.env.TRACEDECK_INGEST_QUEUE_TIMEOUT_MS = '250';
    resetConfigForTests();
    const options = ingestGateOptions();
    expect(options).toEqual({ maxInFlight: 2, maxQueued: 0, maxWaitMs: 250 });
    const g = ingestGate(options);
    expect(ingestGate(ingestGateOptions())).toBe(g);
    process.env.TRACEDECK_MAX_INFLIGHT_INGEST = '3';
    resetConfigForTests();
    expect(ingestGate(ingestGateOptions())).not.toBe(g);
  });

  it('refuses a malformed value', () => {
    process.env.TRACEDECK_MAX_INFLIGHT_INGEST = 'lots';
    resetConfigForTests();
    expect(() => ingestGateOptions()).toThrow(/TRACEDECK_MAX_INFLIGHT_INGEST/);
  });
});
