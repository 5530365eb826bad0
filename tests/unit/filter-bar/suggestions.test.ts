import { describe, expect, it } from 'vitest';
import { completionContext } from '../../../lib/where/complete';
import { parseWhere } from '../../../lib/where';
import { normalizeValues, valuesUrl } from '../../../components/filter-bar/data';
import {
  type AttributeKey,
  buildSuggestions,
  historySuggestions,
  normalizeKeys,
  preselectIndex,
  rankByPrefix,
  valueSource,
} from '../../../components/filter-bar/suggestions';

const API_KEYS = {
  tenantKey: 'tenant.id',
  keys: [
    { key: 'trace_id', scope: 'intrinsic', valueType: 'string', seenCount: 0, highCardinality: true },
    { key: 'status', scope: 'intrinsic', valueType: 'string', seenCount: 0, highCardinality: false },
    { key: 'service', scope: 'intrinsic', valueType: 'string', seenCount: 0, highCardinality: false },
    { key: 'duration', scope: 'intrinsic', valueType: 'duration', seenCount: 0, highCardinality: false },
    { key: 'tenant.id', scope: 'span', valueType: 'string', seenCount: 900, highCardinality: false },
    { key: 'http.status_code', scope: 'span', valueType: 'int', seenCount: 500, highCardinality: false },
    { key: 'user.id', scope: 'span', valueType: 'string', seenCount: 400, highCardinality: true },
    { key: 'tenant.id', scope: 'resource', valueType: 'string', seenCount: 200, highCardinality: false },
    { key: 'llm.model', scope: 'span', valueType: 'string', seenCount: 300, highCardinality: false },
    { key: 'service.name', scope: 'resource', valueType: 'string', seenCount: 1000, highCardinality: false },
    { bogus: true },
    null,
  ],
};

const keys: AttributeKey[] = normalizeKeys(API_KEYS);

function suggest(marked: string, values: Array<{ value: string; count: number }> | null = null) {
  const cursor = marked.indexOf('|');
  const text = marked.slice(0, cursor) + marked.slice(cursor + 1);
  const ctx = completionContext(text, cursor);
  const items = buildSuggestions(ctx, { keys, values });
  return { ctx, items, labels: items.map((i) => i.label), pre: preselectIndex(ctx, items, parseWhere(text).diagnostics.length === 0) };
}

describe('normalizeKeys', () => {
  it('merges scopes, sorts by seenCount (intrinsics, seen 0, last) and skips junk', () => {
    expect(keys.map((k) => k.key)).toEqual([
      'tenant.id',
      'service.name',
      'http.status_code',
      'user.id',
      'llm.model',
      'duration',
      'service',
      'status',
      'trace_id',
    ]);
    expect(keys[0]).toEqual({ key: 'tenant.id', scopes: ['span', 'resource'], valueType: 'string', seenCount: 1100, highCardinality: false });
    expect(normalizeKeys(null)).toEqual([]);
    expect(normalizeKeys({ keys: 'x' })).toEqual([]);
  });
});

describe('buildSuggestions', () => {
  it('offers every key in an empty box, most seen first', () => {
    const s = suggest('|');
    expect(s.labels[0]).toBe('tenant.id');
    expect(s.labels).toHaveLength(keys.length);
    expect(s.pre).toBe(-1);
  });

  it('filters keys by prefix, then by substring', () => {
    expect(suggest('ser|').labels).toEqual(['service.name', 'service', 'user.id']);
    expect(suggest('id|').labels).toEqual(['tenant.id', 'user.id', 'trace_id']);
    expect(suggest('TEN|').labels).toEqual(['tenant.id']);
    expect(suggest('ten|').items[0]).toMatchObject({ kind: 'key', insert: 'tenant.id', detail: 'span+resource' });
    expect(suggest('http|').items[0].detail).toBe('span · int');
    expect(suggest('stat|').items.find((i) => i.label === 'status')?.detail).toBe('intrinsic');
  });

  it('offers the operators after a key', () => {
    expect(suggest('tenant.id |').labels).toEqual(['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'exists', 'not exists']);
    expect(suggest('tenant.id !|').labels).toEqual(['!=', '!~']);
    expect(suggest('tenant.id ex|').labels).toEqual(['exists']);
    expect(suggest('tenant.id not e|').labels).toEqual(['not exists']);
    expect(suggest('tenant.id N|').labels).toEqual(['not exists']);
  });

  it('offers values with counts, quoting them when needed', () => {
    const values = [
      { value: 'acme-corp', count: 1234 },
      { value: 'globex', count: 55 },
      { value: 'big co', count: 3 },
      { value: 'plano(llm)', count: 1 },
    ];
    const all = suggest('tenant.id=|', values);
    expect(all.labels).toEqual(['acme-corp', 'globex', 'big co', 'plano(llm)']);
    expect(all.items.map((i) => i.insert)).toEqual(['acme-corp', 'globex', '"big co"', 'plano(llm)']);
    expect(all.items[0].detail).toBe('1,234');
    expect(suggest('tenant.id=gl|', values).labels).toEqual(['globex']);
    expect(suggest('tenant.id=co|', values).labels).toEqual(['acme-corp', 'big co']);
    expect(suggest('tenant.id="big|', values).labels).toEqual(['big co']);
  });

  it('writes numbers bare after numeric operators', () => {
    const values = [{ value: '500', count: 9 }];
    expect(suggest('http.status_code>=|', values).items[0].insert).toBe('500');
    expect(suggest('http.status_code=|', values).items[0].insert).toBe('"500"');
  });

  it('offers AND / OR after a complete term, and keys once a word is typed', () => {
    expect(suggest('tenant.id=acme |').labels).toEqual(['AND', 'OR']);
    expect(suggest('tenant.id=acme a|').labels).toEqual(['AND']);
    expect(suggest('tenant.id=acme o|').labels).toEqual(['OR']);
    expect(suggest('tenant.id=acme ll|').labels).toEqual(['llm.model']);
    expect(suggest('tenant.id=acme t|').labels).toEqual(['tenant.id', 'trace_id']);
  });

  it('offers nothing where the grammar allows nothing', () => {
    expect(suggest('a=1 ) |').items).toEqual([]);
  });

  it('caps the list', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ value: `v${i}`, count: 1 }));
    expect(suggest('k=|', many).items).toHaveLength(50);
  });
});

