/**
 * The trace page's view logic that needs no React: which nodes are collapsed
 * (as kept in the URL), the URL patches that change that, and stepping through
 * rows and search matches. components/trace/use-trace-view.ts wires it to the URL.
 */

/** In `collapsed`, every node; `expanded` then lists the exceptions (so "collapse all" stays a short URL). */
export const ALL_NODES = '*';

/** A change to the `collapsed`/`expanded` URL parameters; null removes one. */
export type CollapsePatch = { collapsed?: string[] | null; expanded?: string[] | null };

/** Whether a span id is collapsed under the URL's `collapsed` and `expanded` lists. */
export function collapsePredicate(collapsed: readonly string[], expanded: readonly string[]): (spanId: string) => boolean {
  const c = new Set(collapsed);
  const x = new Set(expanded);
  return c.has(ALL_NODES) ? (id: string) => !x.has(id) : (id: string) => c.has(id);
}

/** The patch that expands the collapsed ancestors `hidden` (span ids) of a node, or {} when there are none. */
export function revealPatch(hidden: readonly string[], collapsed: readonly string[], expanded: readonly string[]): CollapsePatch {
  if (hidden.length === 0) return {};
  if (collapsed.includes(ALL_NODES)) return { expanded: [...expanded, ...hidden] };
  const drop = new Set(hidden);
  const next = collapsed.filter((id) => !drop.has(id));
  return { collapsed: next.length ? next : null };
}

/** The patch that collapses (or expands) the node `id`. */
export function collapsePatch(id: string, collapse: boolean, collapsed: readonly string[], expanded: readonly string[]): CollapsePatch {
  if (collapsed.includes(ALL_NODES)) return { expanded: collapse ? expanded.filter((e) => e !== id) : [...expanded, id] };
  const next = collapse ? [...collapsed, id] : collapsed.filter((e) => e !== id);
  return { collapsed: next.length ? next : null };
}

/**
 * The search match to go to from node `current` in `direction`, wrapping around; undefined
 * without matches. Matches are in tree order (node indices ascending).
 */
export function nextMatch(matches: readonly number[], current: number, direction: 1 | -1): number | undefined {
  if (matches.length === 0) return undefined;
  const target = direction > 0 ? matches.find((i) => i > current) : [...matches].reverse().find((i) => i < current);
  if (target !== undefined) return target;
  return direction > 0 ? matches[0] : matches[matches.length - 1];
}

/**
 * The node `delta` rows away from row position `pos` of `visible`, kept within the rows;
 * from no selection (pos -1) the first row going down, the last going up.
 */
export function rowAfter(visible: readonly number[], pos: number, delta: number): number | undefined {
  if (visible.length === 0) return undefined;
  const next = pos < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.min(Math.max(pos + delta, 0), visible.length - 1);
  return visible[next];
}

/** "2 of 5 matches", "5 matches", "no match", or '' when not searching; `position` is the selected match's, or -1. */
export function matchCountLabel(matches: readonly number[] | null, position: number): string {
  if (!matches) return '';
  if (matches.length === 0) return 'no match';
  return `${position >= 0 ? `${position + 1} of ` : ''}${matches.length} match${matches.length === 1 ? '' : 'es'}`;
}
