'use client';
/**
 * A registry `percentiles` chart (lib/metrics/registry.ts): the percentile lines of
 * one metric over time, for all groups together — latency and TTFT are two entries
 * drawn by this one panel. A point opens the trace list for its bucket.
 */
import { figureOf } from '@/lib/metrics/figures';
import { type PercentilesSpec, fieldInfo } from '@/lib/metrics/registry';
import styles from './charts.module.css';
import { UNIT_FORMATS, fmtInt } from './format';
import { panelNotice } from './missing-keys';
import type { PanelContext } from './panel-context';
import { ChartPanel, PercentileLines } from './time-charts';

type MetaItem = { label: string; color: string; value: string };

/** Coloured labels of the lines with their overall values. */
function LineMeta({ items }: { items: MetaItem[] }) {
  return (
    <>
      {items.map((item) => (
        <span key={item.label} className={styles.lineKey}>
          <span className={styles.lineSwatch} style={{ background: item.color }} />
          {item.label} {item.value}
        </span>
      ))}
    </>
  );
}

export function PercentilePanel({ spec, ctx }: { spec: PercentilesSpec; ctx: PanelContext }) {
  const { main } = ctx;
  const formats = UNIT_FORMATS[fieldInfo(spec.lines[0].field).unit];
  const items: MetaItem[] = spec.lines.map((line) => ({
    label: line.label,
    color: `var(--${line.color})`,
    value: formats.cell(figureOf(main.totals, line.field)),
  }));
  if (spec.coverage) items.push({ label: 'of', color: 'transparent', value: `${fmtInt(main.coverage[spec.coverage.field])} ${spec.coverage.text}` });
  const lines = spec.lines.map((line) => ({
    id: line.field,
    label: `${spec.seriesPrefix ?? ''}${line.label}`,
    color: `var(--${line.color})`,
    values: (main.series ?? []).map((v) => figureOf(v, line.field) ?? null),
    dashed: line.dashed,
  }));
  return (
    <ChartPanel testId={spec.testId} title={spec.title} meta={<LineMeta items={items} />} notice={panelNotice(ctx, spec.missing)}>
      <PercentileLines
        buckets={main.buckets}
        bucketMs={main.bucket.ms}
        format={formats.axis}
        onSelect={(i) => ctx.open(null, main.buckets[i] ?? null)}
        lines={lines}
      />
    </ChartPanel>
  );
}
