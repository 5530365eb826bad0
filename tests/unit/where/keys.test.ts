import { describe, expect, it } from 'vitest';
import { collectFieldKeys, collectFieldRefs, parseWhere, unknownKeys, unknownKeysMessage } from '../../../lib/where';

const ast = (text: string) => {
  const r = parseWhere(text);
  expect(r.diagnostics).toEqual([]);
  return r.ast;
};

describe('collectFieldKeys', () => {
  it('lists attribute keys in order of first use, without duplicates or intrinsics', () => {
    const a = ast('llm.model=gpt-4o AND (user.id exists OR NOT llm.model ~ x*) AND service=plano(llm) AND duration>1s AND z not exists');
    expect(collectFieldKeys(a)).toEqual(['llm.model', 'user.id', 'z']);
  });

  it('is empty for no filter or only intrinsics', () => {
    expect(collectFieldKeys(null)).toEqual([]);
    expect(collectFieldKeys(ast('status=error AND trace.duration > 2s'))).toEqual([]);
  });

  it('collectFieldRefs includes intrinsics, left to right', () => {
    const refs = collectFieldRefs(ast('a=1 OR service=x AND NOT b exists'));
    expect(refs.map((r) => (r.kind === 'intrinsic' ? `@${r.name}` : r.key))).toEqual(['a', '@service', 'b']);
  });

  it('walks very long chains without recursion', () => {
    const text = Array.from({ length: 250 }, (_, i) => `k${i} exists`).join(' OR ');
    expect(collectFieldKeys(ast(text))).toHaveLength(250);
  });
});

describe('unknownKeys', () => {
  it('reports attribute keys missing from the known set; intrinsics are always known', () => {
    const a = ast('llm.model=x AND foo=1 AND service=y AND name=z AND bar exists');
    expect(unknownKeys(a, ['llm.model'])).toEqual(['foo', 'bar']);
    expect(unknownKeys(a, new Set(['llm.model', 'foo', 'bar']))).toEqual([]);
    expect(unknownKeys(a, [])).toEqual(['llm.model', 'foo', 'bar']);
  });

  it('accepts any iterable of known keys', () => {
    function* known() {
      yield 'foo';
    }
    expect(unknownKeys(ast('foo=1 AND bar=2'), known())).toEqual(['bar']);
  });

  it('formats the planoai message', () => {
    expect(unknownKeysMessage(['foo'])).toBe('Unknown --where key(s): foo');
    expect(unknownKeysMessage(['foo', 'bar'])).toBe('Unknown --where key(s): foo, bar');
    expect(unknownKeysMessage([])).toBeNull();
  });
});
