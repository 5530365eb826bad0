/**
 * Two traces side by side: their spans aligned by service, name and position in the
 * tree, so a request can be compared with a similar one (a slow one with a fast one, a
 * failing one with one that worked).
 *
 * Alignment, level by level from the roots:
 * - Among the children of two aligned spans (or among the roots), spans with the same
 *   service and name are paired in start order: the first `llm` call of A with the first
 *   of B, the second with the second. Spans of another name in between do not shift the
 *   pairing, so children that started in another order still pair up.
 * - Spans still without a partner then pair by service alone, in start order: an LLM call
 *   named after its model (`chat gpt-4o` vs `chat llama-3.1-70b`) is the same step with
 *   another model, which is what a comparison is for. Such a row carries both names.
 * - A span left without a partner is "only in A" (or B), and so is its whole subtree.
 * - Rows come in A's depth-first order; a span only in B follows the row of its previous
 *   sibling in B (or opens its level), so each trace reads in its own order.
 *
 * Pure: no React, no DOM, no IO.
 */
import type { CostFigure } from '../pricing/types';
import { fmtUsd } from '../pricing/label';
import { scalarText } from './any-value';
import { statusLabel } from './format';
import { PROMOTED_COLUMNS } from './promoted';
import { buildTraceTree, type TraceTree } from './tree';
import type { StoredSpan, TraceSummary } from './wire';

/** One compared value of a span pair that differs. */
export type FieldDifference = { field: ComparedField; a: string | null; b: string | null };

export type CompareRow = {
  depth: number;
  service: string;
  name: string;
  /** B's name when it differs from A's (the pair matched by service only). */
  nameB: string | null;
  /** The span of each trace; one is null for a span only in one trace. */
  a: StoredSpan | null;
  b: StoredSpan | null;
  /** B's duration minus A's, in ms; null unless the span is in both. */
  deltaMs: number | null;
  /** The compared fields whose values differ (empty unless the span is in both). */
  differences: FieldDifference[];
};

export type TraceComparison = { rows: CompareRow[]; matched: number; onlyA: number; onlyB: number };

export type CompareSide = 'a' | 'b';

/** One side of a comparison as the page heads it: the trace's figures. */
export type ComparedTrace = { traceId: string; summary: TraceSummary | null; spanCount: number; errorCount: number; cost: CostFigure | null };

/** Why one side could not be read; the page names the side and the id. */
export type SideProblem =
  | { side: CompareSide; id: string; problem: 'missing' | 'malformed' | 'not_found' }
  | { side: CompareSide; id: string; problem: 'ambiguous'; candidates: string[] };

/** Per-span costs of each trace (server/reads getTraceView's `costs.bySpan`), by span id. */
export type SpanCostsBySide = { a?: Record<string, CostFigure>; b?: Record<string, CostFigure> };

export const COMPARED_FIELDS = ['status', 'http.status_code', 'model', 'route', 'prompt tokens', 'completion tokens', 'total tokens', 'cost'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

const promotedKeys = (field: string): readonly string[] => PROMOTED_COLUMNS.find((c) => c.field === field)?.keys ?? [];

/** The attribute keys each field is read from, first present wins (Plano's, then GenAI's and OpenInference's). */
const FIELD_KEYS: Partial<Record<ComparedField, readonly string[]>> = {
  'http.status_code': ['http.status_code', 'http.response.status_code'],
  model: promotedKeys('llmModel'),
  route: ['plano.route.name', 'http.route'],
  'prompt tokens': promotedKeys('promptTokens'),
  'completion tokens': promotedKeys('completionTokens'),
  'total tokens': promotedKeys('totalTokens'),
};

function attributeText(span: StoredSpan, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = span.attributes[key] ?? span.resourceAttributes[key];
    const text = value ? scalarText(value) : null;
    if (text !== null) return text;
  }
  return null;
}

function costText(cost: CostFigure | undefined): string | null {
  if (!cost) return null;
  return cost.usd === null ? 'no price' : fmtUsd(cost.usd);
}

/** The value of one compared field on a span, as text (what the page shows); null when absent. */
export function fieldValue(span: StoredSpan, field: ComparedField, costs: Record<string, CostFigure> | undefined): string | null {
  if (field === 'status') return span.status.message ? `${statusLabel(span.status.code)}: ${span.status.message}` : statusLabel(span.status.code);
  if (field === 'cost') return costText(costs?.[span.spanId]);
  return attributeText(span, FIELD_KEYS[field] ?? []);
}

function differences(a: StoredSpan, b: StoredSpan, costs: SpanCostsBySide): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const field of COMPARED_FIELDS) {
    const va = fieldValue(a, field, costs.a);
    const vb = fieldValue(b, field, costs.b);
    if (va !== vb) out.push({ field, a: va, b: vb });
  }
  return out;
}

