/** What the trace page (server) hands to its client components: plain, serializable data. */
import type { ListContext } from '@/lib/trace/filter-link';
import type { PackedTrace } from '@/lib/trace/pack';
import type { WhereProblem } from '@/lib/trace/span-filter';

export type TracePageData = {
  traceId: string;
  /** The spans, packed (lib/trace/pack): a 5,000-span trace is about half the bytes. */
  trace: PackedTrace;
  tenants: string[];
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
