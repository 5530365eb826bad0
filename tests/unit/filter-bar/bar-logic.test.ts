import { describe, expect, it } from 'vitest';
import { checkWhereText, durationProblems, shownWhereProblem, tenantSelection, underlineParts } from '../../../components/filter-bar/derive';
import {
  HISTORY_LIMIT,
  HISTORY_STORAGE_KEY,
  loadHistory,
  parseHistory,
  pushHistory,
  rememberFilter,
  saveHistory,
} from '../../../components/filter-bar/history';
import { customRange, describeRange, describeSince, formatUtc, fromDateTimeLocalUtc, toDateTimeLocalUtc } from '../../../components/filter-bar/time-format';
import { parseWhere } from '../../../lib/where';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, v);
  }
}

describe('history', () => {
  it('puts the newest first, moves repeats up, ignores blanks, keeps 10', () => {
    expect(pushHistory([], 'a=1')).toEqual(['a=1']);
    expect(pushHistory(['b=2', 'a=1'], 'a=1')).toEqual(['a=1', 'b=2']);
    expect(pushHistory(['a=1'], '   ')).toEqual(['a=1']);
    expect(pushHistory(['a=1'], '  c=3 ')).toEqual(['c=3', 'a=1']);
    const full = Array.from({ length: HISTORY_LIMIT }, (_, i) => `k=${i}`);
    const next = pushHistory(full, 'new=1');
    expect(next).toHaveLength(HISTORY_LIMIT);
    expect(next[0]).toBe('new=1');
    expect(next).not.toContain(`k=${HISTORY_LIMIT - 1}`);
  });

  it('parses stored JSON defensively', () => {
    expect(parseHistory(null)).toEqual([]);
    expect(parseHistory('not json')).toEqual([]);
    expect(parseHistory('{"a":1}')).toEqual([]);
    expect(parseHistory('["a=1", 3, "", "a=1", "b=2"]')).toEqual(['a=1', 'b=2']);
    expect(parseHistory(JSON.stringify(Array.from({ length: 30 }, (_, i) => `k=${i}`)))).toHaveLength(HISTORY_LIMIT);
  });

  it('stores under tracedeck.whereHistory', () => {
    const storage = new MemoryStorage();
    expect(loadHistory(storage)).toEqual([]);
    rememberFilter('a=1', storage);
    rememberFilter('b=2', storage);
    expect(rememberFilter('a=1', storage)).toEqual(['a=1', 'b=2']);
    expect(JSON.parse(storage.getItem(HISTORY_STORAGE_KEY) ?? '')).toEqual(['a=1', 'b=2']);
    expect(loadHistory(storage)).toEqual(['a=1', 'b=2']);
  });

  it('survives storage that throws or is missing', () => {
    const broken = {
      getItem: (): string | null => {
        throw new Error('denied');
      },
      setItem: (): void => {
        throw new Error('quota');
      },
    };
    expect(loadHistory(broken)).toEqual([]);
    expect(() => saveHistory(['a=1'], broken)).not.toThrow();
    expect(rememberFilter('a=1', broken)).toEqual(['a=1']);
    expect(loadHistory(null)).toEqual([]);
    expect(loadHistory()).toEqual([]); // no window in node
  });
});

describe('underlineParts', () => {
  it('marks exactly the characters a diagnostic names', () => {
    const text = 'status>=500 AND name ~';
    const d = parseWhere(text).diagnostics[0];
    expect(d).toBeDefined();
    const parts = underlineParts(text, d);
    expect(parts).not.toBeNull();
    expect(parts!.before + parts!.marked.trimEnd() + parts!.after).toBe(text);
    expect(parts!.before.length).toBe(d.column - 1);
  });

  it('underlines a bad token with its whole length', () => {
    const text = 'a=1 AND b == 2';
    const d = parseWhere(text).diagnostics[0];
    expect(underlineParts(text, d)).toEqual({ before: 'a=1 AND b ', marked: '==', after: ' 2' });
  });

  it('pads a range past the end so the mark stays visible', () => {
    const text = 'http.status_code>=';
    const d = parseWhere(text).diagnostics[0];
    expect(d.column).toBe(text.length + 1);
    expect(underlineParts(text, d)).toEqual({ before: text, marked: ' ', after: '' });
  });

  it('clamps odd positions and handles no problem', () => {
    expect(underlineParts('abc', { message: 'x', column: 99, length: 2 })).toEqual({ before: 'abc', marked: '  ', after: '' });
    expect(underlineParts('abc', { message: 'x', column: 0 })).toEqual({ before: '', marked: 'a', after: 'bc' });
    expect(underlineParts('abc', null)).toBeNull();
  });
});

