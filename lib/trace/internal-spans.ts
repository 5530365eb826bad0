/**
 * Gateway-internal spans (what Plano adds with `tracing.trace_arch_internal: true`: its routing,
 * orchestration and hand-off steps) folded into their parent, for the waterfall's "Fold internal"
 * switch and `tracedeck trace --fold-internal`.
 *
 * A span is internal when its service or its name matches a rule (globs with `*`). Folding removes
 * it and hangs its children on its nearest visible ancestor, which counts what it holds hidden.
 * A root is never folded (there is nothing to fold it into). Pure: no React, no IO.
 *
 * Rules as text (TRACEDECK_INTERNAL_SPANS): `service=plano(routing),plano(orchestrator);name=route`,
 * either part optional; `off` folds nothing.
 */

export type InternalSpanRules = { services: string[]; names: string[] };

/**
 * Plano's internal services (katanemo/plano brightstaff: `plano(routing)`, `plano(orchestrator)`,
 * `plano(handoff)`, and `plano` for spans without a component), plus `plano(outbound)`, the upstream
 * leg of its LLM call. The request (`plano(inbound)`), the LLM call (`plano(llm)`), agents and
 * filters stay: they are what a user looks for.
 */
export const DEFAULT_INTERNAL_RULES: InternalSpanRules = {
  services: ['plano', 'plano(routing)', 'plano(orchestrator)', 'plano(handoff)', 'plano(outbound)'],
  names: [],
};

export const NO_INTERNAL_RULES: InternalSpanRules = { services: [], names: [] };

/** Parses the rules text; throws an Error naming what is wrong. */
export function parseInternalRules(text: string): InternalSpanRules {
  const trimmed = text.trim();
  if (/^off$/i.test(trimmed)) return NO_INTERNAL_RULES;
  const rules: InternalSpanRules = { services: [], names: [] };
  for (const part of trimmed.split(';')) {
    if (part.trim() === '') continue;
    const m = /^\s*(service|name)\s*=(.*)$/i.exec(part);
    if (!m) throw new Error(`expected service=… or name=… (got '${part.trim()}')`);
    const values = m[2]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    rules[m[1].toLowerCase() === 'service' ? 'services' : 'names'].push(...values);
  }
  return rules;
}

function globMatcher(patterns: string[]): (text: string) => boolean {
  if (patterns.length === 0) return () => false;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
          's',
        ),
    );
  return (text) => exact.has(text) || globs.some((g) => g.test(text));
}

export function internalSpanPredicate(rules: InternalSpanRules): (span: { service: string; name: string }) => boolean {
  const service = globMatcher(rules.services);
  const name = globMatcher(rules.names);
  return (span) => service(span.service) || name(span.name);
}

export type FoldableSpan = { spanId: string; parentSpanId: string | null; service: string; name: string };

export type Folded<S extends FoldableSpan> = {
  /** The visible spans; a span under folded ones has its nearest visible ancestor as parent. */
  spans: S[];
  /** Visible span id → how many internal spans were folded into it. */
  hiddenBy: Map<string, number>;
  hiddenTotal: number;
};

/** Folds the internal spans of a trace into their nearest visible ancestors. */
export function foldInternalSpans<S extends FoldableSpan>(spans: readonly S[], rules: InternalSpanRules): Folded<S> {
  const isInternal = internalSpanPredicate(rules);
  const byId = new Map<string, S>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  // A folded span needs a parent present in the trace to fold into.
  const folded = (s: S) => s.parentSpanId !== null && byId.has(s.parentSpanId) && isInternal(s);
  const visibleAncestor = new Map<string, string | null>();
  const ancestorOf = (s: S): string | null => {
    // Iterative walk up (deep traces), remembering the answer for every span passed.
    const path: S[] = [];
    let at: S | undefined = s;
    let answer: string | null = null;
    const seen = new Set<string>();
    while (at && at.parentSpanId !== null) {
      const known = visibleAncestor.get(at.spanId);
      if (known !== undefined) {
        answer = known;
        break;
      }
      const parent = byId.get(at.parentSpanId);
      if (!parent || seen.has(parent.spanId)) break;
      seen.add(parent.spanId);
      path.push(at);
      if (!folded(parent)) {
        answer = parent.spanId;
        break;
      }
      at = parent;
    }
    for (const p of path) visibleAncestor.set(p.spanId, answer);
    return answer;
  };
  const out: S[] = [];
  const hiddenBy = new Map<string, number>();
  let hiddenTotal = 0;
  for (const s of spans) {
    if (folded(s)) {
      const into = ancestorOf(s);
      if (into !== null) {
        hiddenBy.set(into, (hiddenBy.get(into) ?? 0) + 1);
        hiddenTotal++;
        continue;
      }
    }
    const parent = s.parentSpanId !== null ? byId.get(s.parentSpanId) : undefined;
    out.push(parent && folded(parent) ? { ...s, parentSpanId: ancestorOf(s) } : s);
  }
  return { spans: out, hiddenBy, hiddenTotal };
}
