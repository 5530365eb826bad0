import type postgres from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POOL_WAIT_SECONDS, type PoolMode, RecyclingClient, transactionOn } from '../../../db/postgres-pool';

const withCode = (code: string) => Object.assign(new Error(code), { code });

/** A stand-in for a postgres.js client: records end() calls. */
function fakeClient(id: number) {
  const client = {
    id,
    ended: false,
    end: async (): Promise<void> => {
      client.ended = true;
    },
  };
  return client;
}

describe('RecyclingClient', () => {
  it('keeps its client across statement errors, and replaces it after a connection error', async () => {
    let n = 0;
    const made: ReturnType<typeof fakeClient>[] = [];
    const pool = new RecyclingClient(() => {
      const c = fakeClient(++n);
      made.push(c);
      return c as unknown as postgres.Sql;
    });
    const first = pool.client;
    await expect(pool.use(async () => Promise.reject(withCode('23505')))).rejects.toThrow('23505');
    expect(pool.client).toBe(first);

    await expect(pool.use(async () => Promise.reject(withCode('57P01')))).rejects.toThrow('57P01');
    expect(pool.client).not.toBe(first);
    expect(pool.replaced).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(made[0].ended).toBe(true);
    expect(made[1].ended).toBe(false);
  });

  it('a burst of failures from one retired client replaces it once', async () => {
    let n = 0;
    const pool = new RecyclingClient(() => fakeClient(++n) as unknown as postgres.Sql);
    let fail!: () => void;
    const gate = new Promise<void>((resolve) => (fail = resolve));
    const calls = Array.from({ length: 5 }, () =>
      pool.use(async () => {
        await gate;
        throw withCode('ECONNREFUSED');
      }),
    );
    fail();
    await Promise.allSettled(calls);
    expect(pool.replaced).toBe(1);
    expect((pool.client as unknown as { id: number }).id).toBe(2);
  });

  it('makes the replacement with the reconnecting mode, and a steady client again once the replacement has worked', async () => {
    const modes: PoolMode[] = [];
    const pool = new RecyclingClient((mode) => {
      modes.push(mode);
      return fakeClient(modes.length) as unknown as postgres.Sql;
    });
    expect(pool.mode).toBe('steady');
    await pool.use(async () => Promise.reject(withCode('ECONNREFUSED'))).catch(() => {});
    expect(pool.mode).toBe('reconnecting');
    // Still down: the next failure replaces it with another reconnecting client.
    await pool.use(async () => Promise.reject(withCode('57P03'))).catch(() => {});
    // A statement error means the server answers, but it is no reason to swap clients.
    await pool.use(async () => Promise.reject(withCode('23505'))).catch(() => {});
    expect(modes).toEqual(['steady', 'reconnecting', 'reconnecting']);
    expect(await pool.use(async () => 'stored')).toBe('stored');
    expect(modes).toEqual(['steady', 'reconnecting', 'reconnecting', 'steady']);
    expect(pool.mode).toBe('steady');
    await pool.use(async () => 'stored again');
    expect(modes).toHaveLength(4);
  });

  it('aborts the retired signal of the client it replaces, not of the new one', async () => {
    let n = 0;
    const pool = new RecyclingClient(() => fakeClient(++n) as unknown as postgres.Sql);
    let firstSignal: AbortSignal | undefined;
    await pool
      .use(async (_client, retired) => {
        firstSignal = retired;
        throw withCode('CONNECTION_CLOSED');
      })
      .catch(() => {});
    expect(firstSignal?.aborted).toBe(true);
    expect(await pool.use(async (_client, retired) => retired.aborted)).toBe(false);
  });

  it('end() ends the current client and waits for retired ones', async () => {
    let n = 0;
    const made: ReturnType<typeof fakeClient>[] = [];
    const pool = new RecyclingClient(() => {
      const c = fakeClient(++n);
      made.push(c);
      return c as unknown as postgres.Sql;
    });
    await pool.use(async () => Promise.reject(withCode('CONNECTION_CLOSED'))).catch(() => {});
    await pool.end(1);
    expect(made.map((c) => c.ended)).toEqual([true, true]);
  });

  it('end() waits for a retired client that does not end at most its own timeout', async () => {
    vi.useFakeTimers();
    try {
      let n = 0;
      const pool = new RecyclingClient(() => {
        const c = fakeClient(++n);
        // The first client never finishes ending (a connection that died mid-query, porsager/postgres#1130).
        if (n === 1) c.end = () => new Promise<void>(() => {});
        return c as unknown as postgres.Sql;
      });
      await pool.use(async () => Promise.reject(withCode('CONNECTION_CLOSED'))).catch(() => {});
      let ended = false;
      const ending = pool.end(2).then(() => (ended = true));
      await vi.advanceTimersByTimeAsync(1999);
      expect(ended).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await ending;
      expect(ended).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

/** A stand-in for client.reserve(): records statements, fails the ones listed; `hold` keeps reserve() pending until handOver(). */
function fakeReserving(failOn: Record<string, Error> = {}, { hold = false } = {}) {
  const log: string[] = [];
  let released = false;
  const tx = {
    unsafe: async (text: string) => {
      log.push(text);
      if (failOn[text]) throw failOn[text];
      return [];
    },
    release: () => void (released = true),
  };
  let handOver = () => {};
  const reserved = hold ? new Promise<typeof tx>((resolve) => (handOver = () => resolve(tx))) : Promise.resolve(tx);
  const client = { reserve: () => reserved, end: async () => {} } as unknown as postgres.Sql;
  return { client, tx: tx as unknown as postgres.ReservedSql, log, released: () => released, handOver: () => handOver() };
}

describe('transactionOn', () => {
  it('commits and releases', async () => {
    const f = fakeReserving();
    expect(await transactionOn(f.client, async (tx) => (await tx.unsafe('INSERT'), 7))).toBe(7);
    expect(f.log).toEqual(['BEGIN', 'INSERT', 'COMMIT']);
    expect(f.released()).toBe(true);
  });

  it('rolls back and releases after a statement error', async () => {
    const f = fakeReserving({ INSERT: withCode('23505') });
    await expect(transactionOn(f.client, (tx) => tx.unsafe('INSERT'))).rejects.toThrow('23505');
    expect(f.log).toEqual(['BEGIN', 'INSERT', 'ROLLBACK']);
    expect(f.released()).toBe(true);
  });

  it('writes nothing more to a connection that died, and does not hand it back', async () => {
    const f = fakeReserving({ INSERT: withCode('57P01') });
    await expect(transactionOn(f.client, (tx) => tx.unsafe('INSERT'))).rejects.toThrow('57P01');
    expect(f.log).toEqual(['BEGIN', 'INSERT']);
    expect(f.released()).toBe(false);
  });

  // postgres.js 3.4.9 can leave a queued reserve() pending for good (porsager/postgres#1195).
  describe('a reserve() that is never served', () => {
    afterEach(() => vi.useRealTimers());

    it('gives up when its client is retired, and hands a connection that comes later straight back', async () => {
      const f = fakeReserving({}, { hold: true });
      const retired = new AbortController();
      const running = transactionOn(f.client, async () => 'never runs', retired.signal);
      retired.abort();
      await expect(running).rejects.toMatchObject({ code: 'CONNECTION_ENDED', message: expect.stringMatching(/pool was replaced/) });
      f.handOver();
      await vi.waitFor(() => expect(f.released()).toBe(true));
      expect(f.log).toEqual([]);
    });

    it('every transaction waiting on a client is let go when a failure retires it, without a listener-leak warning', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      try {
        const pool = new RecyclingClient(() => fakeReserving({}, { hold: true }).client as unknown as postgres.Sql);
        const waiting = Array.from({ length: 20 }, () => pool.use((client, retired) => transactionOn(client, async () => 'never runs', retired)));
        await expect(pool.use(async () => Promise.reject(withCode('ECONNREFUSED')))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
        const outcomes = await Promise.allSettled(waiting);
        expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as { code?: string }).code)).toEqual(Array(20).fill('CONNECTION_ENDED'));
        expect(pool.replaced).toBe(1);
        await new Promise((r) => setImmediate(r));
        expect(warnings).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('gives up on an already retired client at once', async () => {
      const f = fakeReserving({}, { hold: true });
      await expect(transactionOn(f.client, async () => 'never runs', AbortSignal.abort())).rejects.toMatchObject({ code: 'CONNECTION_ENDED' });
    });

    it(`gives up after POOL_WAIT_SECONDS (${POOL_WAIT_SECONDS} s) with POOL_TIMEOUT, a retryable failure`, async () => {
      vi.useFakeTimers();
      const f = fakeReserving({}, { hold: true });
      const running = transactionOn(f.client, async () => 'never runs', new AbortController().signal);
      let settled = false;
      const outcome = running.catch((err: unknown) => err).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(POOL_WAIT_SECONDS * 1000 - 1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await outcome).toMatchObject({ code: 'POOL_TIMEOUT', message: `no database connection came free within ${POOL_WAIT_SECONDS} s` });
      expect(f.log).toEqual([]);
    });

    it('runs normally when the connection comes in time', async () => {
      const f = fakeReserving({}, { hold: true });
      const retired = new AbortController();
      const running = transactionOn(f.client, async (tx) => (await tx.unsafe('INSERT'), 'stored'), retired.signal);
      f.handOver();
      expect(await running).toBe('stored');
      // Retiring the client afterwards changes nothing for a finished transaction.
      retired.abort();
      expect(f.log).toEqual(['BEGIN', 'INSERT', 'COMMIT']);
      expect(f.released()).toBe(true);
    });
  });
});
