import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER_STATE, fromSearchParams } from '../../../lib/filter-state';
import { ERROR_TERM, groupTerm, traceListHref } from '../../../lib/metrics/links';
import { parseWhere } from '../../../lib/where';

const query = (href: string) => new URL(href, 'http://x').searchParams;

describe('drill-down links', () => {
  it('a bar of a group: the page filter AND the restriction AND key = value, with the bucket as the range', () => {
    const filter = { ...EMPTY_FILTER_STATE, where: 'http.status_code>=500 OR status=error', since: '24h', minDuration: '1s' };
    const href = traceListHref({
      filter,
      restriction: ['tenant.id = acme-corp'],
      terms: [groupTerm(['llm.model'], { key: 'gpt-4o', other: false }, [])],
      bucket: { start: '2025-01-01T10:00:00.000Z', end: '2025-01-01T10:15:00.000Z' },
    });
    const q = query(href);
    expect(q.get('where')).toBe('(http.status_code>=500 OR status=error) AND tenant.id = acme-corp AND llm.model = gpt-4o');
    expect(q.get('from')).toBe('2025-01-01T10:00:00.000Z');
    expect(q.get('to')).toBe('2025-01-01T10:15:00.000Z');
    expect(q.get('since')).toBeNull();
    expect(q.get('minDur')).toBe('1s');
    expect(fromSearchParams(q).where).toBe(q.get('where'));
  });

  it('the error term is parenthesised when ANDed', () => {
    const href = traceListHref({ filter: EMPTY_FILTER_STATE, terms: [groupTerm(['tenant.id'], { key: 'globex', other: false }, []), ERROR_TERM] });
    expect(query(href).get('where')).toBe('tenant.id = globex AND (status = error OR http.status_code >= 500)');
  });

  it('"other" is NOT any named group; "(none)" is key not exists; values are quoted when needed', () => {
    const named = [
      { key: 'a b', other: false },
      { key: null, other: false },
      { key: 'x', other: false },
    ];
    const other = groupTerm(['llm.model'], { key: null, other: true }, named);
    expect(other).toBe('NOT (llm.model = "a b" OR llm.model NOT EXISTS OR llm.model = x)');
    expect(parseWhere(other ?? '').diagnostics).toEqual([]);
    expect(groupTerm(['user.id'], { key: null, other: false }, named)).toBe('user.id NOT EXISTS');
  });

  it('a column fed by several keys drills on any of them', () => {
    expect(groupTerm(['llm.model', 'gen_ai.request.model'], { key: 'gpt-4o', other: false }, [])).toBe('llm.model = gpt-4o OR gen_ai.request.model = gpt-4o');
    const href = traceListHref({
      filter: { ...EMPTY_FILTER_STATE, where: 'status=error' },
      terms: [groupTerm(['llm.model', 'gen_ai.request.model'], { key: 'gpt-4o', other: false }, [])],
    });
    expect(query(href).get('where')).toBe('status=error AND (llm.model = gpt-4o OR gen_ai.request.model = gpt-4o)');
  });

  it('an unfilterable key gives no term rather than a broken filter', () => {
    expect(groupTerm(['bad key'], { key: 'v', other: false }, [])).toBeNull();
  });
});
