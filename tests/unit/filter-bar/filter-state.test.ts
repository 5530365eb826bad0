import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER_STATE,
  type FilterState,
  absolutize,
  coerceFilterState,
  effectiveWheres,
  filterStatesEqual,
  fromSearchParams,
  isFilterState,
  isValidDurationInput,
  joinWheres,
  rangeParams,
  shareQuery,
  toSearchParams,
  validateFilterState,
} from '../../../lib/filter-state';
import { parseWhere, parseWhereList } from '../../../lib/where';
import { canonical } from '../where/helpers';

const state = (patch: Partial<FilterState> = {}): FilterState => ({ ...EMPTY_FILTER_STATE, ...patch });

describe('toSearchParams / fromSearchParams', () => {
  it('writes readable parameters, leaving out empty fields', () => {
    const p = toSearchParams(state({ where: 'tenant.id=acme AND http.status_code>=500', since: '1h', minDuration: '250ms' }));
    expect([...p.keys()]).toEqual(['where', 'since', 'minDur']);
    expect(p.get('where')).toBe('tenant.id=acme AND http.status_code>=500');
    expect(toSearchParams(EMPTY_FILTER_STATE).toString()).toBe('');
    expect(toSearchParams(state({ where: '   ', since: '' })).toString()).toBe('');
  });

  it('uses the documented names', () => {
    const p = toSearchParams(state({ where: 'a=1', from: '2025-05-01T10:00:00.000Z', to: '2025-05-01T12:00:00.000Z', minDuration: '1s', maxDuration: '2m' }));
    expect(p.toString()).toBe('where=a%3D1&from=2025-05-01T10%3A00%3A00.000Z&to=2025-05-01T12%3A00%3A00.000Z&minDur=1s&maxDur=2m');
  });

  it('round-trips every state (where kept exactly as typed)', () => {
    const opt = fc.option(
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
      { nil: null },
    );
    const where = fc.oneof(
      fc.constantFrom('', 'tenant.id=acme', 'service="plano(llm)" AND kind=client', 'a=1   b=2', 'x=a b c', 'a=&b=#?', 'é=ü'),
      fc.string({ maxLength: 20 }).filter((s) => s.trim() !== ''),
    );
    fc.assert(
      fc.property(where, opt, opt, opt, opt, opt, (w, since, from, to, minDuration, maxDuration) => {
        const s: FilterState = { where: w, since, from, to, minDuration, maxDuration };
        const back = fromSearchParams(new URLSearchParams(toSearchParams(s).toString()));
        expect(back).toEqual({ ...s, where: w.trim() === '' ? '' : w });
      }),
      { numRuns: 300 },
    );
  });

  it('reads Next.js searchParams records too', () => {
    expect(fromSearchParams({ where: 'a=1', since: '6h', minDur: '', maxDur: ['2s'], other: 'x' })).toEqual(
      state({ where: 'a=1', since: '6h', maxDuration: '2s' }),
    );
    expect(fromSearchParams({})).toEqual(EMPTY_FILTER_STATE);
  });

  it('treats blank parameters as absent and takes the first non-blank repeat', () => {
    expect(fromSearchParams(new URLSearchParams('since=&since=1h&from=%20'))).toEqual(state({ since: '1h' }));
  });

  it('ANDs repeated where parameters, keeping their meaning', () => {
    expect(fromSearchParams(new URLSearchParams('where=tenant.id%3Dacme&where=status%3Derror')).where).toBe('tenant.id=acme AND status=error');
    expect(joinWheres(['a=1 OR b=2', 'c=3'])).toBe('(a=1 OR b=2) AND c=3');
    expect(joinWheres(['c=3', 'a=1 OR b=2'])).toBe('c=3 AND (a=1 OR b=2)');
    expect(joinWheres(['a=1', 'b=2 AND c=3'])).toBe('a=1 AND (b=2 AND c=3)');
    expect(joinWheres(['', '  ', 'a=1'])).toBe('a=1');
    // A planoai-style value cannot be joined as written: canonical text instead.
    expect(joinWheres(['error.message=rate limit exceeded', 'a=1'])).toBe('error.message = "rate limit exceeded" AND a = 1');
  });

  it('joined where parameters mean what the API gives them', () => {
    const cases = [
      ['a=1 OR b=2', 'c=3', 'd=4 OR e=5'],
      ['NOT a=1', 'b exists'],
      ['x=a b c', 'y=1'],
      ['a=1 b=2', 'c=3 OR d=4 e=5'],
    ];
    for (const list of cases) {
      expect(canonical(parseWhere(joinWheres(list)).ast)).toEqual(canonical(parseWhereList(list).ast));
    }
  });

  it('keeps broken where parameters broken when joining them', () => {
    for (const list of [
      ['a=', 'b=1'],
      ['a=1) OR (b=2', 'c=3'],
      ['(a=1', 'b=2'],
      ['x=', 'y='],
    ]) {
      expect(parseWhereList(list).diagnostics).not.toEqual([]);
      expect(parseWhere(joinWheres(list)).diagnostics).not.toEqual([]);
    }
  });
});

