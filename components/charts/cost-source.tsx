/** Where a cost figure comes from, under the cost tile and in the cost cells of the tables. */
import type { MetricValues } from '@/lib/metrics/types';
import { fmtUsd } from '@/lib/pricing/label';
import styles from './charts.module.css';

/** "USD · reported + computed · 3 unpriced". */
export function CostSourceLine({ totals }: { totals: MetricValues }) {
  const unpriced = totals.unpricedRequests ?? 0;
  const source = totals.costSource ?? 'no cost or tokens';
  return (
    <span data-testid="cost-source" data-source={totals.costSource ?? ''} title={costTitle(totals)}>
      USD · {source}
      {unpriced > 0 ? <span className={styles.warnText}> · {unpriced.toLocaleString('en-US')} unpriced</span> : null}
    </span>
  );
}

/** The breakdown in words, for a title attribute. */
export function costTitle(v: MetricValues): string {
  const parts: string[] = [];
  if (v.reportedCostUsd != null) parts.push(`${fmtUsd(v.reportedCostUsd)} reported by the gateway`);
  if (v.computedCostUsd != null) parts.push(`${fmtUsd(v.computedCostUsd)} computed from tokens × price`);
  const unpriced = v.unpricedRequests ?? 0;
  if (unpriced > 0) parts.push(`${unpriced.toLocaleString('en-US')} request(s) with tokens but no price for their model (not counted)`);
  return parts.length ? parts.join('; ') : 'No request carries a cost or tokens';
}
