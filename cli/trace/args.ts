/**
 * Argument checks of `tracedeck trace`, in planoai's order and with planoai's
 * messages, so a `planoai trace` command line fails (or works) the same way.
 * Pure: no I/O.
 */
import { parseSince, parseWhere, validateWhere } from '../../lib/where';
import type { WhereDiagnostic } from '../../lib/where';

/** A user-facing failure: printed as `Error: <message>` (plus `details` lines), exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const MESSAGES = {
  shortId: 'Short trace ID must be 8 hex characters.',
  fullId: 'Trace ID must be 32 hex characters.',
  idLength: 'Trace ID must be 8 or 32 hex characters.',
  targetAndList: 'Target and --list cannot be used together.',
  negativeLimit: 'Limit must be greater than or equal to 0.',
  emptyFilterToken: 'Filter contains empty tokens.',
  noTraces: 'No traces found.',
  noTraceIds: 'No trace IDs found.',
} as const;

export const invalidWhereMessage = (filters: readonly string[]) => `Invalid --where filter(s): ${filters.join(', ')}. Use key=value.`;
export const unmatchedFilterWarning = (patterns: readonly string[]) => `Filter key(s) not found: ${patterns.join(', ')}. Returning unfiltered traces.`;

/** What `tracedeck trace` was asked to show. */
export type Target =
  | { kind: 'last' }
  | { kind: 'any' }
  /** 8 hex characters, lowercase: every trace whose id starts with it. */
  | { kind: 'short'; id: string }
  /** 32 hex characters, lowercase. */
  | { kind: 'full'; id: string };

/** The options as commander hands them over (flags not given are undefined). */
export type TraceCliOptions = {
  where?: string[];
  filter?: string[];
  list?: boolean;
  interactive?: boolean;
  limit?: string;
  since?: string;
  json?: boolean;
  verbose?: boolean;
  url?: string;
  /** Read token of a server that requires one (default: $TRACEDECK_TOKEN). */
  token?: string;
  /** Fold gateway-internal spans into their parents (the server's TRACEDECK_INTERNAL_SPANS rules). */
  foldInternal?: boolean;
};

export type TracePlan = {
  target: Target;
  where: string[];
  /** Attribute key globs of --filter, already split on commas; empty: show every attribute. */
  patterns: string[];
  list: boolean;
  interactive: boolean;
  limit: number | null;
  since: string | null;
  json: boolean;
  verbose: boolean;
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; null: none. */
  token: string | null;
  foldInternal: boolean;
};

/** `--filter a,b --filter c` → ['a', 'b', 'c']; an empty piece is an error, as in planoai. */
export function parseFilterPatterns(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    for (const token of raw.split(',')) {
      const part = token.trim();
      if (!part) throw new CliError(MESSAGES.emptyFilterToken);
      out.push(part);
    }
  }
  return out;
}

/**
 * True when a filter only uses what planoai's `key=value` form has (no other
 * operator, quote, parenthesis or keyword): a rejected filter of that shape gets
 * planoai's "Invalid --where filter(s)" message instead of a grammar diagnostic.
 */
