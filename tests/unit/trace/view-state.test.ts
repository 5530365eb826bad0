/** The trace page's view logic: collapse state in the URL, its patches, stepping through rows and matches. */
import { describe, expect, it } from 'vitest';
import { ALL_NODES, collapsePatch, collapsePredicate, matchCountLabel, nextMatch, revealPatch, rowAfter } from '../../../lib/trace/view-state';

describe('collapse state', () => {
  it('lists collapsed nodes, or with `*` every node but the expanded ones', () => {
    const some = collapsePredicate(['a', 'b'], ['a']);
    expect(['a', 'b', 'c'].map(some)).toStrictEqual([true, true, false]);
    const all = collapsePredicate([ALL_NODES], ['b']);
    expect(['a', 'b', 'c'].map(all)).toStrictEqual([true, false, true]);
  });

  it('collapses and expands one node, dropping a list that becomes empty', () => {
    expect(collapsePatch('c', true, ['a'], [])).toStrictEqual({ collapsed: ['a', 'c'] });
    expect(collapsePatch('a', false, ['a', 'c'], [])).toStrictEqual({ collapsed: ['c'] });
    expect(collapsePatch('a', false, ['a'], [])).toStrictEqual({ collapsed: null });
    // With everything collapsed, the exceptions change instead.
    expect(collapsePatch('b', false, [ALL_NODES], ['a'])).toStrictEqual({ expanded: ['a', 'b'] });
    expect(collapsePatch('a', true, [ALL_NODES], ['a', 'b'])).toStrictEqual({ expanded: ['b'] });
  });

  it('reveals a node by expanding its collapsed ancestors', () => {
    expect(revealPatch([], ['a'], [])).toStrictEqual({});
    expect(revealPatch(['a'], ['a', 'x'], [])).toStrictEqual({ collapsed: ['x'] });
    expect(revealPatch(['a', 'x'], ['a', 'x'], [])).toStrictEqual({ collapsed: null });
    expect(revealPatch(['p', 'q'], [ALL_NODES], ['r'])).toStrictEqual({ expanded: ['r', 'p', 'q'] });
  });
});

describe('stepping', () => {
  it('goes to the next or previous search match, wrapping around', () => {
    const matches = [2, 5, 9];
    expect(nextMatch(matches, -1, 1)).toBe(2);
    expect(nextMatch(matches, 5, 1)).toBe(9);
    expect(nextMatch(matches, 9, 1)).toBe(2);
    expect(nextMatch(matches, 6, -1)).toBe(5);
    expect(nextMatch(matches, 2, -1)).toBe(9);
    expect(nextMatch([], 0, 1)).toBeUndefined();
  });

  it('moves through the visible rows within their bounds', () => {
    const visible = [0, 3, 4, 7];
    expect(rowAfter(visible, -1, 1)).toBe(0);
    expect(rowAfter(visible, -1, -1)).toBe(7);
    expect(rowAfter(visible, 1, 1)).toBe(4);
    expect(rowAfter(visible, 1, 20)).toBe(7);
    expect(rowAfter(visible, 2, -20)).toBe(0);
    expect(rowAfter([], 0, 1)).toBeUndefined();
  });

  it('labels the match count', () => {
    expect(matchCountLabel(null, -1)).toBe('');
    expect(matchCountLabel([], -1)).toBe('no match');
    expect(matchCountLabel([4], -1)).toBe('1 match');
    expect(matchCountLabel([4, 6, 8], 1)).toBe('2 of 3 matches');
  });
});
