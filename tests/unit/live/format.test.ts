/** The live view's figures as /live and `tracedeck obs` write them (lib/live/format.ts, lib/live/window.ts). */
import { describe, expect, it } from 'vitest';
import {
  NONE,
  callCostText,
  errorsText,
  fmtAgo,
  fmtCount,
  fmtMs,
  fmtShare,
  fmtTps,
  httpReason,
  percentilesText,
  statusClass,
  statusText,
  tokensPerSecond,
  totalCostShort,
  totalCostText,
  truncate,
} from '../../../lib/live/format';
import type { LiveCost } from '../../../lib/live/types';
import { parseLiveSince } from '../../../lib/live/window';

const cost = (over: Partial<LiveCost>): LiveCost => ({
  reportedUsd: null,
  computedUsd: null,
  unpricedRequests: 0,
  unpriced: [],
  usd: null,
  source: null,
  ...over,
});

describe('live figures', () => {
  it('durations: ms under a second, one decimal under 10 s, whole seconds above; missing is —', () => {
    expect([fmtMs(0.4), fmtMs(999.4), fmtMs(1000), fmtMs(1549), fmtMs(9_949), fmtMs(12_400), fmtMs(null), fmtMs(NaN)]).toEqual([
      '0ms',
      '999ms',
      '1.0s',
      '1.5s',
      '9.9s',
      '12s',
      NONE,
      NONE,
    ]);
  });

  it('rates, counts and shares', () => {
    expect([fmtTps(42.46), fmtTps(130.4), fmtTps(0), fmtTps(null)]).toEqual(['42.5/s', '130/s', NONE, NONE]);
    expect([fmtCount(1234567), fmtCount(0), fmtCount(null)]).toEqual(['1,234,567', '0', NONE]);
    expect([fmtShare(0.125), fmtShare(1), fmtShare(null)]).toEqual(['12.5%', '100.0%', NONE]);
  });

  it('tokens per second after the first token, null when it cannot be measured', () => {
    expect(tokensPerSecond(200, 1100, 100)).toBe(200);
    expect(tokensPerSecond(200, 1000, null)).toBe(200);
    expect(tokensPerSecond(0, 1000, 100)).toBeNull();
    expect(tokensPerSecond(null, 1000, 100)).toBeNull();
    expect(tokensPerSecond(50, 100, 100)).toBeNull();
  });

  it('statuses: ok, the code with its reason phrase, an error span without a status', () => {
    expect(statusText(200)).toBe('ok');
    expect(statusText(429)).toBe('429 Too Many Requests');
    expect(statusText(502)).toBe('502 Bad Gateway');
    expect(statusText(599)).toBe('599');
    expect(statusText(null, true)).toBe('error');
    expect(statusText(200, true)).toBe('error');
    expect(statusText(null)).toBe(NONE);
    expect(httpReason(504)).toBe('Gateway Timeout');
    expect([statusClass(200), statusClass(302), statusClass(404), statusClass(503), statusClass(null, true), statusClass(null)]).toEqual([
      'ok',
      'redirect',
      'client-error',
      'server-error',
      'error',
      'none',
    ]);
  });

  it('ages from the snapshot time; a start in the future reads 0s', () => {
    const now = 1_800_000_000_000;
    expect([fmtAgo(now - 12_500, now), fmtAgo(now - 4 * 60_000, now), fmtAgo(now - 2 * 3_600_000, now), fmtAgo(now + 5000, now)]).toEqual([
      '12s ago',
      '4m ago',
      '2h ago',
      '0s ago',
    ]);
  });

  it('costs always say their source, and requests without a price are counted, never $0', () => {
    expect(callCostText({ usd: 0.0123, source: 'computed' })).toBe('$0.0123 computed');
    expect(callCostText({ usd: 0.5, source: 'reported' })).toBe('$0.5000 reported');
    expect(callCostText({ usd: null, source: 'unknown', model: 'my-finetune' })).toBe('no price (my-finetune)');
    expect(callCostText(null)).toBe(NONE);
    const both = cost({ reportedUsd: 1, computedUsd: 0.23, usd: 1.23, source: 'reported + computed', unpricedRequests: 4 });
    expect(totalCostText(both)).toBe('$1.23 reported + computed · 4 unpriced');
    expect(totalCostShort(both)).toBe('$1.23 rep+calc · 4 unpriced');
    const none = cost({ unpricedRequests: 19, source: 'unknown' });
    expect(totalCostText(none)).toBe('19 unpriced');
    expect(totalCostShort(none)).toBe('19 unpriced');
    expect(totalCostText(cost({}))).toBe(NONE);
  });

  it('errors split by class, and percentiles on one line', () => {
    expect(errorsText({ errors: 5, errors4xx: 1, errors5xx: 3, errorsOther: 1 })).toBe('5 (1 4xx · 3 5xx · 1 other)');
    expect(errorsText({ errors: 0, errors4xx: 0, errors5xx: 0, errorsOther: 0 })).toBe('0');
    expect(percentilesText({ p50: 420, p95: 1234, p99: null })).toBe('p50 420ms · p95 1.2s · p99 —');
    expect(truncate('claude-3-5-sonnet-20241022', 10)).toBe('claude-3-…');
    expect(truncate('gpt-4o', 10)).toBe('gpt-4o');
  });
});

describe('live window', () => {
  it('takes a since up to 24h, 5m by default, and says what is wrong otherwise', () => {
    expect(parseLiveSince(undefined)).toEqual({ ok: true, ms: 300_000, since: '5m' });
    expect(parseLiveSince(' 1h ')).toEqual({ ok: true, ms: 3_600_000, since: '1h' });
    expect(parseLiveSince('24h')).toEqual({ ok: true, ms: 86_400_000, since: '24h' });
    expect(parseLiveSince('25h')).toMatchObject({ ok: false, error: expect.stringMatching(/at most 24h/) });
    expect(parseLiveSince('soon')).toEqual({ ok: false, error: "invalid 'since': soon (use e.g. 5m, 1h, 24h)" });
  });
});
