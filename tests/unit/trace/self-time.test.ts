import { describe, expect, it } from 'vitest';
import { selfTimes, slowestSpans } from '@/lib/trace/self-time';
import { buildTraceTree } from '@/lib/trace/tree';

const s = (spanId: string, parentSpanId: string | null, start: number, end: number) => ({
  spanId,
  parentSpanId,
  startTimeUnixNano: String(1_000_000_000 + start),
  endTimeUnixNano: String(1_000_000_000 + end),
});

describe('self time', () => {
  it('is the duration minus the union of the children, clipped to the span', () => {
    // r [0,100]: a [10,40], b [30,60] (overlap a), c [90,150] (outlives r)
    const tree = buildTraceTree([s('r', null, 0, 100), s('a', 'r', 10, 40), s('b', 'r', 30, 60), s('c', 'r', 90, 150), s('g', 'a', 15, 20)]);
    const self = selfTimes(tree);
    const byId = (id: string) => self[tree.byId.get(id) as number];
    expect(byId('r')).toBe(100 - 50 - 10); // union [10,60] + [90,100]
    expect(byId('a')).toBe(30 - 5);
    expect(byId('b')).toBe(30);
    expect(byId('c')).toBe(60);
    expect(byId('g')).toBe(5);
  });

  it('slowestSpans ranks by self time, ties by duration', () => {
    const tree = buildTraceTree([s('r', null, 0, 100), s('a', 'r', 0, 90), s('b', 'r', 0, 10), s('x', 'a', 0, 5)]);
    const top = slowestSpans(tree, selfTimes(tree), 2).map((x) => tree.nodes[x.index].span.spanId);
    expect(top).toEqual(['a', 'r']);
  });
});
