import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildTraceTree, visibleRows, withAncestors } from '@/lib/trace/tree';

const T0 = 1_700_000_000_000_000_000n;
const s = (spanId: string, parentSpanId: string | null, startMs: number, endMs: number) => ({
  spanId,
  parentSpanId,
  startTimeUnixNano: (T0 + BigInt(startMs) * 1_000_000n).toString(),
  endTimeUnixNano: (T0 + BigInt(endMs) * 1_000_000n).toString(),
});

describe('buildTraceTree', () => {
  const spans = [s('c2', 'r', 30, 40), s('r', null, 0, 100), s('c1', 'r', 10, 20), s('g', 'c1', 12, 18), s('o', 'missing', 50, 120)];
  const tree = buildTraceTree(spans);
  const ids = tree.nodes.map((n) => n.span.spanId);

  it('orders depth first, children by start, roots by start; orphans are roots flagged parentMissing', () => {
    expect(ids).toEqual(['r', 'c1', 'g', 'c2', 'o']);
    expect(tree.nodes.map((n) => n.depth)).toEqual([0, 1, 2, 1, 0]);
    expect(tree.nodes.map((n) => n.parentMissing)).toEqual([false, false, false, false, true]);
    expect(tree.roots).toEqual([0, 4]);
    expect(tree.nodes.map((n) => n.subtreeSize)).toEqual([3, 1, 0, 0, 0]);
  });

  it('measures offsets in ns from the earliest start to the latest end', () => {
    expect(tree.startNs).toBe(T0);
    expect(tree.durationNs).toBe(120_000_000);
    expect(tree.nodes[4].start).toBe(50_000_000);
    expect(tree.nodes[4].end).toBe(120_000_000);
  });

  it('visibleRows skips collapsed subtrees and honours a keep set', () => {
    expect(visibleRows(tree, () => false).map((i) => ids[i])).toEqual(ids);
    expect(visibleRows(tree, (id) => id === 'c1').map((i) => ids[i])).toEqual(['r', 'c1', 'c2', 'o']);
    expect(visibleRows(tree, (id) => id === 'r').map((i) => ids[i])).toEqual(['r', 'o']);
    const keep = withAncestors(tree, [tree.byId.get('g') as number]);
    expect(visibleRows(tree, () => false, keep).map((i) => ids[i])).toEqual(['r', 'c1', 'g']);
    expect(ancestorsOf(tree, tree.byId.get('g') as number).map((i) => ids[i])).toEqual(['c1', 'r']);
  });

  it('shows spans caught in a parent cycle instead of losing them', () => {
    const t = buildTraceTree([s('a', 'b', 0, 10), s('b', 'a', 1, 5), s('r', null, 0, 20)]);
    expect(t.nodes.map((n) => n.span.spanId).sort()).toEqual(['a', 'b', 'r']);
    expect(t.nodes.find((n) => n.span.spanId === 'a')?.parentMissing).toBe(true);
  });

  it('handles 5,000 spans nested 5,000 deep', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => s(`s${i}`, i ? `s${i - 1}` : null, i, 10_000 - i));
    const t = buildTraceTree(chain);
    expect(t.nodes[4999].depth).toBe(4999);
    expect(t.nodes[0].subtreeSize).toBe(4999);
  });
});