/** Node indices of the two trees, aligned; one side is null for a span only in one trace. */
type Pair = [number | null, number | null];

const nameKey = (tree: TraceTree<StoredSpan>, index: number) => `${tree.nodes[index].span.service}\u0000${tree.nodes[index].span.name}`;
const serviceKey = (tree: TraceTree<StoredSpan>, index: number) => tree.nodes[index].span.service;

/** Partners in B of the spans of A, the k-th of A with the k-th of B of the same key; unpaired spans are skipped. */
function pairByKey(
  keyOf: (tree: TraceTree<StoredSpan>, index: number) => string,
  treeA: TraceTree<StoredSpan>,
  a: readonly number[],
  treeB: TraceTree<StoredSpan>,
  b: readonly number[],
  partner: Map<number, number>,
): void {
  const waitingInB = new Map<string, number[]>();
  for (const j of b) {
    const key = keyOf(treeB, j);
    const queue = waitingInB.get(key);
    if (queue) queue.push(j);
    else waitingInB.set(key, [j]);
  }
  for (const i of a) {
    const j = waitingInB.get(keyOf(treeA, i))?.shift();
    if (j !== undefined) partner.set(i, j);
  }
}

/** Pairs two sibling lists (each in start order): by service and name, then what is left by service; see the header. */
export function alignSiblings(treeA: TraceTree<StoredSpan>, a: readonly number[], treeB: TraceTree<StoredSpan>, b: readonly number[]): Pair[] {
  const partner = new Map<number, number>();
  pairByKey(nameKey, treeA, a, treeB, b, partner);
  const pairedB = new Set(partner.values());
  pairByKey(
    serviceKey,
    treeA,
    a.filter((i) => !partner.has(i)),
    treeB,
    b.filter((j) => !pairedB.has(j)),
    partner,
  );
  const pairs: Pair[] = [];
  const pairOfB = new Map<number, number>();
  for (const i of a) {
    const j = partner.get(i);
    if (j !== undefined) pairOfB.set(j, pairs.length);
    pairs.push([i, j ?? null]);
  }
  // B-only spans, anchored after the pair of their previous sibling in B (-1: before every pair).
  const after = new Map<number, number[]>();
  let anchor = -1;
  for (const j of b) {
    const pairIndex = pairOfB.get(j);
    if (pairIndex !== undefined) anchor = pairIndex;
    else after.set(anchor, [...(after.get(anchor) ?? []), j]);
  }
  const out: Pair[] = (after.get(-1) ?? []).map((j): Pair => [null, j]);
  pairs.forEach((pair, k) => {
    out.push(pair);
    for (const j of after.get(k) ?? []) out.push([null, j]);
  });
  return out;
}

/** Aligns the spans of two traces and lists the rows to show, depth first; see the header. */
export function compareTraces(spansA: readonly StoredSpan[], spansB: readonly StoredSpan[], costs: SpanCostsBySide = {}): TraceComparison {
  const treeA = buildTraceTree(spansA);
  const treeB = buildTraceTree(spansB);
  const rows: CompareRow[] = [];
  const counts = { matched: 0, onlyA: 0, onlyB: 0 };
  // Iterative, in reverse on a stack: a chain of thousands of nested spans must not overflow the call stack.
  const stack: { pair: Pair; depth: number }[] = [];
  const pushLevel = (pairs: Pair[], depth: number) => {
    for (let k = pairs.length - 1; k >= 0; k--) stack.push({ pair: pairs[k], depth });
  };
  pushLevel(alignSiblings(treeA, treeA.roots, treeB, treeB.roots), 0);
  while (stack.length > 0) {
    const { pair, depth } = stack.pop() as { pair: Pair; depth: number };
    const [i, j] = pair;
    const a = i === null ? null : treeA.nodes[i];
    const b = j === null ? null : treeB.nodes[j];
    const span = (a ?? b)?.span as StoredSpan;
    const both = a !== null && b !== null;
    if (both) counts.matched++;
    else if (a) counts.onlyA++;
    else counts.onlyB++;
    rows.push({
      depth,
      service: span.service,
      name: span.name,
      nameB: both && b.span.name !== a.span.name ? b.span.name : null,
      a: a?.span ?? null,
      b: b?.span ?? null,
      deltaMs: both ? b.span.durationMs - a.span.durationMs : null,
      differences: both ? differences(a.span, b.span, costs) : [],
    });
    const children: Pair[] = both
      ? alignSiblings(treeA, a.children, treeB, b.children)
      : a
        ? a.children.map((c): Pair => [c, null])
        : (b?.children ?? []).map((c): Pair => [null, c]);
    pushLevel(children, depth + 1);
  }
  return { rows, ...counts };
}
