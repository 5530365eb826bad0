/**
 * State of the filter bar, shared by the pages (which keep it in the URL), the
 * API calls they make and the share link. Pure: server and browser.
 *
 * URL parameters (readable, one per field): `where` (the grammar text as
 * typed), `since` (`15m`, `1h`, …), `from` / `to` (ISO 8601 or epoch, see
 * lib/time-range.ts), `minDur` / `maxDur` (duration literals such as `250ms`).
 * `since` and `from`/`to` are alternatives; the filter bar sets one and clears
 * the other (the API lets `from` win when both are present).
 */
import { parseInstant } from './time-range';
import { checkWhere, parseDurationLiteral, parseSince, parseWhere, parseWhereList, serializeWhere } from './where';
import { astEquals } from './where/edit';

export type FilterState = {
  /** `where` grammar text as typed ('' = no filter). */
  where: string;
  since: string | null;
  from: string | null;
  to: string | null;
  /** Duration literal (`250ms`, `1.5s`): whole trace at least this long. */
  minDuration: string | null;
  /** Duration literal: whole trace at most this long. */
  maxDuration: string | null;
};

export const EMPTY_FILTER_STATE: FilterState = Object.freeze({
  where: '',
  since: null,
  from: null,
  to: null,
  minDuration: null,
  maxDuration: null,
}) as FilterState;

/** URL parameter name of each field. */
export const FILTER_PARAM_NAMES = {
  where: 'where',
  since: 'since',
  from: 'from',
  to: 'to',
  minDuration: 'minDur',
  maxDuration: 'maxDur',
} as const satisfies Record<keyof FilterState, string>;

const FIELDS = Object.keys(FILTER_PARAM_NAMES) as Array<keyof FilterState>;

// ---------------------------------------------------------------- validation

/** Whether `value` has the shape of a FilterState (where: string, the rest: string or null). */
export function isFilterState(value: unknown): value is FilterState {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  if (typeof o.where !== 'string') return false;
  return FIELDS.every((f) => f === 'where' || o[f] === null || typeof o[f] === 'string');
}

/**
 * A FilterState from anything: strings are kept, blank optional fields and
 * missing or non-string values become null ('' for where).
 */
export function coerceFilterState(value: unknown): FilterState {
  const o = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const opt = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
  return {
    where: typeof o.where === 'string' ? o.where : '',
    since: opt(o.since),
    from: opt(o.from),
    to: opt(o.to),
    minDuration: opt(o.minDuration),
    maxDuration: opt(o.maxDuration),
  };
}

export type FilterStateIssue = { field: keyof FilterState; message: string };

/** A duration bound as a literal, or null when blank; undefined when invalid. */
function durationNanos(text: string | null): number | null | undefined {
  if (text === null || text.trim() === '') return null;
  const nanos = parseDurationLiteral(text.trim());
  return nanos === null ? undefined : nanos;
}

/** True for null / blank or a duration literal (`250ms`, `1.5s`, `2m`). */
export function isValidDurationInput(text: string | null): boolean {
  return durationNanos(text) !== undefined;
}

/**
 * Everything wrong with a state, in field order ([] when it is fine): the
 * where text's first diagnostic (syntax, else type or enum), a malformed
 * since / from / to, from not before to, a duration bound that is not a
 * literal, min above max.
 */
export function validateFilterState(state: FilterState): FilterStateIssue[] {
  const issues: FilterStateIssue[] = [];
  const diag = checkWhere(state.where).diagnostics[0];
  if (diag) issues.push({ field: 'where', message: diag.message });
  if (state.since !== null && parseSince(state.since) === null) {
    issues.push({ field: 'since', message: `invalid 'since': ${state.since} (use e.g. 30m, 2h, 1d)` });
  }
  const from = state.from === null ? null : parseInstant(state.from);
  const to = state.to === null ? null : parseInstant(state.to);
  if (state.from !== null && from === null) issues.push({ field: 'from', message: `invalid 'from': ${state.from}` });
  if (state.to !== null && to === null) issues.push({ field: 'to', message: `invalid 'to': ${state.to}` });
  if (from !== null && to !== null && from >= to) issues.push({ field: 'to', message: "'from' must be before 'to'" });
  const min = durationNanos(state.minDuration);
  const max = durationNanos(state.maxDuration);
  if (min === undefined) issues.push({ field: 'minDuration', message: `invalid duration '${state.minDuration}' (use e.g. 250ms, 1.5s)` });
  if (max === undefined) issues.push({ field: 'maxDuration', message: `invalid duration '${state.maxDuration}' (use e.g. 250ms, 1.5s)` });
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    issues.push({ field: 'maxDuration', message: 'the minimum duration is above the maximum' });
  }
  return issues;
}

export function filterStatesEqual(a: FilterState, b: FilterState): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}

// ---------------------------------------------------------------- derived filters

/**
 * The `where` filters the API gets for a state (repeat them as `where=` params;
 * the API ANDs them): the where text when not blank, then
 * `trace.duration>=<min>` and `trace.duration<=<max>` for the duration bounds
 * that are valid literals (invalid bounds are not applied).
 */
