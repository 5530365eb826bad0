import type postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { RecyclingClient, isConnectionError, transactionOn } from '../../../db/postgres-pool';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isConnectionError', () => {
  it('is true for lost connections, server shutdown and refused connects', () => {
    for (const code of ['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006']) {
      expect(isConnectionError(withCode(code)), code).toBe(true);
    }
  });

  it('is false for statement errors and anything without a code', () => {
    for (const code of ['23505', '22023', '42P01', '40P01']) expect(isConnectionError(withCode(code)), code).toBe(false);
    expect(isConnectionError(new Error('boom'))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });
});

/** A stand-in for a postgres.js client: records end() calls. */
function fakeClient(id: number) {
  const client = { id, ended: false, end: async () => void (client.ended = true) };
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
});

/** A stand-in for client.reserve(): records statements, fails the ones listed. */
function fakeReserving(failOn: Record<string, Error> = {}) {
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
  const client = { reserve: async () => tx } as unknown as postgres.Sql;
  return { client, tx: tx as unknown as postgres.ReservedSql, log, released: () => released };
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
});
