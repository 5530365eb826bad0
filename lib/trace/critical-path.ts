/**
 * Critical path of a trace: the chain of span sections that determines when the
 * trace ends. Shortening any section on it would make the trace end sooner
 * (if nothing else took its place); time off the path was spent in parallel.
 *
 * ALGORITHM (a backwards walk in time, the usual one of Jaeger-style trace views)
 *
 *   walk(span, t):          -- t: the latest instant of `span` still to be explained
 *     children ← span's children ending after span.start, sorted by end desc (ties: earlier start first)
 *     loop:
 *       c ← the first child (in that order) whose end ≤ t  -- "the child ending last before the point we reached"
 *       if none or t ≤ span.start:  span owns [span.start, t]; return
 *       if c.end < t:           span owns [c.end, t]  (the span was busy itself, or waiting on nothing traced)
 *       walk(c, c.end)          -- the child explains [c.start, c.end]
 *       t ← max(c.start, span.start)  -- continue before the child started
 *
 * The walk starts from a virtual root spanning the whole trace [first start, last
 * end] whose children are the top-level spans: the real root, and every span whose
 * parent is missing (it arrived late, was dropped or sampled away). At that level
 * the rule is relaxed: the top-level span *running* at t is taken (clipped to t),
 * because the missing parent is unknown. So an orphan ending after the root is on
 * the path, preceded by the root up to the orphan's start; several roots chain in time.
 *
 * Consequences, on purpose:
 * - A child that ends after the point reached (it overlaps `t`) is skipped: it did
 *   not hold the parent up at `t`. E.g. parent [0,10], A [0,6], B [5,10]: the path
 *   is parent [0,5] + B [5,10]; A ran in parallel with the parent's own work.
 * - A child that ends after its parent (async work, follows-from) is not on the
 *   parent's path (it did not hold the parent up), though at top level it can be.
 * - Children entirely before their parent's start (clock skew) are ignored.
 *
 * The walk is iterative (a chain of thousands of nested spans must not overflow
 * the stack) and visits each child once: O(n log n) for the sorts.
 *
 * Pure: the input is plain intervals, so the tests build trees by hand.
 */

export type PathSpan = { id: string; parentId: string | null; start: number; end: number };

/** A time section of one span that lies on the critical path. */
export type PathSegment = { id: string; start: number; end: number };

export type CriticalPath = {
  /** Sections on the path, in time order (earliest first). */
  segments: PathSegment[];
  /** Ids of the spans on the path, in time order of their first section (each once). */
  spanIds: string[];
};

type Frame = { node: number; t: number; kids: number[]; k: number };

export function criticalPath(spans: readonly PathSpan[]): CriticalPath {
  if (spans.length === 0) return { segments: [], spanIds: [] };
  const index = new Map<string, number>();
  spans.forEach((s, i) => {
    if (!index.has(s.id)) index.set(s.id, i);
  });
  const start = (i: number) => spans[i].start;
  const end = (i: number) => Math.max(spans[i].start, spans[i].end);

  const children: number[][] = spans.map(() => []);
  const topLevel: number[] = [];
  spans.forEach((s, i) => {
    const p = s.parentId === null ? undefined : index.get(s.parentId);
    if (p !== undefined && p !== i) children[p].push(i);
    else topLevel.push(i);
  });
  const order = (list: number[]) => list.sort((a, b) => end(b) - end(a) || start(a) - start(b) || a - b);

  let traceStart = Infinity;
  let traceEnd = -Infinity;
  for (let i = 0; i < spans.length; i++) {
    traceStart = Math.min(traceStart, start(i));
    traceEnd = Math.max(traceEnd, end(i));
  }

  const VIRTUAL = -1;
  const nodeStart = (node: number) => (node === VIRTUAL ? traceStart : start(node));
  const reversed: PathSegment[] = []; // collected from the end of the trace backwards
  const own = (node: number, from: number, to: number) => {
    if (node !== VIRTUAL && to > from) reversed.push({ id: spans[node].id, start: from, end: to });
  };
  const onPath: number[] = [];

  const stack: Frame[] = [{ node: VIRTUAL, t: traceEnd, kids: order(topLevel), k: 0 }];
  const visited = new Set<number>();
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    const s0 = nodeStart(f.node);
    let next: number | undefined;
    let nextEnd = 0;
    if (f.node === VIRTUAL) {
      // Top level: the span running at t (earliest start among those covering t), else the last one ending before t.
      for (const kid of f.kids) {
        if (visited.has(kid) || start(kid) >= f.t) continue;
        const e = Math.min(end(kid), f.t);
        if (next === undefined || e > nextEnd || (e === nextEnd && start(kid) < start(next))) {
          next = kid;
          nextEnd = e;
        }
      }
    } else {
      while (f.k < f.kids.length && end(f.kids[f.k]) > f.t) f.k++;
      next = f.k < f.kids.length ? f.kids[f.k] : undefined;
      if (next !== undefined) nextEnd = end(next);
    }
    if (next === undefined || f.t <= s0 || nextEnd <= s0 || visited.has(next)) {
      own(f.node, s0, f.t);
      stack.pop();
      continue;
    }
    if (f.node !== VIRTUAL) f.k++;
    visited.add(next);
    onPath.push(next);
    own(f.node, nextEnd, f.t);
    f.t = Math.max(start(next), s0);
    stack.push({ node: next, t: nextEnd, kids: order(children[next].slice()), k: 0 });
  }

  const segments = reversed.reverse();
  // Spans in time order of their first section; a zero-length span on the chain (no section) still counts.
  const firstAt = new Map<string, number>();
  for (const seg of segments) if (!firstAt.has(seg.id)) firstAt.set(seg.id, seg.start);
  const ids = [...new Set(onPath.map((i) => spans[i].id))];
  ids.sort((a, b) => (firstAt.get(a) ?? spans[index.get(a) as number].start) - (firstAt.get(b) ?? spans[index.get(b) as number].start));
  return { segments, spanIds: ids };
}
