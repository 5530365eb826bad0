/** `tracedeck obs` without a server: its option checks and the screen it draws from a snapshot. */
import { describe, expect, it } from 'vitest';
import { planObs } from '../../../cli/obs/command';
import { renderObs, table } from '../../../cli/obs/render';
import { plainPainter } from '../../../cli/trace/style';
import type { LiveCall, LiveSnapshot } from '../../../lib/live/types';

const call = (over: Partial<LiveCall>): LiveCall => ({
  traceId: '3f2a9c1d00000000000000000000abcd',
  tenantId: 'acme-corp',
  startTimeUnixNano: '1800000000000000000',
  model: 'gpt-4o-mini',
  requestedModel: 'router:auto',
  route: 'code',
  strategy: 'llm_router',
  fallback: true,
  cacheHit: true,
  streaming: true,
  statusCode: 200,
  error: false,
  errorMessage: null,
  sessionId: 'sess_1',
  userId: 'usr_1',
  inputTokens: 1000,
  outputTokens: 200,
  cachedTokens: 400,
  latencyMs: 1100,
  ttftMs: 100,
  tokensPerSecond: 200,
  cost: { usd: 0.01, source: 'reported' },
  ...over,
});

const noCost = { reportedUsd: null, computedUsd: null, unpricedRequests: 0, unpriced: [], usd: null, source: null };

const SNAPSHOT: LiveSnapshot = {
  where: 'tenant.id = acme-corp',
  window: { since: '5m', from: '2027-01-15T07:55:00.000Z', to: '2027-01-15T08:00:40.000Z', fromNs: '0', toNs: '0' },
  totals: {
    requests: 2,
    errors: 1,
    errors4xx: 0,
    errors5xx: 1,
    errorsOther: 0,
    inputTokens: 1500,
    outputTokens: 200,
    cachedTokens: 400,
    cacheCreationTokens: null,
    cacheHits: 1,
    cacheHitShare: 0.5,
    fallbacks: 1,
    latencyMs: { p50: 1000, p95: 2900, p99: 2980 },
    ttftMs: { p50: 100, p95: 100, p99: 100 },
    tokensPerSecond: 200,
    sessions: 1,
    cost: { reportedUsd: 0.01, computedUsd: null, unpricedRequests: 1, unpriced: [{ model: 'my-finetune', requests: 1 }], usd: 0.01, source: 'reported' },
  },
  recent: [
    call({}),
    call({
      traceId: 'ffff0000'.padEnd(32, '0'),
      model: 'my-finetune',
      route: null,
      statusCode: 502,
      error: true,
      errorMessage: 'upstream 500',
      cost: { usd: null, source: 'unknown', model: 'my-finetune' },
    }),
  ],
  lastError: call({ model: 'my-finetune', route: null, statusCode: 502, error: true, errorMessage: 'upstream 500', startTimeUnixNano: '1800000000000000000' }),
  models: [
    {
      model: 'gpt-4o-mini',
      requests: 1,
      errors: 0,
      errors4xx: 0,
      errors5xx: 0,
      errorsOther: 0,
      inputTokens: 1000,
      outputTokens: 200,
      cachedTokens: 400,
      cacheCreationTokens: null,
      cacheHits: 1,
      fallbacks: 1,
      latencyMs: { p50: 1100, p95: 1100, p99: 1100 },
      ttftMs: { p50: 100, p95: 100, p99: 100 },
      tokensPerSecond: 200,
      cost: { ...noCost, reportedUsd: 0.01, usd: 0.01, source: 'reported' },
    },
    {
      model: 'my-finetune',
      requests: 1,
      errors: 1,
      errors4xx: 0,
      errors5xx: 1,
      errorsOther: 0,
      inputTokens: 500,
      outputTokens: 0,
      cachedTokens: null,
      cacheCreationTokens: null,
      cacheHits: 0,
      fallbacks: 0,
      latencyMs: { p50: 3000, p95: 3000, p99: 3000 },
      ttftMs: { p50: null, p95: null, p99: null },
      tokensPerSecond: null,
      cost: { ...noCost, unpricedRequests: 1, source: 'unknown' },
    },
  ],
  routes: [
    {
      route: 'code',
      requests: 1,
      share: 0.5,
      latencyP95Ms: 1100,
      errors: 0,
      errors4xx: 0,
      errors5xx: 0,
      errorsOther: 0,
      fallbacks: 1,
      strategies: [{ strategy: 'llm_router', requests: 1, fallbacks: 1 }],
    },
    { route: null, requests: 1, share: 0.5, latencyP95Ms: 3000, errors: 1, errors4xx: 0, errors5xx: 1, errorsOther: 0, fallbacks: 0, strategies: [] },
  ],
  strategies: [{ strategy: 'llm_router', requests: 1, fallbacks: 1, share: 0.5 }],
  unpricedNote: '1 request of `my-finetune` has no price',
  pricesError: null,
  queryMs: 3,
};

