import { describe, expect, it } from 'vitest';
import { ELIDABLE_KEYS, encodeEliding, jsonbKeyOrder, restoreElided, restoredValue } from '../../../lib/trace/elided-attributes';
import { encodeAttributes } from '../../../lib/otlp/compact-attributes';
import type { AttributeMap } from '../../../lib/otlp/span-record';

const bit = (key: string, form: 'native' | 'decimal') => ELIDABLE_KEYS.find((e) => e.key === key && e.form === form)!.bit;

describe('encodeEliding', () => {
  it('drops the keys whose column gives back the stored value, and only those', () => {
    const sent: AttributeMap = {
      'tenant.id': { stringValue: 'acme' },
      'user.id': { stringValue: 'u-1' },
      'llm.model': { stringValue: 'gpt-4o' },
      'llm.usage.prompt_tokens': { intValue: '150' },
      'llm.usage.total_tokens': { stringValue: '150' },
      'http.status_code': { stringValue: '200' },
      environment: { stringValue: 'production' },
    };
    const { attributes: map, mask } = encodeEliding(
      sent,
      {
        user_id: 'u-1',
        llm_model: 'gpt-4o',
        prompt_tokens: 150,
        total_tokens: 150,
        http_status_code: 200,
      },
      'acme',
    );
    expect(map).toEqual({ environment: 'production' });
    expect(mask).toBe(
      bit('tenant.id', 'native') |
        bit('user.id', 'native') |
        bit('llm.model', 'native') |
        bit('llm.usage.prompt_tokens', 'native') |
        bit('llm.usage.total_tokens', 'decimal') |
        bit('http.status_code', 'decimal'),
    );
  });

  it.each<[string, AttributeMap[string], string | number | null]>([
    ['a value the column took from elsewhere', { stringValue: 'u-2' }, 'u-1'],
    ['no column value', { stringValue: 'u-1' }, null],
    ['an int sent as text with leading zeros', { stringValue: '0150' }, 150],
    ['an int sent as text with a space', { stringValue: ' 150' }, 150],
    ['a double (truncated in the column)', { doubleValue: 150.5 }, 150],
    ['an integral double', { doubleValue: 150 }, 150],
    ['an id sent as an int into a text column', { intValue: '77' }, '77'],
    ['a bool', { boolValue: true }, 'true'],
  ])('keeps %s', (_, value, column) => {
    const key = typeof column === 'string' || column === null ? 'user.id' : 'llm.usage.prompt_tokens';
    const sent = { [key]: value };
    expect(encodeEliding(sent, { user_id: column as string | null, prompt_tokens: column as number | null }, null)).toEqual({
      attributes: encodeAttributes(sent),
      mask: 0,
    });
  });

  it('never drops an empty tenant (the statement may give the span its trace’s tenant)', () => {
    expect(encodeEliding({ 'tenant.id': { stringValue: '' } }, {}, '')).toEqual({ attributes: { 'tenant.id': '' }, mask: 0 });
  });

  it('restores integers only as exact plain numbers', () => {
    expect(restoredValue(2 ** 53, 'native')).toBeUndefined();
    expect(restoredValue(42, 'native')).toBe(42);
    expect(restoredValue(42, 'decimal')).toBe('42');
    expect(restoredValue('x', 'decimal')).toBeUndefined();
  });
});

describe('restoreElided', () => {
  it('gives back the map encodeEliding was given, keys in JSONB order, from the columns as a driver returns them', () => {
    const canonical: AttributeMap = {
      environment: { stringValue: 'production' },
      'user.id': { stringValue: 'u-1' },
      'llm.usage.prompt_tokens': { intValue: '150' },
      'http.status_code': { stringValue: '200' },
      b: { stringValue: 'x' },
    };
    const sent = encodeAttributes(canonical);
    const columns = { user_id: 'u-1', prompt_tokens: 150, http_status_code: 200 };
    const { attributes: encoded, mask } = encodeEliding(canonical, columns, null);
    // as read back from JSONB: keys in its order
    const stored = Object.fromEntries(Object.entries(encoded).sort(([a], [b]) => jsonbKeyOrder(a, b)));
    expect(Object.keys(stored)).toEqual(['b', 'environment']);
    // postgres.js returns int8 as a string, PGlite as a bigint
    for (const tokens of ['150', 150n]) {
      const back = restoreElided(stored, String(mask), { ...columns, prompt_tokens: tokens });
      expect(back).toEqual(sent);
      expect(Object.keys(back)).toEqual(Object.keys(sent).sort(jsonbKeyOrder));
    }
    expect(restoreElided(stored, 0, columns)).toBe(stored);
  });

  it('orders keys as JSONB does: by UTF-8 length, then by bytes', () => {
    expect(['zz', 'é', 'ab', 'b', '😀', 'a'].sort(jsonbKeyOrder)).toEqual(['a', 'b', 'ab', 'zz', 'é', '😀']);
  });
});

describe('ELIDABLE_KEYS', () => {
  it('gives each (key, form) its own bit, all of them fitting the smallint column', () => {
    const bits = ELIDABLE_KEYS.map((e) => e.bit);
    expect(new Set(bits).size).toBe(bits.length);
    for (const b of bits) {
      expect(Number.isInteger(Math.log2(b))).toBe(true);
      expect(b).toBeLessThan(2 ** 15);
    }
    expect(new Set(ELIDABLE_KEYS.map((e) => `${e.key} ${e.form}`)).size).toBe(ELIDABLE_KEYS.length);
  });
});
