/** What every chart panel of a dashboard reads besides its own registry spec. */
import type { KeyMapping } from '@/lib/metrics/scope';
import type { MetricsBucket, MetricsGroup, MetricsResponse } from '@/lib/metrics/types';

export type PanelContext = {
  /** The main query: series per group and overall. */
  main: MetricsResponse;
  /** The keys feeding model, tokens, cost and TTFT (named when a chart has nothing to show). */
  mapping: KeyMapping;
  /** Plot the sampling estimates (≈) instead of the stored counts. */
  plotEstimates: boolean;
  /** What the bars are stacked by ('tenant', 'model', …). */
  stackLabel: string;
  /** Shown instead of every chart when nothing matched. */
  emptyNotice: string | null;
  /** Opens the trace list: a group (null: all) in a bucket (null: the page's range), with an extra where term. */
  open: (group: MetricsGroup | null, bucket: Pick<MetricsBucket, 'start' | 'end'> | null, extra?: string | null) => void;
};
