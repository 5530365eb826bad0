/** What the trace page (server) hands to its client components: plain, serializable data. */
import type { ListContext } from '@/lib/trace/filter-link';
import type { PackedTrace } from '@/lib/trace/pack';
import type { WhereProblem } from '@/lib/trace/span-filter';
import type { CostFigure } from '@/lib/pricing/types';

export type TracePageData = {
  traceId: string;
  /** The spans, packed (lib/trace/pack): a 5,000-span trace is about half the bytes. */
  trace: PackedTrace;
  tenants: string[];
  /** The trace's cost summed over its spans, with its source; null when no span carries tokens or a cost. */
  cost: CostFigure | null;
  /** LLM spans with tokens whose model has no price. */
  unpricedSpans: number;
  /** The `where` parameters of the URL (the list's filter, carried over). */
  wheres: string[];
  /** Canonical text of the combined filter when it is valid. */
  whereCanonical: string | null;
  /** Spans matching `where` at span level; null without a (valid) filter. */
  matchedSpanIds: string[] | null;
  whereError: WhereProblem | null;
  /** Where "back to the list" goes: the list's filter and time range. */
  list: ListContext;
};