describe('what the where box underlines before sending', () => {
  it('a type or enum problem is found locally and underlined like a parse error', () => {
    const text = 'tenant.id=acme kind=foo';
    const { problem } = checkWhereText(text);
    expect(problem).toEqual({
      message: "unknown span kind 'foo' (expected unspecified, internal, server, client, producer, consumer) at column 21",
      column: 21,
      length: 3,
    });
    expect(underlineParts(text, problem)).toEqual({ before: 'tenant.id=acme kind=', marked: 'foo', after: '' });
    expect(checkWhereText('duration~1s').problem?.message).toBe("'~' matches text patterns, but this field is a number at column 10");
  });

  it('a parse error comes first; a valid text has no problem', () => {
    expect(checkWhereText('kind=foo AND a>=').problem?.message).toBe("expected a value after '>=' at column 17");
    expect(checkWhereText('kind=server AND status=error')).toEqual({ problem: null, fallback: null });
    expect(checkWhereText('')).toEqual({ problem: null, fallback: null });
  });

  it("planoai's key=value reading is reported, and still validated", () => {
    expect(checkWhereText('error.message=rate limit exceeded')).toEqual({ problem: null, fallback: 'error.message = "rate limit exceeded"' });
    expect(checkWhereText('kind=very odd').problem?.column).toBe(6);
  });

  it("the server's error shows only while the applied text is unchanged, and the box's own wins", () => {
    const server = { message: 'server says no at column 1', column: 1, length: 1 };
    expect(shownWhereProblem(null, 'a=1', 'a=1', server)).toBe(server);
    expect(shownWhereProblem(null, 'a=2', 'a=1', server)).toBeNull();
    const own = checkWhereText('kind=foo').problem;
    expect(shownWhereProblem(own, 'kind=foo', 'kind=foo', server)).toBe(own);
    expect(shownWhereProblem(null, 'a=1', 'a=1', null)).toBeNull();
  });
});

describe('tenantSelection', () => {
  const T = 'tenant.id';
  it('derives the selection from the top-level conjunct', () => {
    expect(tenantSelection('', T)).toEqual({ kind: 'all' });
    expect(tenantSelection('status=error', T)).toEqual({ kind: 'all' });
    expect(tenantSelection('status=error tenant.id="acme corp"', T)).toEqual({ kind: 'tenant', tenant: 'acme corp' });
    expect(tenantSelection('tenant.id=a OR tenant.id=b', T)).toEqual({ kind: 'mixed' });
    expect(tenantSelection('tenant.id!=a', T)).toEqual({ kind: 'mixed' });
    expect(tenantSelection('tenant.id>=', T)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('column') });
    // A filter the box would not apply cannot take a tenant either (it would go to the server as it is).
    expect(tenantSelection('tenant.id=a kind=foo', T)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining("unknown span kind 'foo'") });
    expect(tenantSelection('org=x', 'org')).toEqual({ kind: 'tenant', tenant: 'x' });
  });
});

describe('durationProblems', () => {
  it('accepts blank and literal bounds', () => {
    expect(durationProblems('', '')).toEqual({ min: null, max: null });
    expect(durationProblems('250ms', ' 1.5s ')).toEqual({ min: null, max: null });
    expect(durationProblems('1s', '1000ms')).toEqual({ min: null, max: null });
  });

  it('flags what is not a duration literal', () => {
    const p = durationProblems('250', 'fast');
    expect(p.min).toMatch(/'250' is not a duration/);
    expect(p.max).toMatch(/'fast' is not a duration/);
    expect(durationProblems('1.5 s', '').min).not.toBeNull();
  });

  it('flags a minimum above the maximum', () => {
    expect(durationProblems('2s', '1s')).toEqual({ min: 'The minimum is above the maximum', max: 'The maximum is below the minimum' });
  });
});

