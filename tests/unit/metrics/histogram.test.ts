/**
 * Percentiles from the rollups' log histograms (lib/metrics/histogram.ts): within one
 * bucket of percentile_cont over the same values, exact at the ends, null when empty;
 * and rollup-scope detection of the `where` filters the rollups can answer.
 */
import { describe, expect, it } from 'vitest';
import { HIST_BINS, HIST_RATIO, binBounds, histBin, histogramPercentiles } from '../../../lib/metrics/histogram';
import { onlyTenant, rollupScope } from '../../../db/queries/rollup-scope';
import { parseWhereList } from '../../../lib/where';
import { random } from '../../support/random';

function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function histogramOf(values: number[]) {
  const counts = new Array<number>(HIST_BINS).fill(0);
  for (const v of values) counts[histBin(v) - 1]++;
  return { counts, min: Math.min(...values), max: Math.max(...values) };
}

describe('log histogram percentiles', () => {
  it('buckets tile [0, ∞) and histBin puts a value inside its bucket', () => {
    for (let k = 1; k < HIST_BINS; k++) expect(binBounds(k)[1]).toBe(binBounds(k + 1)[0]);
    expect(binBounds(HIST_BINS)[1]).toBe(Number.POSITIVE_INFINITY);
    for (const v of [0, 0.5, 1, 1.2, 1.5, 2, 7, 100, 1234.5, 60_000, 524_287, 524_288, 1e7]) {
      const [lo, hi] = binBounds(histBin(v));
      expect(v >= lo && v < hi, `${v} in [${lo}, ${hi})`).toBe(true);
    }
  });

  it('stays within one bucket of percentile_cont (log-normal and bimodal samples, small and large)', () => {
    const rand = random(3);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const samples = [
      Array.from({ length: 5000 }, () => Math.exp(7 + 1.5 * normal())),
      Array.from({ length: 37 }, () => Math.exp(5 + normal())),
      Array.from({ length: 2000 }, (_, i) => (i % 3 ? 40 + 10 * rand() : 20_000 + 5000 * rand())),
      Array.from({ length: 300 }, () => rand() * 3),
    ];
    for (const values of samples) {
      const ps = [0, 0.5, 0.9, 0.95, 0.99, 1];
      const got = histogramPercentiles(histogramOf(values), ps);
      ps.forEach((p, i) => {
        const exact = percentileCont(values, p);
        expect(Math.abs((got[i] as number) - exact), `p${p * 100} of ${values.length}`).toBeLessThanOrEqual((HIST_RATIO - 1) * exact + 1);
      });
      expect(got[0]).toBe(Math.min(...values));
      expect(got[5]).toBe(Math.max(...values));
    }
  });

  it('is close on a realistic latency distribution (a few %, far inside the bound)', () => {
    const rand = random(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const values = Array.from({ length: 20_000 }, () => Math.exp(8 + 0.8 * normal()));
    const [p50, p95, p99] = histogramPercentiles(histogramOf(values), [0.5, 0.95, 0.99]) as number[];
    expect(Math.abs(p50 / percentileCont(values, 0.5) - 1)).toBeLessThan(0.04);
    expect(Math.abs(p95 / percentileCont(values, 0.95) - 1)).toBeLessThan(0.04);
    expect(Math.abs(p99 / percentileCont(values, 0.99) - 1)).toBeLessThan(0.05);
  });

  it('answers null without values and the value itself with one', () => {
    expect(histogramPercentiles({ counts: new Array(HIST_BINS).fill(0), min: null, max: null }, [0.5])).toEqual([null]);
    expect(histogramPercentiles(histogramOf([123.4]), [0.5, 0.99])).toEqual([123.4, 123.4]);
  });
});

describe('which filters the rollups answer', () => {
  const ast = (...w: string[]) => parseWhereList(w).ast;
  it('nothing, or only equalities on the tenant key (one tenant)', () => {
    expect(onlyTenant(ast(), 'tenant.id')).toBeNull();
    expect(onlyTenant(ast('tenant.id=acme'), 'tenant.id')).toBe('acme');
    expect(onlyTenant(ast('tenant.id=acme', 'tenant.id="acme"'), 'tenant.id')).toBe('acme');
    expect(onlyTenant(ast('tenant.id=acme tenant.id=globex'), 'tenant.id')).toBeUndefined();
    expect(onlyTenant(ast('tenant.id!=acme'), 'tenant.id')).toBeUndefined();
    expect(onlyTenant(ast('tenant.id=acme OR tenant.id=globex'), 'tenant.id')).toBeUndefined();
    expect(onlyTenant(ast('tenant.id=acme user.id=u1'), 'tenant.id')).toBeUndefined();
    expect(onlyTenant(ast('org=acme'), 'org')).toBe('acme');
    expect(onlyTenant(ast('tenant.id=acme'), 'org')).toBeUndefined();
  });

  it('a reader scope is the tenant; a where naming another tenant is left to the traces path', () => {
    expect(rollupScope(ast(), 'tenant.id', 'acme', [])).toEqual({ tenantId: 'acme', unrolledOptional: true });
    expect(rollupScope(ast('tenant.id=acme'), 'tenant.id', 'acme', ['users'])).toEqual({ tenantId: 'acme', unrolledOptional: false });
    expect(rollupScope(ast('tenant.id=globex'), 'tenant.id', 'acme', [])).toBeNull();
    expect(rollupScope(ast(), 'tenant.id', null, ['all'])).toEqual({ tenantId: null, unrolledOptional: true });
  });
});
