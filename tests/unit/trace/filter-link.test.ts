import { describe, expect, it } from 'vitest';
import { parseWhere } from '@/lib/where';
import { attributeFilterHref, attributeTerm, traceListHref } from '@/lib/trace/filter-link';

describe('attributeTerm', () => {
  it('writes values the grammar reads back as the same value', () => {
    expect(attributeTerm('tenant.id', { stringValue: 'acme-corp' })).toBe('tenant.id=acme-corp');
    expect(attributeTerm('service.name', { stringValue: 'plano(llm)' })).toBe('service.name=plano(llm)');
    expect(attributeTerm('error.message', { stringValue: 'rate limit exceeded' })).toBe('error.message="rate limit exceeded"');
    expect(attributeTerm('http.status_code', { stringValue: '500' })).toBe('http.status_code="500"');
    expect(attributeTerm('q', { stringValue: 'say "hi"\n' })).toBe('q="say \\"hi\\"\\n"');
    expect(attributeTerm('n', { intValue: '9007199254740993' })).toBe('n=9007199254740993');
    expect(attributeTerm('cost', { doubleValue: 0.0125 })).toBe('cost=0.0125');
    expect(attributeTerm('llm.streaming', { boolValue: true }, true)).toBe('llm.streaming!=true');
    for (const text of ['a b', '', '(x', 'x)', '250ms', '"q', 'plano(llm)', '🚩 flag', 'tab\there']) {
      const term = attributeTerm('k', { stringValue: text }) as string;
      const parsed = parseWhere(term);
      expect(parsed.diagnostics, term).toEqual([]);
      expect(parsed.ast?.type === 'compare' && parsed.ast.value.kind === 'string' && parsed.ast.value.text, term).toBe(text);
    }
  });

  it('refuses keys the grammar cannot name and values it cannot compare', () => {
    expect(attributeTerm('has space', { stringValue: 'x' })).toBeNull();
    expect(attributeTerm('service', { stringValue: 'x' })).toBeNull(); // reads as the intrinsic
    expect(attributeTerm('k', { bytesValue: 'AAE=' })).toBeNull();
    expect(attributeTerm('k', { arrayValue: { values: [] } })).toBeNull();
    expect(attributeTerm('k', { doubleValue: 'NaN' })).toBeNull();
    expect(attributeTerm('k', {})).toBeNull();
  });
});

describe('traceListHref', () => {
  it('keeps the list filters and time range and appends the new filter', () => {
    const ctx = { wheres: ['tenant.id=acme-corp', ' '], from: '2025-01-01T00:00:00Z', to: null, since: '24h' };
    const href = traceListHref(ctx, 'llm.model=gpt-4o');
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.getAll('where')).toEqual(['tenant.id=acme-corp', 'llm.model=gpt-4o']);
    expect(url.searchParams.get('from')).toBe('2025-01-01T00:00:00Z');
    expect(url.searchParams.has('since')).toBe(false); // an absolute range wins
    expect(traceListHref({ wheres: [] })).toBe('/');
    expect(traceListHref({ wheres: [], since: '1h' })).toBe('/?since=1h');
  });

  it('attributeFilterHref builds the negated link for shift-click', () => {
    const href = attributeFilterHref({ wheres: [] }, 'user.id', { stringValue: 'usr_1' }, true) as string;
    expect(new URL(href, 'http://x').searchParams.getAll('where')).toEqual(['user.id!=usr_1']);
  });
});