describe('preselectIndex', () => {
  it('highlights the first key once something is typed', () => {
    expect(suggest('ten|').pre).toBe(0);
    expect(suggest('tenant.id|').pre).toBe(0);
  });

  it('highlights the first operator (a bare key can never be applied)', () => {
    expect(suggest('tenant.id |').pre).toBe(0);
  });

  it('highlights a value only when it completes what was typed', () => {
    const values = [{ value: 'acme-corp', count: 1 }];
    expect(suggest('tenant.id=ac|', values).pre).toBe(0);
    expect(suggest('tenant.id=acme-corp|', values).pre).toBe(-1);
    expect(suggest('tenant.id=|', values).pre).toBe(0); // `tenant.id=` does not parse
  });

  it('leaves connectives unhighlighted until a word is typed, so Enter applies', () => {
    expect(suggest('tenant.id=acme |').pre).toBe(-1);
    expect(suggest('tenant.id=acme AN|').pre).toBe(0);
    expect(suggest('tenant.id=acme AND|').pre).toBe(0);
    expect(suggest('a=1 b=2 ll|').pre).toBe(0);
  });

  it('never highlights history', () => {
    const ctx = completionContext('');
    expect(preselectIndex(ctx, historySuggestions(['a=1']), true)).toBe(-1);
    expect(preselectIndex(ctx, [], false)).toBe(-1);
  });
});

describe('valueSource', () => {
  it('knows where values come from', () => {
    expect(valueSource('status', keys)).toEqual({ kind: 'static', values: ['error', 'ok', 'unset'] });
    expect(valueSource('kind', keys).kind).toBe('static');
    expect(valueSource('service', keys)).toEqual({ kind: 'fetch', key: 'service.name' });
    expect(valueSource('tenant.id', keys)).toEqual({ kind: 'fetch', key: 'tenant.id' });
    expect(valueSource('not.in.catalog', keys)).toEqual({ kind: 'fetch', key: 'not.in.catalog' });
    expect(valueSource('user.id', keys).kind).toBe('none'); // high cardinality: no fetch
    expect(valueSource('trace_id', keys).kind).toBe('none');
    expect(valueSource('duration', keys)).toMatchObject({ kind: 'none', note: expect.stringContaining('250ms') });
    expect(valueSource('name', keys)).toEqual({ kind: 'none', note: null });
  });
});

describe('rankByPrefix / historySuggestions', () => {
  it('ranks prefix matches before substring matches, keeping order', () => {
    expect(rankByPrefix(['xab', 'abc', 'zzz', 'ab'], 'ab', (s) => s)).toEqual(['abc', 'ab', 'xab']);
    expect(rankByPrefix(['b', 'a'], '', (s) => s)).toEqual(['b', 'a']);
  });

  it('lists history entries as they are', () => {
    expect(historySuggestions(['a=1', 'b=2']).map((s) => [s.kind, s.insert])).toEqual([
      ['history', 'a=1'],
      ['history', 'b=2'],
    ]);
  });
});

describe('values API helpers', () => {
  it('builds the values URL with the range and limit', () => {
    expect(valuesUrl('tenant.id', { since: '1h' }, 200)).toBe('/api/attributes/tenant.id/values?since=1h&limit=200');
    expect(valuesUrl('k8s:pod', { from: '2025-05-01T00:00:00Z', to: '2025-05-02T00:00:00Z' }, 50)).toBe(
      '/api/attributes/k8s%3Apod/values?from=2025-05-01T00%3A00%3A00Z&to=2025-05-02T00%3A00%3A00Z&limit=50',
    );
  });

  it('reads the values body defensively', () => {
    expect(normalizeValues({ key: 'k', values: [{ value: 'a', count: 3 }, { value: 1 }, { value: 'b' }, null] })).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 0 },
    ]);
    expect(normalizeValues('nope')).toEqual([]);
  });
});

describe('query-mode suggestions (the /explore box)', () => {
  const at = (text: string) => buildSuggestions(completionContext(text, text.length, { query: true }), { keys, values: null }).map((i) => i.label);

  it('offers spans, by( and the aggregates right after the pipe, and only aggregates after by(…)', () => {
    const head = at('tenant.id=acme | ');
    expect(head.slice(0, 3)).toEqual(['by(', 'spans', 'count()']);
    expect(head).toContain('p95(');
    const afterBy = at('| by(llm.model) ');
    expect(afterBy).not.toContain('by(');
    expect(afterBy).toContain('count()');
  });

  it('narrows aggregate names by prefix and lists keys inside by() and an aggregate', () => {
    expect(at('| by(llm.model) p9')).toEqual(['p90(', 'p95(', 'p99(']);
    expect(at('| by(tenant.')).toEqual(['tenant.id']);
    expect(at('| count(), p95(http.')).toEqual(['http.status_code']);
  });

  it('reads a filter without a pipe as a filter (keys, operators, values)', () => {
    expect(at('tenant.id ')).toContain('=');
  });
});
