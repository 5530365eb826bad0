/**
 * Self time: how long a span spent outside its children, i.e. its duration minus
 * the union of its children's intervals (clipped to the span, so a child that
 * outlives its parent or overlaps a sibling is not counted twice).
 */
import type { TraceTree, TreeSpanInput } from './tree';

/** Self time of every node of the tree, in nanoseconds, indexed like `tree.nodes`. */
export function selfTimes(tree: TraceTree<TreeSpanInput>): number[] {
  return tree.nodes.map((n) => {
    const intervals = n.children
      .map((c) => [Math.max(tree.nodes[c].start, n.start), Math.min(tree.nodes[c].end, n.end)] as const)
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let curStart = -Infinity;
    let curEnd = -Infinity;
    for (const [s, e] of intervals) {
      if (s > curEnd) {
        if (curEnd > curStart) covered += curEnd - curStart;
        curStart = s;
        curEnd = e;
      } else if (e > curEnd) curEnd = e;
    }
    if (curEnd > curStart) covered += curEnd - curStart;
    return n.end - n.start - covered;
  });
}

export type SlowSpan = { index: number; selfNs: number; durationNs: number };

/** The `limit` spans with the most self time (ties: longer duration, then tree order). */
export function slowestSpans(tree: TraceTree<TreeSpanInput>, self: readonly number[] = selfTimes(tree), limit = 5): SlowSpan[] {
  return tree.nodes
    .map((n, index) => ({ index, selfNs: self[index], durationNs: n.end - n.start }))
    .sort((a, b) => b.selfNs - a.selfNs || b.durationNs - a.durationNs || a.index - b.index)
    .slice(0, limit);
}