describe('effectiveWheres', () => {
  it('is the where text plus the duration bounds', () => {
    expect(effectiveWheres(state({ where: 'tenant.id=acme', minDuration: '250ms', maxDuration: '1.5s' }))).toEqual([
      'tenant.id=acme',
      'trace.duration>=250ms',
      'trace.duration<=1.5s',
    ]);
  });

  it('leaves out a blank where and absent or invalid bounds', () => {
    expect(effectiveWheres(EMPTY_FILTER_STATE)).toEqual([]);
    expect(effectiveWheres(state({ where: '  ', minDuration: 'fast', maxDuration: '2s' }))).toEqual(['trace.duration<=2s']);
    expect(effectiveWheres(state({ minDuration: ' 1s ' }))).toEqual(['trace.duration>=1s']);
    expect(effectiveWheres(state({ minDuration: '250', maxDuration: '-1s' }))).toEqual([]);
  });

  it('gives filters that parse', () => {
    for (const w of effectiveWheres(state({ where: 'a=1 OR b=2', minDuration: '10us', maxDuration: '2m' }))) {
      expect(parseWhere(w).diagnostics).toEqual([]);
    }
  });

  it('passes an invalid where on unchanged (the API reports it)', () => {
    expect(effectiveWheres(state({ where: 'a>=' }))).toEqual(['a>=']);
  });
});

describe('absolutize', () => {
  const now = Date.UTC(2025, 4, 1, 12, 0, 0);

  it('turns since into from/to at now', () => {
    expect(absolutize(state({ where: 'a=1', since: '1h', minDuration: '1s' }), now)).toEqual(
      state({ where: 'a=1', from: '2025-05-01T11:00:00.000Z', to: '2025-05-01T12:00:00.000Z', minDuration: '1s' }),
    );
    expect(absolutize(state({ since: '7d' }), now)).toMatchObject({ since: null, from: '2025-04-24T12:00:00.000Z' });
    expect(absolutize(state({ since: '15m' }), now).from).toBe('2025-05-01T11:45:00.000Z');
  });

  it('keeps a given to, and lets an existing from win over since', () => {
    expect(absolutize(state({ since: '1h', to: '2025-05-01T11:30:00.000Z' }), now)).toEqual(
      state({ from: '2025-05-01T11:00:00.000Z', to: '2025-05-01T11:30:00.000Z' }),
    );
    expect(absolutize(state({ since: '1h', from: '2025-01-01T00:00:00Z' }), now)).toEqual(state({ from: '2025-01-01T00:00:00Z' }));
  });

  it('leaves absolute and invalid ranges alone', () => {
    const abs = state({ from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' });
    expect(absolutize(abs, now)).toEqual(abs);
    expect(absolutize(abs, now)).not.toBe(abs);
    expect(absolutize(state({ since: 'soon' }), now)).toEqual(state({ since: 'soon' }));
    expect(absolutize(EMPTY_FILTER_STATE, now)).toEqual(EMPTY_FILTER_STATE);
  });

  it('gives the share query', () => {
    expect(shareQuery(state({ where: 'a=1', since: '1h' }), now)).toBe('where=a%3D1&from=2025-05-01T11%3A00%3A00.000Z&to=2025-05-01T12%3A00%3A00.000Z');
  });
});

describe('validation helpers', () => {
  it('checks the shape', () => {
    expect(isFilterState(EMPTY_FILTER_STATE)).toBe(true);
    expect(isFilterState(state({ where: 'a=1', since: '1h' }))).toBe(true);
    expect(isFilterState({ ...EMPTY_FILTER_STATE, since: 5 })).toBe(false);
    expect(isFilterState({ since: null })).toBe(false);
    expect(isFilterState(null)).toBe(false);
    expect(isFilterState('where')).toBe(false);
  });

  it('coerces anything into a state', () => {
    expect(coerceFilterState({ where: 'a=1', since: ' ', from: 3, maxDuration: '2s' })).toEqual(state({ where: 'a=1', maxDuration: '2s' }));
    expect(coerceFilterState(undefined)).toEqual(EMPTY_FILTER_STATE);
  });

  it('lists what is wrong', () => {
    expect(validateFilterState(state({ where: 'a=1', since: '1h', minDuration: '1s', maxDuration: '2s' }))).toEqual([]);
    const fields = validateFilterState(state({ where: 'a>=', since: 'soon', from: 'yesterday', to: '2025-01-01', minDuration: 'fast', maxDuration: '2s' })).map(
      (i) => i.field,
    );
    expect(fields).toEqual(['where', 'since', 'from', 'minDuration']);
    expect(validateFilterState(state({ from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }))).toEqual([
      { field: 'to', message: "'from' must be before 'to'" },
    ]);
    expect(validateFilterState(state({ minDuration: '2s', maxDuration: '1s' })).map((i) => i.field)).toEqual(['maxDuration']);
    expect(validateFilterState(state({ where: 'status=bogus' }))).toEqual([
      { field: 'where', message: "unknown status 'bogus' (expected unset, ok, error) at column 8" },
    ]);
  });

  it('accepts duration inputs that are blank or literals', () => {
    expect(isValidDurationInput(null)).toBe(true);
    expect(isValidDurationInput('  ')).toBe(true);
    expect(isValidDurationInput('250ms')).toBe(true);
    expect(isValidDurationInput(' 1.5s ')).toBe(true);
    expect(isValidDurationInput('250')).toBe(false);
    expect(isValidDurationInput('1.5 s')).toBe(false);
    expect(isValidDurationInput('1S')).toBe(false);
  });

  it('compares states and gives range parameters', () => {
    expect(filterStatesEqual(state({ since: '1h' }), state({ since: '1h' }))).toBe(true);
    expect(filterStatesEqual(state({ since: '1h' }), state({ since: '6h' }))).toBe(false);
    expect(rangeParams(state({ since: '1h', minDuration: '1s' }))).toEqual({ since: '1h' });
    expect(rangeParams(state({ from: 'a', to: 'b' }))).toEqual({ from: 'a', to: 'b' });
  });
});
