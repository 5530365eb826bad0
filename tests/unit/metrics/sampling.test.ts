import { describe, expect, it, vi } from 'vitest';
import { configWeight, parseSamplingConfig, spanSampleWeight, thresholdWeight, traceStateThreshold, traceStateWeight } from '../../../lib/enrich/sampling';
import { loadConfig } from '../../../server/config';
import { enrichSettings } from '../../../server/enrich-config';

describe('tracestate ot=th threshold', () => {
  it.each([
    ['0', 1],
    ['8', 2],
    ['c', 4],
    ['e', 8],
    ['f', 16],
    ['fc', 64],
    ['ff', 256],
    ['8000', 2],
    ['80000000000000', 2],
  ])('th:%s stands for %d spans', (th, weight) => {
    expect(thresholdWeight(th)).toBe(weight);
  });

  it('pads the threshold on the right to 14 hex digits (56 bits)', () => {
    // th:fd70a4 is the spec's example for ~1% sampling: T = 0xfd70a400000000, adjusted count 2^56/(2^56 - T).
    const t = 0xfd70a4 * 2 ** 32;
    expect(thresholdWeight('fd70a4')).toBeCloseTo(2 ** 56 / (2 ** 56 - t), 9);
    expect(thresholdWeight('fd70a4')).toBeCloseTo(100, 0);
    expect(thresholdWeight('ffffffffffffff')).toBe(2 ** 56);
  });

  it('finds th in the ot member among other vendors and sub-keys', () => {
    expect(traceStateThreshold('ot=th:c')).toBe('c');
    expect(traceStateThreshold('vendor=abc,ot=rv:0123456789abcd;th:8')).toBe('8');
    expect(traceStateThreshold('ot=th:C , other=x')).toBe('c');
    expect(traceStateWeight('congo=t61rcWkgMzE, ot=th:c;rv:ab')).toBe(4);
  });

  it('ignores tracestates without a valid threshold', () => {
    for (const ts of [null, '', 'ot=rv:abc', 'vendor=th:8', 'ot=th:', 'ot=th:123456789abcdef', 'ot=th:xyz', 'xot=th:8']) {
      expect(traceStateWeight(ts), String(ts)).toBeNull();
    }
  });
});

describe('TRACEDECK_SAMPLING', () => {
  it('reads a percent per service prefix, the longest prefix winning, * for the rest', () => {
    const parsed = parseSamplingConfig('plano=50,plano(inbound)=20,*=100');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(configWeight(parsed.config, 'plano(inbound)')).toBe(5);
    expect(configWeight(parsed.config, 'plano(llm)')).toBe(2);
    expect(configWeight(parsed.config, 'checkout')).toBe(1);
  });

  it('a bare percent or plano=20 (tracing.random_sampling) apply as expected', () => {
    const global = parseSamplingConfig('25');
    expect(global.ok && configWeight(global.config, 'anything')).toBe(4);
    const plano = parseSamplingConfig('plano=20');
    expect(plano.ok && configWeight(plano.config, 'plano(inbound)')).toBe(5);
    expect(plano.ok && configWeight(plano.config, 'other')).toBeNull();
    const pct = parseSamplingConfig(' plano = 12.5% ; *=50 ');
    expect(pct.ok && configWeight(pct.config, 'plano')).toBe(8);
  });

  it('refuses percents outside (0, 100] and empty service names', () => {
    for (const bad of ['plano=0', 'plano=101', 'plano=abc', '=20', 'plano=']) {
      const parsed = parseSamplingConfig(bad);
      expect(parsed.ok, bad).toBe(false);
    }
  });

  it('a span weight comes from its tracestate first, then the setting for its service', () => {
    const { config } = enrichSettings(loadConfig({ TRACEDECK_SAMPLING: 'plano=20' })).sampling;
    expect(spanSampleWeight({ traceState: 'ot=th:c', service: 'plano(inbound)' }, config)).toBe(4);
    expect(spanSampleWeight({ traceState: null, service: 'plano(inbound)' }, config)).toBe(5);
    expect(spanSampleWeight({ traceState: null, service: 'billing' }, config)).toBeNull();
  });

  it('a malformed setting is reported and ignored instead of stopping ingest', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { sampling } = enrichSettings(loadConfig({ TRACEDECK_SAMPLING: 'plano=two' }));
    spy.mockRestore();
    expect(sampling.config).toEqual({ rules: [], global: null });
    expect(sampling.error).toMatch(/percent/);
  });
});