describe('time range display', () => {
  it('names presets and other relative ranges', () => {
    expect(describeSince('15m')).toBe('Last 15 minutes');
    expect(describeSince('24h')).toBe('Last 24 hours');
    expect(describeSince('7d')).toBe('Last 7 days');
    expect(describeSince('30d')).toBe('Last 30 days');
    expect(describeSince('1w')).toBe('Last 1 week');
    expect(describeSince('90s')).toBe('Last 90 seconds');
    expect(describeSince('soon')).toBe('Last soon');
  });

  it('describes the active range', () => {
    expect(describeRange({ since: '1h', from: null, to: null })).toBe('Last 1 hour');
    expect(describeRange({ since: null, from: null, to: null })).toBe('All time');
    expect(describeRange({ since: null, from: '2025-05-01T10:00:00Z', to: '2025-05-01T12:30:00Z' })).toBe('2025-05-01 10:00 → 12:30 UTC');
    expect(describeRange({ since: null, from: '2025-05-01T10:00:00Z', to: '2025-05-03T00:00:05Z' })).toBe('2025-05-01 10:00 → 2025-05-03 00:00:05 UTC');
    expect(describeRange({ since: null, from: '1746093600', to: null })).toBe('Since 2025-05-01 10:00 UTC');
    expect(describeRange({ since: null, from: null, to: '2025-05-01T10:00:00Z' })).toBe('Until 2025-05-01 10:00 UTC');
    expect(describeRange({ since: '1h', from: '2025-05-01T10:00:00Z', to: null })).toBe('Since 2025-05-01 10:00 UTC');
    expect(describeRange({ since: null, from: 'garbage', to: null })).toBe('Invalid range (from garbage)');
  });

  it('formats instants in UTC', () => {
    expect(formatUtc(Date.UTC(2025, 0, 2, 3, 4, 0))).toBe('2025-01-02 03:04');
    expect(formatUtc(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02 03:04:05');
  });

  it('converts to and from datetime-local values read as UTC', () => {
    expect(toDateTimeLocalUtc('2025-05-01T10:00:00Z')).toBe('2025-05-01T10:00');
    expect(toDateTimeLocalUtc('2025-05-01T12:00:00+02:00')).toBe('2025-05-01T10:00');
    expect(toDateTimeLocalUtc('2025-05-01T10:00:30Z')).toBe('2025-05-01T10:00:30');
    expect(toDateTimeLocalUtc('1746093600000')).toBe('2025-05-01T10:00');
    expect(toDateTimeLocalUtc(null)).toBe('');
    expect(toDateTimeLocalUtc('nope')).toBe('');
    expect(fromDateTimeLocalUtc('2025-05-01T10:00')).toBe('2025-05-01T10:00:00.000Z');
    expect(fromDateTimeLocalUtc('2025-05-01T10:00:30')).toBe('2025-05-01T10:00:30.000Z');
    expect(fromDateTimeLocalUtc('2025-05-01T10:00:30.5')).toBe('2025-05-01T10:00:30.500Z');
    expect(fromDateTimeLocalUtc('2025-05-01')).toBeNull();
    expect(fromDateTimeLocalUtc('')).toBeNull();
    for (const iso of ['2025-05-01T10:00:00.000Z', '1999-12-31T23:59:00.000Z']) {
      expect(fromDateTimeLocalUtc(toDateTimeLocalUtc(iso))).toBe(iso);
    }
  });

  it('checks a custom range', () => {
    expect(customRange('2025-05-01T10:00', '2025-05-01T12:00')).toEqual({
      ok: true,
      from: '2025-05-01T10:00:00.000Z',
      to: '2025-05-01T12:00:00.000Z',
    });
    expect(customRange('2025-05-01T10:00', '')).toEqual({ ok: true, from: '2025-05-01T10:00:00.000Z', to: null });
    expect(customRange('', '')).toMatchObject({ ok: false });
    expect(customRange('2025-05-01T12:00', '2025-05-01T10:00')).toEqual({ ok: false, error: 'The start must be before the end' });
    expect(customRange('2025-05-01T12:00', '2025-05-01T12:00')).toMatchObject({ ok: false });
    expect(customRange('garbage', '')).toMatchObject({ ok: false });
  });
});