export function looksPlanoaiShaped(text: string): boolean {
  if (/[!<>~()"]/.test(text)) return false;
  return !/(^|\s)(and|or|not|exists)(?=\s|$)/i.test(text);
}

export type WhereProblem = { filter: string; index: number; diagnostic: WhereDiagnostic };

/**
 * Parses every --where with the Tracedeck grammar (which accepts every valid
 * planoai filter), then checks its types and enums (`kind=foo`) as the server
 * would, so no round trip is needed to point at them. Rejected planoai-shaped
 * filters → planoai's message; other problems → a diagnostic with the filter,
 * a caret and the message.
 */
export function checkWhereFilters(filters: readonly string[]): void {
  const planoaiInvalid: string[] = [];
  const problems: WhereProblem[] = [];
  filters.forEach((filter, index) => {
    if (filter.trim() === '') {
      planoaiInvalid.push(filter);
      return;
    }
    const parsed = parseWhere(filter);
    const [syntax] = parsed.diagnostics;
    if (syntax) {
      if (looksPlanoaiShaped(filter)) planoaiInvalid.push(filter);
      else problems.push({ filter, index, diagnostic: syntax });
      return;
    }
    // planoai would take `kind=foo` as key=value, but our server refuses it: show why, with the caret.
    const [type] = validateWhere(parsed.ast);
    if (type) problems.push({ filter, index, diagnostic: type });
  });
  if (planoaiInvalid.length > 0) throw new CliError(invalidWhereMessage(planoaiInvalid));
  if (problems.length > 0) throw whereError(problems, filters.length);
}

/** The filter, a caret under the offending column, and the message. */
export function whereError(problems: readonly WhereProblem[], filterCount: number): CliError {
  const details: string[] = [];
  for (const p of problems) {
    const label = filterCount > 1 ? `--where #${p.index + 1}` : '--where';
    details.push(`${label}: ${p.diagnostic.message}`, ...caretLines(p.filter, p.diagnostic.column, p.diagnostic.length), '');
  }
  details.pop();
  const [first, ...rest] = details;
  return new CliError(first ?? 'invalid --where filter', rest);
}

/** `  <filter>` and `  <spaces>^^^` under the 1-based column (tabs shown as spaces). */
export function caretLines(filter: string, column: number, length = 1): string[] {
  const shown = filter.replace(/[\t\r\n]/g, ' ');
  const start = Math.max(0, Math.min(column - 1, shown.length));
  const width = Math.max(1, Math.min(length, Math.max(1, shown.length - start)));
  return [`  ${shown}`, `  ${' '.repeat(start)}${'^'.repeat(width)}`];
}

/** click's message for a non-integer `--limit`, then planoai's for a negative one. */
export function parseLimit(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new CliError(`Invalid value for '--limit': '${text}' is not a valid integer.`);
  const n = Number(t);
  if (n < 0) throw new CliError(MESSAGES.negativeLimit);
  return n;
}

/** `--since 5m|2h|1d` (also 30s, 1w, 1.5h). planoai ignores a bad value silently; we say so. */
export function parseSinceOption(text: string | undefined): string | null {
  if (text === undefined || text.trim() === '') return null;
  if (parseSince(text) === null) throw new CliError(`Invalid value for '--since': '${text}'. Use e.g. 5m, 2h or 1d.`);
  return text.trim();
}

const isHex = (text: string, length: number) => text.length === length && /^[0-9a-fA-F]+$/.test(text);

/**
 * planoai's target rules. No target means `last`, or `any` when --list, --since
 * or a non-zero --limit is given. `any`: every trace matching the filters.
 */
export function resolveTarget(target: string | undefined, { list, since, limit }: { list: boolean; since: string | null; limit: number | null }): Target {
  const name = target ?? (list || since || limit ? 'any' : 'last');
  if (list && name !== 'last' && name !== 'any') throw new CliError(MESSAGES.targetAndList);
  if (name === 'last' || name === 'any') return { kind: name };
  const id = name.toLowerCase();
  if (id.length === 8) {
    if (!isHex(id, 8) || id === '00000000') throw new CliError(MESSAGES.shortId);
    return { kind: 'short', id };
  }
  if (id.length === 32) {
    if (!isHex(id, 32) || /^0+$/.test(id)) throw new CliError(MESSAGES.fullId);
    return { kind: 'full', id };
  }
  throw new CliError(MESSAGES.idLength);
}

export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`Invalid --url '${url}': use e.g. http://localhost:3000`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`Invalid --url '${url}': use an http:// or https:// address`);
  return parsed.toString().replace(/\/+$/, '');
}

/** The server: --url, else $TRACEDECK_URL, else http://localhost:3000. */
export function defaultUrl(env: Record<string, string | undefined>): string {
  return env.TRACEDECK_URL || 'http://localhost:3000';
}

/** All local checks, in planoai's order: --filter, --where, --limit, --since, target. */
export function planTrace(target: string | undefined, opts: TraceCliOptions, env: Record<string, string | undefined> = {}): TracePlan {
  const where = opts.where ?? [];
  const patterns = parseFilterPatterns(opts.filter ?? []);
  checkWhereFilters(where);
  const limit = parseLimit(opts.limit);
  const since = parseSinceOption(opts.since);
  const list = opts.list ?? false;
  const resolved = resolveTarget(target, { list, since, limit });
  return {
    target: resolved,
    where,
    patterns,
    list,
    interactive: opts.interactive ?? true,
    limit,
    since,
    json: opts.json ?? false,
    verbose: opts.verbose ?? false,
    baseUrl: normalizeBaseUrl(opts.url ?? defaultUrl(env)),
    token: opts.token?.trim() || env.TRACEDECK_TOKEN?.trim() || null,
    foldInternal: opts.foldInternal ?? false,
  };
}