export function effectiveWheres(state: FilterState): string[] {
  const out: string[] = [];
  if (state.where.trim() !== '') out.push(state.where);
  const min = state.minDuration?.trim() ?? '';
  const max = state.maxDuration?.trim() ?? '';
  if (min !== '' && parseDurationLiteral(min) !== null) out.push(`trace.duration>=${min}`);
  if (max !== '' && parseDurationLiteral(max) !== null) out.push(`trace.duration<=${max}`);
  return out;
}

/** The time range as API query parameters (only the fields that are set). */
export function rangeParams(state: Pick<FilterState, 'since' | 'from' | 'to'>): { since?: string; from?: string; to?: string } {
  const out: { since?: string; from?: string; to?: string } = {};
  if (state.since) out.since = state.since;
  if (state.from) out.from = state.from;
  if (state.to) out.to = state.to;
  return out;
}

// ---------------------------------------------------------------- URL parameters

/** Anything with getAll (URLSearchParams, Next's ReadonlyURLSearchParams). */
export type SearchParamsLike = { getAll(name: string): string[] };
/** Next.js page `searchParams` (after await). */
export type SearchParamsRecord = Record<string, string | string[] | undefined>;

function isSearchParamsLike(p: SearchParamsLike | SearchParamsRecord): p is SearchParamsLike {
  return typeof (p as { getAll?: unknown }).getAll === 'function';
}

/** URL parameters for a state: readable, empty fields left out, in a fixed order. */
export function toSearchParams(state: FilterState): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const v = state[field];
    if (v !== null && v.trim() !== '') params.set(FILTER_PARAM_NAMES[field], v);
  }
  return params;
}

/**
 * State from URL parameters. Blank parameters count as absent. Several `where`
 * parameters (the API's repeated form) are ANDed into one text: each kept as
 * written when that reads back with the same meaning (an OR or AND group is
 * parenthesised), else the canonical text of their conjunction.
 */
export function fromSearchParams(params: SearchParamsLike | SearchParamsRecord): FilterState {
  const all = (name: string): string[] => {
    if (isSearchParamsLike(params)) return params.getAll(name);
    const v = params[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const one = (name: string): string | null => {
    const v = all(name).find((x) => x.trim() !== '');
    return v === undefined ? null : v;
  };
  return {
    where: joinWheres(all(FILTER_PARAM_NAMES.where)),
    since: one(FILTER_PARAM_NAMES.since),
    from: one(FILTER_PARAM_NAMES.from),
    to: one(FILTER_PARAM_NAMES.to),
    minDuration: one(FILTER_PARAM_NAMES.minDuration),
    maxDuration: one(FILTER_PARAM_NAMES.maxDuration),
  };
}

/** One where text for several (ANDed) ones; see fromSearchParams. */
export function joinWheres(wheres: readonly string[]): string {
  const pieces = wheres.filter((w) => w.trim() !== '');
  if (pieces.length <= 1) return pieces[0] ?? '';
  const combined = parseWhereList(pieces);
  if (combined.diagnostics.length > 0) {
    // Keep the error visible: never join broken pieces into text that parses
    // (`a=` + `b=1` → `a= AND b=1` would read `a = "AND" AND b = 1`).
    const plain = pieces.map((p) => p.trim()).join(' AND ');
    if (parseWhere(plain).diagnostics.length > 0) return plain;
    const grouped = pieces.map((p) => `(${p.trim()})`).join(' AND ');
    if (parseWhere(grouped).diagnostics.length > 0) return grouped;
    return pieces[combined.diagnostics[0].filterIndex];
  }
  const joined = pieces
    .map((p, i) => {
      const type = parseWhere(p).ast?.type;
      return type === 'or' || (i > 0 && type === 'and') ? `(${p.trim()})` : p.trim();
    })
    .join(' AND ');
  return astEquals(parseWhere(joined).ast, combined.ast) ? joined : serializeWhere(combined.ast);
}

// ---------------------------------------------------------------- share links

/**
 * The state with a relative `since` replaced by the absolute range it means at
 * `nowMs`: `from` = now − since and `to` = now (or the `to` already set), as
 * ISO 8601 strings. This is what "Copy link" shares, so the link shows the
 * same traces later. A state with `from` already set just loses its `since`
 * (from wins); an invalid `since` is left as it is.
 */
export function absolutize(state: FilterState, nowMs: number): FilterState {
  if (state.since === null) return { ...state };
  if (state.from !== null) return { ...state, since: null };
  const ms = parseSince(state.since);
  if (ms === null || !Number.isFinite(nowMs)) return { ...state };
  return {
    ...state,
    since: null,
    from: new Date(Math.round(nowMs - ms)).toISOString(),
    to: state.to ?? new Date(nowMs).toISOString(),
  };
}

/** Query string of the absolutized state (no leading `?`). */
export function shareQuery(state: FilterState, nowMs: number): string {
  return toSearchParams(absolutize(state, nowMs)).toString();
}
