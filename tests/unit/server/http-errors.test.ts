/**
 * What an API route answers when it fails: its own ApiError as thrown; anything else
 * logged under a request id and answered without its text, a retryable database failure
 * (db/failures.ts, tested in tests/unit/db/failures.test.ts) as 503 + Retry-After.
 */
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, internalErrorResponse, newRequestId, withApiErrors } from '../../../server/http/errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const refused = () => withCode('connect ECONNREFUSED 10.1.2.3:5432', 'ECONNREFUSED');
const failing = (err: unknown) => () => withApiErrors(async () => Promise.reject(err));

describe('withApiErrors', () => {
  afterEach(() => vi.restoreAllMocks());
  const silenceLog = () => vi.spyOn(console, 'error').mockImplementation(() => {});

  it('answers an ApiError with its own status and fields', async () => {
    const res = await failing(new ApiError(400, 'bad where', { column: 3 }))();
    expect(res.status).toBe(400);
    expect(await res.json()).toStrictEqual({ error: 'bad where', column: 3 });
  });

  it('answers a database outage 503 + Retry-After, with a request id and no driver text', async () => {
    const log = silenceLog();
    const err = new DrizzleQueryError('select trace_id from traces where tenant_id = $1', ['acme'], refused());
    const res = await failing(err)();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const text = await res.text();
    const body = JSON.parse(text) as { error: string; requestId: string };
    expect(body.requestId).toMatch(/^[0-9a-f]{8}$/);
    expect(body).toStrictEqual({ error: `database unavailable, retry later (request ${body.requestId})`, requestId: body.requestId });
    for (const leak of ['ECONNREFUSED', '10.1.2.3', 'select', 'acme']) expect(text).not.toContain(leak);
    // The server log has it all, under the same id.
    expect(log).toHaveBeenCalledWith(expect.stringContaining(body.requestId), err);
  });

  it('answers a database that refuses writes 503 as well (read-only, out of disk)', async () => {
    silenceLog();
    for (const [message, code] of [
      ['cannot execute INSERT in a read-only transaction', '25006'],
      ['could not extend file "base/16384/16385": No space left on device', '53100'],
    ]) {
      const res = await failing(new DrizzleQueryError('insert into attribute_keys values ($1)', ['llm.model'], withCode(message, code)))();
      expect(res.status, code).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      // Only the request id: none of the driver's text, code or statement.
      const body = (await res.json()) as { error: string; requestId: string };
      expect(body).toStrictEqual({ error: `database unavailable, retry later (request ${body.requestId})`, requestId: body.requestId });
    }
  });

  it('answers any other error 500 with a request id and none of its text', async () => {
    const log = silenceLog();
    const err = withCode('relation "traces" does not exist', '42P01');
    const res = await failing(err)();
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    const body = (await res.json()) as { error: string; requestId: string };
    expect(body).toStrictEqual({ error: `internal error (request ${body.requestId})`, requestId: body.requestId });
    expect(log).toHaveBeenCalledWith(expect.stringContaining(body.requestId), err);
  });

  it('gives each failure its own request id', async () => {
    silenceLog();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add(((await internalErrorResponse(new Error('x')).json()) as { requestId: string }).requestId);
    expect(ids.size).toBe(20);
    expect(newRequestId()).toMatch(/^[0-9a-f]{8}$/);
  });
});
