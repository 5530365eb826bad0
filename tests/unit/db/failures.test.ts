/**
 * db/failures.ts: which database failures are worth retrying (503 + Retry-After, gRPC
 * UNAVAILABLE) and which connection failures make db/postgres-pool.ts open a fresh pool.
 */
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { POOL_TIMEOUT, classifyDbFailure, isConnectionError } from '../../../db/failures';

const withCode = (code: string, message = `failure ${code}`) => Object.assign(new Error(message), { code });

describe('classifyDbFailure', () => {
  it.each([
    // postgres.js's own codes and Node's socket errors
    ['CONNECTION_CLOSED', 'connection'],
    ['CONNECTION_ENDED', 'connection'],
    ['CONNECT_TIMEOUT', 'connection'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
    ['EPIPE', 'connection'],
    // class 08 connection exception, 57P0x shutdown and startup
    ['08006', 'connection'],
    ['08001', 'connection'],
    ['57P01', 'connection'],
    ['57P02', 'connection'],
    ['57P03', 'connection'],
    // a server that refuses writes or is out of resources
    ['25006', 'unavailable'],
    ['53000', 'unavailable'],
    ['53100', 'unavailable'],
    ['53200', 'unavailable'],
    ['53300', 'unavailable'],
    [POOL_TIMEOUT, 'unavailable'],
    // a transaction rolled back whole by a conflict
    ['40001', 'conflict'],
    ['40P01', 'conflict'],
  ])('%s is %s', (code, kind) => {
    expect(classifyDbFailure(withCode(code))).toBe(kind);
  });

  it.each([
    ['23505', 'unique_violation'],
    ['22023', 'invalid_parameter_value'],
    ['42P01', 'undefined_table'],
    ['42501', 'insufficient_privilege'],
    ['40002', 'transaction_integrity_constraint_violation'],
    ['57014', 'query_canceled'],
    ['22P05', 'untranslatable_character'],
  ])('%s (%s) is not retryable: the same request fails the same way', (code) => {
    expect(classifyDbFailure(withCode(code))).toBeNull();
  });

  it('is null for bugs and for anything without a code', () => {
    expect(classifyDbFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeNull();
    expect(classifyDbFailure(new Error('boom'))).toBeNull();
    expect(classifyDbFailure(Object.assign(new Error('numeric code'), { code: 53300 }))).toBeNull();
    expect(classifyDbFailure('ECONNREFUSED')).toBeNull();
    expect(classifyDbFailure(null)).toBeNull();
    expect(classifyDbFailure(undefined)).toBeNull();
  });

  it('looks through a cause (drizzle wraps driver errors) and an AggregateError (Node tries each address)', () => {
    expect(classifyDbFailure(new DrizzleQueryError('insert into spans …', [], withCode('25006')))).toBe('unavailable');
    expect(classifyDbFailure(new Error('outer', { cause: new Error('middle', { cause: withCode('40P01') }) }))).toBe('conflict');
    expect(classifyDbFailure(new AggregateError([new Error('lookup'), withCode('ECONNREFUSED')], 'all attempts failed'))).toBe('connection');
    expect(classifyDbFailure(new DrizzleQueryError('select 1', [], withCode('22012')))).toBeNull();
  });

  it('stops on a cause that loops back to itself, and past a few levels of wrapping', () => {
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    expect(classifyDbFailure(loop)).toBeNull();
    let deep: Error = withCode('57P01');
    for (let i = 0; i < 10; i++) deep = new Error(`wrap ${i}`, { cause: deep });
    expect(classifyDbFailure(deep)).toBeNull();
  });
});

describe('isConnectionError', () => {
  it('is true only for connection failures: a read-only server or a deadlock keeps its pool', () => {
    for (const code of ['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', '57P01', '57P03', '08006'])
      expect(isConnectionError(withCode(code)), code).toBe(true);
    for (const code of ['25006', '53300', POOL_TIMEOUT, '40P01', '23505', '42P01']) expect(isConnectionError(withCode(code)), code).toBe(false);
    expect(isConnectionError(new Error('boom'))).toBe(false);
  });
});
