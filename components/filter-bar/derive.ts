/**
 * Pure derivations behind the filter bar's controls (kept out of the .tsx
 * files so they can be tested without a DOM).
 */
import { checkQuery, checkWhere, collectFieldRefs, parseDurationLiteral, parseWhere, serializeWhere, validateWhere } from '@/lib/where';
import { isPlanoaiFallback } from '@/lib/where/complete';
import { fieldKey, findTopLevelEquals } from '@/lib/where/edit';

/** A problem to underline: 1-based column, `length` characters (default 1). */
export type WhereProblem = { message: string; column: number; length?: number };

/** What the where box knows about its text without asking the server. */
export type WhereTextCheck = {
  /** The first syntax problem, else the first type or enum problem (`kind=foo`); null when the text can be applied. */
  problem: WhereProblem | null;
  /**
   * The canonical text when only planoai's `key=value` fallback reads it: valid,
   * but most likely still being typed (`a=1 AN`), so suggestions act as if invalid.
   */
  fallback: string | null;
};

export function checkWhereText(text: string): WhereTextCheck {
  const parsed = parseWhere(text);
  const problem = parsed.diagnostics[0] ?? validateWhere(parsed.ast)[0] ?? null;
  return { problem, fallback: isPlanoaiFallback(parsed.ast) ? serializeWhere(parsed.ast) : null };
}

/** The same check for an aggregate query (`<filter> | by(…) count()`): its first syntax or validation problem. */
export function checkQueryText(text: string): WhereTextCheck {
  return { problem: checkQuery(text).diagnostics[0] ?? null, fallback: null };
}

/** The problem the box shows: its own first, else the server's for the applied text while it is unchanged. */
export function shownWhereProblem(own: WhereProblem | null, text: string, appliedText: string, serverError: WhereProblem | null): WhereProblem | null {
  return own ?? (serverError && text === appliedText ? serverError : null);
}

/**
 * The text split around the characters a problem names, for the mirror
 * behind the where input. A range running past the end (e.g. "expected a
 * value" at the end of the text) is padded with spaces so it stays visible.
 */
export function underlineParts(text: string, problem: WhereProblem | null): { before: string; marked: string; after: string } | null {
  if (!problem) return null;
  const start = Math.max(0, Math.min(Math.floor(problem.column) - 1, text.length));
  const end = start + Math.max(1, Math.floor(problem.length ?? 1));
  const marked = text.slice(start, end);
  return { before: text.slice(0, start), marked: marked + ' '.repeat(end - start - marked.length), after: text.slice(end) };
}

export type TenantSelection =
  /** The where text has a problem (it could not be applied): the dropdown is disabled, `reason` is its tooltip. */
  | { kind: 'invalid'; reason: string }
  | { kind: 'all' }
  | { kind: 'tenant'; tenant: string }
  /** The key is used, but not as a top-level `key = value` (e.g. inside an OR). */
  | { kind: 'mixed' };

/** What the tenant dropdown shows for a where text. */
export function tenantSelection(whereText: string, tenantKey: string): TenantSelection {
  const parsed = checkWhere(whereText);
  const first = parsed.diagnostics[0];
  if (first) return { kind: 'invalid', reason: `Fix the filter to choose a tenant (${first.message})` };
  const tenant = findTopLevelEquals(parsed.ast, tenantKey);
  if (tenant !== null) return { kind: 'tenant', tenant };
  return collectFieldRefs(parsed.ast).some((f) => fieldKey(f) === tenantKey) ? { kind: 'mixed' } : { kind: 'all' };
}

/** Blank → null, else the trimmed text. */
export function normDuration(text: string): string | null {
  return text.trim() === '' ? null : text.trim();
}

/** Problems with the min / max duration drafts (null when that one is fine). */
export function durationProblems(minText: string, maxText: string): { min: string | null; max: string | null } {
  const min = normDuration(minText);
  const max = normDuration(maxText);
  const minNs = min === null ? null : parseDurationLiteral(min);
  const maxNs = max === null ? null : parseDurationLiteral(max);
  const bad = (t: string) => `'${t}' is not a duration: use e.g. 250ms, 1.5s, 2m`;
  const out = { min: min !== null && minNs === null ? bad(min) : null, max: max !== null && maxNs === null ? bad(max) : null };
  if (minNs !== null && maxNs !== null && minNs > maxNs) {
    out.min = 'The minimum is above the maximum';
    out.max = 'The maximum is below the minimum';
  }
  return out;
}
