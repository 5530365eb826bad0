/**
 * What a chart page shows (pure types and constants, shared by the server loader
 * in ./dashboard.ts and the client components).
 */
import type { TraceSummary } from '../trace/wire';
import type { FilterState } from '../filter-state';
import type { MetricsResponse } from './types';

export const DEFAULT_DASHBOARD_SINCE = '24h';
/** Series shown in the stacked charts before the rest is summed into "other". */
export const STACK_TOP = 8;

export type DashboardScope = { kind: 'all' } | { kind: 'tenant'; id: string } | { kind: 'user'; id: string };
export type StackBy = 'tenant' | 'model' | 'user' | 'session';

export const STACK_OPTIONS: Record<DashboardScope['kind'], StackBy[]> = {
  all: ['tenant', 'model'],
  tenant: ['model', 'user'],
  user: ['model', 'session'],
};

export type KeyMapping = { model: readonly string[]; tokens: readonly string[]; cost: readonly string[]; ttft: readonly string[] };

export type DashboardData = {
  scope: DashboardScope;
  tenantKey: string;
  /** The applied filter (since defaulted when no range is given). */
  filter: FilterState;
  /** Where terms the page adds for its scope. */
  restriction: string[];
  stackBy: StackBy;
  stackOptions: StackBy[];
  /** The charts' data; null with an error. */
  main: MetricsResponse | null;
  error: { message: string; column: number } | null;
  /** Totals per tenant (all), per user (tenant), per session (user). */
  table: MetricsResponse | null;
  models: MetricsResponse | null;
  slowest: TraceSummary[];
  failing: TraceSummary[];
  mapping: KeyMapping;
};

export function stackKey(stackBy: StackBy, tenantKey: string): string {
  return { tenant: tenantKey, model: 'llm.model', user: 'user.id', session: 'session.id' }[stackBy];
}

/** A dynamic route segment as text: decoded when it is still percent-encoded, as is otherwise. */
export function segmentText(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
