/**
 * The span tree of one trace, flattened in depth-first (pre-)order so that a
 * node's subtree is the contiguous range `index + 1 … index + subtreeSize`.
 * That makes "which rows are visible" (collapse, filters) one linear pass, which
 * matters for traces of thousands of spans.
 *
 * - Children are ordered by start time, then span id.
 * - A span whose parent id is set but not part of the trace (it arrived late,
 *   was dropped, or was sampled away) becomes a root, flagged `parentMissing`.
 * - Parent cycles (corrupt data) cannot hide spans: whatever is unreachable from
 *   the roots is added as a root too, flagged `parentMissing`.
 * - Times are nanosecond offsets from the trace start as plain numbers (exact
 *   below 2^53 ns ≈ 104 days, far beyond any trace).
 *
 * Pure: no React, no DOM.
 */

export type TreeSpanInput = {
  spanId: string;
  parentSpanId: string | null;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
};

export type TreeNode<S extends TreeSpanInput = TreeSpanInput> = {
  span: S;
  /** Position in `TraceTree.nodes` (pre-order). */
  index: number;
  depth: number;
  /** Index of the parent node, -1 for roots. */
  parent: number;
  /** Indices of the children, in display order. */
  children: number[];
  /** The span names a parent that is not in the trace. */
  parentMissing: boolean;
  /** Number of descendants (not counting the node itself). */
  subtreeSize: number;
  /** Nanoseconds from the trace start. */
  start: number;
  end: number;
};

export type TraceTree<S extends TreeSpanInput = TreeSpanInput> = {
  nodes: TreeNode<S>[];
  /** span id → node index (the first span when an id repeats, e.g. one trace id in two tenants). */
  byId: Map<string, number>;
  roots: number[];
  /** Earliest start / latest end over all spans, epoch nanoseconds. */
  startNs: bigint;
  endNs: bigint;
  /** endNs - startNs as a number of nanoseconds. */
  durationNs: number;
};

type Pending<S> = { span: S; start: number; end: number; kids: Pending<S>[]; parentMissing: boolean; placed: boolean };

const byStart = <S extends TreeSpanInput>(a: Pending<S>, b: Pending<S>) =>
  a.start - b.start || (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0);

export function buildTraceTree<S extends TreeSpanInput>(spans: readonly S[]): TraceTree<S> {
  if (spans.length === 0) return { nodes: [], byId: new Map(), roots: [], startNs: 0n, endNs: 0n, durationNs: 0 };
  let startNs = BigInt(spans[0].startTimeUnixNano);
  let endNs = BigInt(spans[0].endTimeUnixNano);
  const starts = spans.map((s) => BigInt(s.startTimeUnixNano));
  const ends = spans.map((s) => BigInt(s.endTimeUnixNano));
  for (let i = 0; i < spans.length; i++) {
    if (starts[i] < startNs) startNs = starts[i];
    if (ends[i] > endNs) endNs = ends[i];
    if (starts[i] > endNs) endNs = starts[i];
  }
  const pending: Pending<S>[] = spans.map((span, i) => {
    const start = Number(starts[i] - startNs);
    // A span that ends before it starts (clock trouble) is drawn as an instant.
    const end = Math.max(start, Number(ends[i] - startNs));
    return { span, start, end, kids: [], parentMissing: false, placed: false };
  });
  const firstById = new Map<string, Pending<S>>();
  for (const p of pending) if (!firstById.has(p.span.spanId)) firstById.set(p.span.spanId, p);

  const rootsPending: Pending<S>[] = [];
  for (const p of pending) {
    const parentId = p.span.parentSpanId;
    const parent = parentId ? firstById.get(parentId) : undefined;
    if (parent && parent !== p) parent.kids.push(p);
    else {
      p.parentMissing = parentId !== null && parentId !== '';
      rootsPending.push(p);
    }
  }
  for (const p of pending) if (p.kids.length > 1) p.kids.sort(byStart);
  rootsPending.sort(byStart);

  const nodes: TreeNode<S>[] = [];
  const roots: number[] = [];
  const place = (root: Pending<S>) => {
    // Iterative DFS: a chain of thousands of nested spans must not overflow the stack.
    const stack: { p: Pending<S>; depth: number; parent: number }[] = [{ p: root, depth: 0, parent: -1 }];
    const open: number[] = []; // indices whose subtree is still being filled
    while (stack.length > 0) {
      const { p, depth, parent } = stack.pop() as { p: Pending<S>; depth: number; parent: number };
      if (p.placed) continue;
      p.placed = true;
      while (open.length > 0 && nodes[open[open.length - 1]].depth >= depth) closeNode(open.pop() as number);
      const index = nodes.length;
      nodes.push({ span: p.span, index, depth, parent, children: [], parentMissing: p.parentMissing, subtreeSize: 0, start: p.start, end: p.end });
      if (parent >= 0) nodes[parent].children.push(index);
      else roots.push(index);
      open.push(index);
      for (let k = p.kids.length - 1; k >= 0; k--) if (!p.kids[k].placed) stack.push({ p: p.kids[k], depth: depth + 1, parent: index });
    }
    while (open.length > 0) closeNode(open.pop() as number);
  };
  const closeNode = (index: number) => {
    nodes[index].subtreeSize = nodes.length - index - 1;
  };
  for (const r of rootsPending) place(r);
  // Spans caught in a parent cycle are unreachable from any root: show them as roots.
  const unplaced = pending.filter((p) => !p.placed).sort(byStart);
  for (const p of unplaced) {
    if (p.placed) continue;
    p.parentMissing = true;
    place(p);
  }

  const byId = new Map<string, number>();
  for (const n of nodes) if (!byId.has(n.span.spanId)) byId.set(n.span.spanId, n.index);
  return { nodes, byId, roots, startNs, endNs, durationNs: Number(endNs - startNs) };
}

/** Ancestors of a node, nearest first. */
export function ancestorsOf(tree: TraceTree<TreeSpanInput>, index: number): number[] {
  const out: number[] = [];
  for (let p = tree.nodes[index]?.parent ?? -1; p >= 0; p = tree.nodes[p].parent) out.push(p);
  return out;
}

/**
 * Rows to show, in order: skips the subtrees of collapsed nodes and, when `keep`
 * is given, every node not in it (callers put the ancestors of kept nodes in `keep`).
 */
export function visibleRows(tree: TraceTree<TreeSpanInput>, isCollapsed: (spanId: string) => boolean, keep: ReadonlySet<number> | null = null): number[] {
  const out: number[] = [];
  const { nodes } = tree;
  let i = 0;
  while (i < nodes.length) {
    const n = nodes[i];
    if (keep && !keep.has(i)) {
      i++;
      continue;
    }
    out.push(i);
    i += n.children.length > 0 && isCollapsed(n.span.spanId) ? n.subtreeSize + 1 : 1;
  }
  return out;
}

/** The nodes themselves plus all their ancestors (the context rows of a filtered view). */
export function withAncestors(tree: TraceTree<TreeSpanInput>, indices: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (const i of indices) {
    for (let p = i; p >= 0 && !out.has(p); p = tree.nodes[p].parent) out.add(p);
  }
  return out;
}
