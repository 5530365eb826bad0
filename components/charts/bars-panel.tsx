'use client';
/**
 * A registry `bars` chart (lib/metrics/registry.ts): one field stacked per group over
 * time — or its sampling estimate — with its total (and rate) as the panel's meta. A
 * bar opens the trace list for its group and bucket, plus the measure's own term
 * (e.g. the errors' `status = error OR …`).
 */
import { estimateOf, figureOf } from '@/lib/metrics/figures';
import { type BarsSpec, type Measure, fieldInfo } from '@/lib/metrics/registry';
import type { MetricValues } from '@/lib/metrics/types';
import { UNIT_FORMATS, fmtPct } from './format';
import { panelNotice } from './missing-keys';
import type { PanelContext } from './panel-context';
import { ChartPanel, StackedBars, seriesColor } from './time-charts';

/** "1,234 total", "≈ 6,170 est. · 1,234 stored", or with a rate "12 · 3.4%". */
function barsMeta(totals: MetricValues, field: string, measure: Measure, format: (n: number | null | undefined) => string, plotEstimates: boolean): string {
  const raw = format(figureOf(totals, field));
  const estimate = format(measure.estimate ? estimateOf(totals, measure.estimate) : undefined);
  if (measure.rate) return `${raw} · ${fmtPct(figureOf(totals, measure.rate))}${plotEstimates ? ` · ≈ ${estimate} est.` : ''}`;
  return plotEstimates ? `≈ ${estimate} est. · ${raw} stored` : `${raw} total`;
}

export function BarsPanel({ spec, ctx }: { spec: BarsSpec; ctx: PanelContext }) {
  const { main, plotEstimates } = ctx;
  const { measure, unit } = fieldInfo(spec.field);
  const formats = UNIT_FORMATS[unit];
  const estimate = measure.estimate;
  const pick = (v: MetricValues) => (plotEstimates && estimate ? estimateOf(v, estimate) : figureOf(v, spec.field));
  const series = main.groups.map((g, k) => ({
    id: g.other ? '\u0000other' : (g.key ?? '\u0000none'),
    label: g.label,
    color: seriesColor(g, k),
    values: (g.series ?? []).map((v) => pick(v) ?? 0),
  }));
  const title = `${plotEstimates ? '≈ ' : ''}${spec.title.replace('{by}', ctx.stackLabel)}`;
  return (
    <ChartPanel
      testId={spec.testId}
      title={title}
      meta={barsMeta(main.totals, spec.field, measure, formats.headline, plotEstimates)}
      notice={panelNotice(ctx, spec.missing)}
    >
      <StackedBars
        buckets={main.buckets}
        bucketMs={main.bucket.ms}
        series={series}
        format={formats.axis}
        integer={unit !== 'usd' && !plotEstimates}
        onSelect={(k, i) => ctx.open(main.groups[k] ?? null, main.buckets[i] ?? null, measure.term ?? null)}
      />
    </ChartPanel>
  );
}
