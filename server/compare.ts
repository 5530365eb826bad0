/**
 * The two traces of /compare?a=…&b=…, read like the trace page reads one (short or
 * full ids, the reader's tenant scope, costs priced now), then aligned span by span
 * (lib/trace/compare). Each problem is named with the side and id it concerns.
 */
import { type ComparedTrace, type CompareSide, type SideProblem, type TraceComparison, compareTraces } from '../lib/trace/compare';
import { getTraceView } from './reads';

const TRACE_ID = /^[0-9a-fA-F]{8}$|^[0-9a-fA-F]{32}$/;

export type ComparisonLoad =
  { status: 'ok'; a: ComparedTrace; b: ComparedTrace; comparison: TraceComparison } | { status: 'problems'; problems: SideProblem[] };

type SideRead =
  { ok: true; trace: ComparedTrace; view: Extract<Awaited<ReturnType<typeof getTraceView>>, { status: 'found' }> } | { ok: false; problem: SideProblem };

async function readSide(side: CompareSide, id: string, tenantScope: string | null): Promise<SideRead> {
  if (id === '') return { ok: false, problem: { side, id, problem: 'missing' } };
  if (!TRACE_ID.test(id)) return { ok: false, problem: { side, id, problem: 'malformed' } };
  const view = await getTraceView({ traceId: id, tenantScope });
  if (view.status === 'not_found') return { ok: false, problem: { side, id, problem: 'not_found' } };
  if (view.status === 'ambiguous') return { ok: false, problem: { side, id, problem: 'ambiguous', candidates: view.candidates } };
  const trace: ComparedTrace = {
    traceId: view.traceId,
    summary: view.summaries[0] ?? null,
    spanCount: view.spans.length,
    errorCount: view.spans.filter((s) => s.status.code === 2).length,
    cost: view.costs?.total ?? null,
  };
  return { ok: true, trace, view };
}

export async function loadComparison({ a, b, tenantScope }: { a: string; b: string; tenantScope: string | null }): Promise<ComparisonLoad> {
  // One after the other: the embedded PGlite runs one query at a time anyway.
  const sideA = await readSide('a', a.trim(), tenantScope);
  const sideB = await readSide('b', b.trim(), tenantScope);
  if (!sideA.ok || !sideB.ok) return { status: 'problems', problems: [sideA, sideB].flatMap((s) => (s.ok ? [] : [s.problem])) };
  const comparison = compareTraces(sideA.view.spans, sideB.view.spans, { a: sideA.view.costs?.bySpan, b: sideB.view.costs?.bySpan });
  return { status: 'ok', a: sideA.trace, b: sideB.trace, comparison };
}