describe('tracedeck obs screen', () => {
  const text = renderObs(SNAPSHOT, plainPainter, { columns: 160, baseUrl: 'http://localhost:3000', intervalS: 2 }).join('\n');

  it('shows what planoai obs shows: the latest call, totals, last error, by model, route share, recent', () => {
    expect(text).toMatch(/^live LLM traffic · last 5m · where tenant\.id = acme-corp · 08:00:40 UTC/);
    expect(text).toMatch(/model\s+gpt-4o-mini ⟳ stream\s+requests\s+2/);
    expect(text).toMatch(/requested\s+router:auto/);
    expect(text).toMatch(/route\s+code · llm_router · fallback/);
    expect(text).toMatch(/tokens\s+1,000 in · 200 out · 400 cached/);
    expect(text).toMatch(/timing\s+TTFT 100ms · lat 1\.1s · 200\/s/);
    expect(text).toMatch(/cost\s+\$0\.0100 reported/);
    expect(text).toMatch(/errors\s+1 \(1 5xx\)/);
    expect(text).toMatch(/total cost\s+\$0\.0100 reported · 1 unpriced/);
    expect(text).toMatch(/cache hits\s+1 \(50\.0%\)/);
    expect(text).toContain('last error  ● 502 Bad Gateway · my-finetune · 40s ago · trace 3f2a9c1d');
    expect(text).toContain('1 request of `my-finetune` has no price — not counted in the cost');
    expect(text).toMatch(/my-finetune\s+1\s+1\s+500\s+0\s+—\s+—\s+—\s+3\.0s · 3\.0s\s+— · —\s+1 unpriced/);
    expect(text).toMatch(/\(no route\)\s+1\s+50\.0%\s+3\.0s\s+1\s+—\s+—/);
    expect(text).toMatch(/my-finetune\s+— ↺\s+1,000\s+400\s+200\s+200\/s\s+100ms\s+1\.1s\s+no price \(my-finetune\)\s+● 502 Bad Gateway/);
    expect(text).toContain('Ctrl-C exit · every 2s · http://localhost:3000/live · 2 request(s) in the window');
    // Never a $0 for the unpriced model.
    expect(text).not.toMatch(/\$0(?![.\d])/);
  });

  it('stacks the latest call over the totals on a narrow terminal', () => {
    const narrow = renderObs(SNAPSHOT, plainPainter, { columns: 60, baseUrl: 'http://x', intervalS: null });
    const model = narrow.findIndex((l) => /^\s+model\s+gpt-4o-mini/.test(l));
    const requests = narrow.findIndex((l) => /^\s+requests\s+2$/.test(l));
    expect(model).toBeGreaterThan(0);
    expect(requests).toBeGreaterThan(model);
    expect(narrow.at(-1)).toMatch(/^printed once/);
  });

  it('aligns table columns, numbers to the right', () => {
    expect(
      table(
        [{ header: 'model' }, { header: 'req', right: true }],
        [
          ['a', '1'],
          ['longer', '1,234'],
        ],
        plainPainter,
      ),
    ).toEqual(['  model     req', '  a           1', '  longer  1,234']);
  });
});

describe('tracedeck obs options', () => {
  it('defaults: last 5 minutes every 2 s from TRACEDECK_URL', () => {
    expect(planObs({}, { TRACEDECK_URL: 'http://h:9/' })).toMatchObject({
      baseUrl: 'http://h:9',
      since: '5m',
      intervalS: 2,
      json: false,
      where: [],
      recent: 15,
    });
  });
  it('a bad --since, --interval, --recent or --where is refused before any request, naming the option', () => {
    expect(() => planObs({ since: '2d' }, {})).toThrow(/--since.*at most 24h/);
    expect(() => planObs({ interval: '0' }, {})).toThrow(/--interval/);
    expect(() => planObs({ recent: '500' }, {})).toThrow(/--recent/);
    expect(() => planObs({ where: ['http.status_code>='] }, {})).toThrow(/expected a value/);
  });
});
