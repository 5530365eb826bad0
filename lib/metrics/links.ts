/**
 * Drill-down links from a chart cell to the trace list: the page's filter, plus
 * the page's restriction (its tenant or user), plus the group's term, plus the
 * bucket's time range — so the list shows exactly the requests the bar counted.
 * Pure: browser and Node.
 */
import { type FilterState, joinWheres, toSearchParams } from '../filter-state';
import type { WhereExpr } from '../where/ast';
import { termExpr } from '../where/edit';
import { serializeWhere } from '../where/serializer';
import type { MetricsBucket, MetricsGroup } from './types';

const or = (items: WhereExpr[]): WhereExpr => items.reduce((left, right) => ({ type: 'or', left, right, loc: { start: 0, end: 0 } }));

/** `key = value` for one group (an OR over the keys feeding the column), or `key not exists` for the "(none)" group. */
function groupExpr(drillKeys: readonly string[], key: string | null): WhereExpr {
  if (key === null) {
    return drillKeys.map((k) => termExpr(k, 'not exists')).reduce((left, right) => ({ type: 'and', left, right, loc: { start: 0, end: 0 } }));
  }
  return or(drillKeys.map((k) => termExpr(k, '=', key)));
}

/**
 * The where term selecting a group's requests. "other" is everything not in a
 * named group: NOT (g1 OR g2 …). Null when the key cannot be written in a filter.
 */
export function groupTerm(
  drillKeys: readonly string[],
  group: Pick<MetricsGroup, 'key' | 'other'>,
  named: readonly Pick<MetricsGroup, 'key' | 'other'>[],
): string | null {
  try {
    if (!group.other) return serializeWhere(groupExpr(drillKeys, group.key));
    const others = named.filter((g) => !g.other).map((g) => groupExpr(drillKeys, g.key));
    if (others.length === 0) return null;
    return serializeWhere({ type: 'not', operand: or(others), loc: { start: 0, end: 0 } });
  } catch {
    return null;
  }
}

/** Requests that count as errors in the charts (the registry's `errors` term). */
export { ERROR_TERM } from './registry';

/** `key = value` (quoted as needed). */
export function equalsTerm(key: string, value: string): string {
  return serializeWhere(termExpr(key, '=', value));
}

export type DrillTarget = {
  /** The page's filter state (its where text, duration bounds; the range is replaced by the bucket's). */
  filter: FilterState;
  /** Terms the page adds to every query (e.g. `tenant.id = acme`). */
  restriction?: readonly string[];
  /** Extra terms: the group's, the error term, … */
  terms?: readonly (string | null)[];
  /** The bucket's bounds; without one, the page's range is kept. */
  bucket?: Pick<MetricsBucket, 'start' | 'end'> | null;
};

/** The trace list URL for a drill-down. */
export function traceListHref({ filter, restriction = [], terms = [], bucket }: DrillTarget): string {
  const where = joinWheres([filter.where, ...restriction, ...terms.filter((t): t is string => t !== null && t !== '')]);
  const state: FilterState = bucket ? { ...filter, where, since: null, from: bucket.start, to: bucket.end } : { ...filter, where };
  const qs = toSearchParams(state).toString();
  return qs ? `/?${qs}` : '/';
}

/** The page's own query string (filter and extras such as `by`), for links between chart pages. */
export function pageQuery(filter: FilterState, extra: Record<string, string | null> = {}): string {
  const params = toSearchParams(filter);
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
