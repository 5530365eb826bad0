'use client';
/**
 * The two chart shapes of the dashboards: stacked bars per group over time, and
 * percentile lines over time. Every bar (and every point of a line chart) is
 * clickable: the page turns (group, bucket) into a filtered trace list.
 */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, type DotItemDotProps, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricsBucket, MetricsGroup } from '@/lib/metrics/types';
import styles from './charts.module.css';
import { fmtBucket, fmtTick } from './format';

export type BarSeries = { id: string; label: string; color: string; values: number[] };
export type LineSeries = { id: string; label: string; color: string; values: (number | null)[]; dashed?: boolean };

type Row = { i: number; t: number } & Record<string, number | null>;

/** A group's colour in the stacked charts and the legend: its rank's, or the neutral ones of "other" and "(none)". */
export function seriesColor(group: Pick<MetricsGroup, 'key' | 'other'>, index: number): string {
  if (group.other) return 'var(--series-other)';
  if (group.key === null) return 'var(--series-none)';
  return `var(--series-${index % 8})`;
}

type PanelProps = {
  testId: string;
  title: string;
  meta?: ReactNode;
  /** Shown instead of the chart (e.g. "no token keys on these requests"). */
  notice?: ReactNode;
  children?: ReactNode;
};

export function ChartPanel({ testId, title, meta, notice, children }: PanelProps) {
  return (
    <section className={styles.panel} data-testid={testId} aria-label={title}>
      <div className={styles.panelHead}>
        <span className={styles.panelTitle}>{title}</span>
        {meta && !notice ? <span className={styles.panelMeta}>{meta}</span> : null}
      </div>
      {notice ? (
        <div className={styles.noData} data-testid={`${testId}-notice`}>
          {notice}
        </div>
      ) : (
        <div className={styles.chart}>{children}</div>
      )}
    </section>
  );
}

function rows(buckets: MetricsBucket[], series: { values: (number | null)[] }[]): Row[] {
  return buckets.map((b, i) => {
    const row: Row = { i, t: b.startMs };
    series.forEach((s, k) => {
      row[`s${k}`] = s.values[i] ?? null;
    });
    return row;
  });
}

const AXIS = { fontSize: 10.5 };

function xAxis(buckets: MetricsBucket[], bucketMs: number) {
  const spanMs = buckets.length ? buckets[buckets.length - 1].endMs - buckets[0].startMs : 0;
  return (
    <XAxis dataKey="t" tick={AXIS} tickLine={false} minTickGap={28} interval="preserveStartEnd" tickFormatter={(v: number) => fmtTick(v, bucketMs, spanMs)} />
  );
}

type TooltipItem = { dataKey?: unknown; value?: unknown; color?: string };

function ChartTooltip({
  active,
  payload,
  buckets,
  labels,
  format,
  hint,
}: {
  active?: boolean;
  payload?: readonly TooltipItem[];
  buckets: MetricsBucket[];
  labels: Map<string, { label: string; color: string }>;
  format: (n: number) => string;
  hint: string;
}) {
  const first = payload?.[0] as { payload?: Row } | undefined;
  const row = first?.payload;
  if (!active || !row) return null;
  const bucket = buckets[row.i];
  const items = (payload ?? [])
    .map((p) => ({ key: String(p.dataKey), value: typeof p.value === 'number' ? p.value : null }))
    .filter((p) => p.value !== null && p.value !== 0)
    .reverse();
  return (
    <div className={styles.tooltip}>
      <div className={styles.tooltipTime}>{bucket ? fmtBucket(bucket.start, bucket.end) : ''}</div>
      {items.length === 0 ? <div className={styles.tooltipHint}>nothing in this bucket</div> : null}
      {items.map((item) => {
        const info = labels.get(item.key);
        return (
          <div key={item.key} className={styles.tooltipRow}>
            <span className={styles.swatch} style={{ background: info?.color }} />
            <span className="name">{info?.label ?? item.key}</span>
            <span className="value">{format(item.value ?? 0)}</span>
          </div>
        );
      })}
      {items.length > 0 ? <div className={styles.tooltipHint}>{hint}</div> : null}
    </div>
  );
}

