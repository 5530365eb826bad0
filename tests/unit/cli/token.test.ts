/** `tracedeck trace --token` / TRACEDECK_TOKEN: sent as a Bearer header; a 401/403 says what to do. */
import { describe, expect, it } from 'vitest';
import { planTrace } from '../../../cli/trace/args';
import { type FetchLike, TracedeckClient } from '../../../cli/trace/client';
import { type TraceIo, runTrace } from '../../../cli/trace/command';
import { plainPainter } from '../../../cli/trace/style';

function harness(status: number, env: Record<string, string> = {}) {
  const seen: (Record<string, string> | undefined)[] = [];
  let err = '';
  const fetchImpl: FetchLike = async (_url, init) => {
    seen.push(init?.headers);
    return new Response(JSON.stringify({ error: status === 403 ? 'this key may send spans but not read them' : 'a read token is required' }), { status });
  };
  const io: TraceIo = {
    out: () => {},
    err: (t) => void (err += t),
    painter: plainPainter,
    errPainter: plainPainter,
    tty: false,
    pick: async () => null,
    client: (base, token) => new TracedeckClient(base, fetchImpl, 1000, token ?? null),
    env,
  };
  return { io, seen, err: () => err };
}

describe('trace --token', () => {
  it('takes --token over TRACEDECK_TOKEN', () => {
    expect(planTrace(undefined, { token: 'from-flag' }, { TRACEDECK_TOKEN: 'from-env' }).token).toBe('from-flag');
    expect(planTrace(undefined, {}, { TRACEDECK_TOKEN: 'from-env' }).token).toBe('from-env');
    expect(planTrace(undefined, {}, {}).token).toBeNull();
  });

  it('sends the token as a Bearer header and explains a refusal', async () => {
    const h = harness(401, { TRACEDECK_TOKEN: 'tok-123' });
    expect(await runTrace(undefined, { url: 'http://td.test' }, h.io)).toBe(1);
    expect(h.seen[0]).toMatchObject({ authorization: 'Bearer tok-123' });
    expect(h.err()).toContain('did not accept the token');
  });

  it('without a token: no header, and a hint to pass one', async () => {
    const h = harness(401);
    expect(await runTrace(undefined, { url: 'http://td.test' }, h.io)).toBe(1);
    expect(h.seen[0]).not.toHaveProperty('authorization');
    expect(h.err()).toContain('requires a read token: pass --token <token> or set TRACEDECK_TOKEN');
  });

  it('an ingest-only key (403) is named as such', async () => {
    const h = harness(403, { TRACEDECK_TOKEN: 'ingest-key' });
    expect(await runTrace(undefined, { url: 'http://td.test' }, h.io)).toBe(1);
    expect(h.err()).toContain('refused the token');
  });
});
