'use client';
/** What the trace page derives from the server's data: the tree and its colors, timings, errors, filter matches, critical path. */
import { useMemo } from 'react';
import { assignServiceColors } from '@/lib/trace/colors';
import { criticalPath, type PathSegment } from '@/lib/trace/critical-path';
import { unpackSpans } from '@/lib/trace/pack';
import { selfTimes, slowestSpans } from '@/lib/trace/self-time';
import { foldInternalSpans } from '@/lib/trace/internal-spans';
import { buildTraceTree, type TraceTree } from '@/lib/trace/tree';
import type { StoredSpan } from '@/lib/trace/wire';
import type { TracePageData } from './types';

/** `foldInternal`: the tree without the gateway-internal spans (folded into their parents, lib/trace/internal-spans). */
export function useTraceData(data: TracePageData, foldInternal: boolean) {
  const spans = useMemo(() => unpackSpans(data.trace), [data.trace]);
  // Computed either way: the switch shows how many spans it would fold.
  const folded = useMemo(() => foldInternalSpans(spans, data.internalSpans), [spans, data.internalSpans]);
  const tree = useMemo(() => buildTraceTree(foldInternal ? folded.spans : spans), [spans, folded, foldInternal]);
  const colors = useMemo(() => assignServiceColors(spans.map((s) => s.service)), [spans]);
  const self = useMemo(() => selfTimes(tree), [tree]);
  const slowest = useMemo(() => slowestSpans(tree, self, 5), [tree, self]);
  const errorIndices = useMemo(() => tree.nodes.filter((n) => n.span.status.code === 2).map((n) => n.index), [tree]);
  const whereMatches = useMemo(() => {
    if (!data.matchedSpanIds) return null;
    const set = new Set<number>();
    for (const id of data.matchedSpanIds) {
      const i = tree.byId.get(id);
      if (i !== undefined) set.add(i);
    }
    return set;
  }, [data.matchedSpanIds, tree]);
  const fold = { count: folded.hiddenTotal, by: foldInternal ? folded.hiddenBy : null };
  return { tree, colors, self, slowest, errorIndices, whereMatches, fold };
}

/** The critical path, computed only once it is shown (the first paint does not need it); its sections by node index. */
export function useCriticalPath(tree: TraceTree<StoredSpan>, shown: boolean) {
  const critical = useMemo(
    () =>
      shown
        ? criticalPath(tree.nodes.map((n) => ({ id: String(n.index), parentId: n.parent >= 0 ? String(n.parent) : null, start: n.start, end: n.end })))
        : null,
    [tree, shown],
  );
  const byIndex = useMemo(() => {
    if (!critical) return null;
    const map = new Map<number, PathSegment[]>();
    for (const seg of critical.segments) {
      const i = Number(seg.id);
      const list = map.get(i) ?? [];
      list.push(seg);
      map.set(i, list);
    }
    for (const id of critical.spanIds) if (!map.has(Number(id))) map.set(Number(id), []);
    return map;
  }, [critical]);
  return { spanCount: critical ? critical.spanIds.length : null, byIndex };
}