/** The hover box of both charts: the bucket's time and each series' value, with what a click does. */
function tooltip(props: Omit<Parameters<typeof ChartTooltip>[0], 'active' | 'payload'>) {
  return (
    <Tooltip
      isAnimationActive={false}
      content={({ active, payload }) => <ChartTooltip active={active} payload={payload as readonly TooltipItem[] | undefined} {...props} />}
    />
  );
}

export function StackedBars({
  buckets,
  bucketMs,
  series,
  format,
  integer = true,
  onSelect,
}: {
  buckets: MetricsBucket[];
  bucketMs: number;
  series: BarSeries[];
  format: (n: number) => string;
  /** Counts: integer ticks only. */
  integer?: boolean;
  /** A bar was clicked: series index and bucket index. */
  onSelect: (seriesIndex: number, bucketIndex: number) => void;
}) {
  const data = rows(buckets, series);
  const labels = new Map(series.map((s, k) => [`s${k}`, { label: s.label, color: s.color }]));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 6, right: 6, bottom: 0, left: 0 }} barCategoryGap="12%">
        <CartesianGrid vertical={false} strokeDasharray="2 3" />
        {xAxis(buckets, bucketMs)}
        <YAxis width={46} tick={AXIS} tickLine={false} axisLine={false} tickFormatter={(v: number) => format(v)} allowDecimals={!integer} />
        {tooltip({ buckets, labels, format, hint: 'click a bar to open its requests' })}
        {series.map((s, k) => (
          <Bar
            key={s.id}
            dataKey={`s${k}`}
            name={s.label}
            stackId="stack"
            fill={s.color}
            isAnimationActive={false}
            onClick={(item) => {
              const row = item.payload as Row | undefined;
              onSelect(k, row ? row.i : item.originalDataIndex);
            }}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** A point with no neighbour draws no line segment: mark it with a dot so sparse series stay visible. */
function IsolatedDot({ index, cx, cy, series: values, color }: DotItemDotProps & { series: (number | null)[]; color: string }) {
  const isolated = values[index] !== null && (index === 0 || values[index - 1] === null) && (index === values.length - 1 || values[index + 1] === null);
  if (!isolated || cx === undefined || cy === undefined) return <g />;
  return <circle cx={cx} cy={cy} r={2.2} fill={color} />;
}

export function PercentileLines({
  buckets,
  bucketMs,
  lines,
  format,
  onSelect,
}: {
  buckets: MetricsBucket[];
  bucketMs: number;
  lines: LineSeries[];
  format: (n: number) => string;
  onSelect: (bucketIndex: number) => void;
}) {
  const data = rows(buckets, lines);
  const labels = new Map(lines.map((s, k) => [`s${k}`, { label: s.label, color: s.color }]));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart
        data={data}
        margin={{ top: 6, right: 6, bottom: 0, left: 0 }}
        style={{ cursor: 'pointer' }}
        onClick={(state) => {
          const index = Number(state.activeTooltipIndex);
          if (Number.isInteger(index) && index >= 0 && index < buckets.length) onSelect(index);
        }}
      >
        <CartesianGrid vertical={false} strokeDasharray="2 3" />
        {xAxis(buckets, bucketMs)}
        <YAxis width={46} tick={AXIS} tickLine={false} axisLine={false} tickFormatter={(v: number) => format(v)} />
        {tooltip({ buckets, labels, format, hint: "click to open this bucket's requests" })}
        {lines.map((s, k) => (
          <Line
            key={s.id}
            dataKey={`s${k}`}
            name={s.label}
            stroke={s.color}
            strokeWidth={1.6}
            strokeDasharray={s.dashed ? '4 3' : undefined}
            dot={(p: DotItemDotProps) => <IsolatedDot key={`${s.id}-${p.index}`} {...p} series={s.values} color={s.color} />}
            activeDot={{ r: 3.5 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
