import { describe, expect, it } from 'vitest';
import { type PathSpan, criticalPath } from '@/lib/trace/critical-path';

const span = (id: string, parentId: string | null, start: number, end: number): PathSpan => ({ id, parentId, start, end });

describe('criticalPath', () => {
  it('is empty for no spans, and the root alone for a single span', () => {
    expect(criticalPath([])).toEqual({ segments: [], spanIds: [] });
    expect(criticalPath([span('r', null, 0, 10)])).toEqual({ segments: [{ id: 'r', start: 0, end: 10 }], spanIds: ['r'] });
  });

  it('follows sequential children backwards and gives the gaps to the parent', () => {
    // r [0,100]: a [10,40], b [50,90]
    const cp = criticalPath([span('r', null, 0, 100), span('a', 'r', 10, 40), span('b', 'r', 50, 90)]);
    expect(cp.segments).toEqual([
      { id: 'r', start: 0, end: 10 },
      { id: 'a', start: 10, end: 40 },
      { id: 'r', start: 40, end: 50 },
      { id: 'b', start: 50, end: 90 },
      { id: 'r', start: 90, end: 100 },
    ]);
    expect(cp.spanIds).toEqual(['r', 'a', 'b']);
  });

  it('with overlapping children takes the one ending last and skips those overlapping the point reached', () => {
    // r [0,10]: A [0,6], B [5,10]: B ends last; A ends after B starts, so it did not hold r up.
    const cp = criticalPath([span('r', null, 0, 10), span('A', 'r', 0, 6), span('B', 'r', 5, 10)]);
    expect(cp.segments).toEqual([
      { id: 'r', start: 0, end: 5 },
      { id: 'B', start: 5, end: 10 },
    ]);
    expect(cp.spanIds).toEqual(['r', 'B']);
  });

  it('with fully parallel children keeps only the longest-running one (ties: the earlier start)', () => {
    // r [0,100]: p1 [10,80], p2 [10,60], p3 [20,80]  → p1 (ends 80, starts first)
    const cp = criticalPath([span('r', null, 0, 100), span('p2', 'r', 10, 60), span('p3', 'r', 20, 80), span('p1', 'r', 10, 80)]);
    expect(cp.spanIds).toEqual(['r', 'p1']);
    expect(cp.segments).toEqual([
      { id: 'r', start: 0, end: 10 },
      { id: 'p1', start: 10, end: 80 },
      { id: 'r', start: 80, end: 100 },
    ]);
  });

  it('descends through nested spans', () => {
    // r [0,100] → a [0,100] → b [20,70], c [70,95]
    const cp = criticalPath([span('r', null, 0, 100), span('a', 'r', 0, 100), span('b', 'a', 20, 70), span('c', 'a', 70, 95), span('x', 'b', 30, 40)]);
    expect(cp.segments).toEqual([
      { id: 'a', start: 0, end: 20 },
      { id: 'b', start: 20, end: 30 },
      { id: 'x', start: 30, end: 40 },
      { id: 'b', start: 40, end: 70 },
      { id: 'c', start: 70, end: 95 },
      { id: 'a', start: 95, end: 100 },
    ]);
    expect(cp.spanIds).toEqual(['r', 'a', 'b', 'x', 'c']);
  });

  it('ignores a child that outlives its parent (async work) on the parent path', () => {
    // r [0,50]: a [10,30], late [40,80] → trace ends at 80 with `late`, which is r's child but ends after r
    const cp = criticalPath([span('r', null, 0, 50), span('a', 'r', 10, 30), span('late', 'r', 40, 80)]);
    // Top level only has r; within r, `late` ends after r.end and is skipped.
    expect(cp.spanIds).toEqual(['r', 'a']);
    expect(cp.segments).toEqual([
      { id: 'r', start: 0, end: 10 },
      { id: 'a', start: 10, end: 30 },
      { id: 'r', start: 30, end: 50 },
    ]);
  });

  it('puts a span whose parent is missing on the path when it ends the trace', () => {
    // root [0,100]; orphan (parent "gone" not in the trace) [60,130] ends the trace.
    const cp = criticalPath([span('root', null, 0, 100), span('c', 'root', 10, 50), span('orphan', 'gone', 60, 130)]);
    expect(cp.spanIds).toEqual(['root', 'c', 'orphan']);
    expect(cp.segments).toEqual([
      { id: 'root', start: 0, end: 10 },
      { id: 'c', start: 10, end: 50 },
      { id: 'root', start: 50, end: 60 },
      { id: 'orphan', start: 60, end: 130 },
    ]);
  });

  it('chains several roots in time', () => {
    const cp = criticalPath([span('r1', null, 0, 40), span('r2', null, 50, 90), span('r0', null, 0, 30)]);
    expect(cp.spanIds).toEqual(['r1', 'r2']);
    expect(cp.segments).toEqual([
      { id: 'r1', start: 0, end: 40 },
      { id: 'r2', start: 50, end: 90 },
    ]);
  });

  it('an orphan inside the root window does not replace the root', () => {
    const cp = criticalPath([span('root', null, 0, 100), span('orphan', 'gone', 20, 40)]);
    expect(cp.spanIds).toEqual(['root']);
    expect(cp.segments).toEqual([{ id: 'root', start: 0, end: 100 }]);
  });

  it('ignores children entirely before their parent starts (clock skew) and clips early starts', () => {
    const cp = criticalPath([span('r', null, 100, 200), span('before', 'r', 10, 90), span('early', 'r', 80, 150)]);
    expect(cp.segments).toEqual([
      { id: 'early', start: 80, end: 150 },
      { id: 'r', start: 150, end: 200 },
    ]);
  });

  it('handles a chain of 10,000 nested spans without overflowing the stack', () => {
    const spans: PathSpan[] = [];
    for (let i = 0; i < 10_000; i++) spans.push(span(`s${i}`, i === 0 ? null : `s${i - 1}`, i, 20_000 - i));
    const cp = criticalPath(spans);
    expect(cp.spanIds).toHaveLength(10_000);
    const total = cp.segments.reduce((sum, s) => sum + (s.end - s.start), 0);
    expect(total).toBe(20_000);
  });

  it('segments never overlap and cover from the trace start to its end for a well-nested trace', () => {
    const spans = [span('r', null, 0, 1000), span('a', 'r', 100, 400), span('b', 'r', 300, 700), span('c', 'b', 350, 690), span('d', 'r', 650, 900)];
    const cp = criticalPath(spans);
    for (let i = 1; i < cp.segments.length; i++) expect(cp.segments[i].start).toBeGreaterThanOrEqual(cp.segments[i - 1].end);
    expect(cp.segments[0].start).toBe(0);
    expect(cp.segments[cp.segments.length - 1].end).toBe(1000);
    // d ends last (900); b ends at 700 > d.start (650) → skipped; a ends at 400 ≤ 650 → on the path.
    expect(cp.spanIds).toEqual(['r', 'a', 'd']);
  });
});
