'use client';
/**
 * The answer of an aggregate query as a chart of one of its aggregates (a picker when
 * there are several): bars per group, or lines per group over time when stepped. A bar
 * opens the trace list for its group, like its table row.
 */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Cell, QueryResponse } from '@/lib/query/response';
import { fmtTick } from '@/components/charts/format';
import styles from './explore.module.css';
import { formatCell, keyText } from './cell-format';

const AXIS = { fontSize: 10.5 };
const MAX_LINES = 12;

function seriesColor(index: number, other: boolean): string {
  return other ? 'var(--series-other)' : `var(--series-${index % 8})`;
}

type Props = { answer: QueryResponse; hrefOf: (row: number) => string | null; onOpen: (href: string) => void };

export function ResultChart({ answer, hrefOf, onOpen }: Props) {
  const aggregates = answer.units.flatMap((u, i) => (u === 'key' || u === 'time' ? [] : [i]));
  const [picked, setPicked] = useState(aggregates[0] ?? -1);
  const column = aggregates.includes(picked) ? picked : (aggregates[0] ?? -1);
  if (column < 0 || answer.rows.length === 0) return null;
  const stepped = answer.units[0] === 'time';
  return (
    <section className={styles.chartPanel} data-testid="explore-chart" data-shape={stepped ? 'lines' : 'bars'}>
      <div className={styles.chartHead}>
        {aggregates.length > 1 ? (
          <select aria-label="Aggregate to chart" value={column} onChange={(e) => setPicked(Number(e.target.value))} data-testid="explore-chart-pick">
            {aggregates.map((i) => (
              <option key={i} value={i}>
                {answer.columns[i]}
              </option>
            ))}
          </select>
        ) : (
          <span className={styles.chartTitle}>{answer.columns[column]}</span>
        )}
      </div>
      <div className={styles.chart} style={{ height: stepped ? 260 : Math.min(40 + 26 * countGroups(answer), 520) }}>
        {stepped ? <GroupLines answer={answer} column={column} /> : <GroupBars answer={answer} column={column} hrefOf={hrefOf} onOpen={onOpen} />}
      </div>
    </section>
  );
}

const keyColumns = (answer: QueryResponse) => answer.units.flatMap((u, i) => (u === 'key' ? [i] : []));
const groupLabel = (row: Cell[], keys: number[]) => (keys.length === 0 ? 'all' : keys.map((k) => keyText(row[k])).join(' · '));

function countGroups(answer: QueryResponse): number {
  const keys = keyColumns(answer);
  return new Set(answer.rows.map((row) => groupLabel(row, keys))).size;
}

function GroupBars({ answer, column, hrefOf, onOpen }: Props & { column: number }) {
  const keys = keyColumns(answer);
  const data = answer.rows.map((row, r) => ({ r, label: groupLabel(row, keys), v: typeof row[column] === 'number' ? row[column] : 0 }));
  const unit = answer.units[column];
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid horizontal={false} strokeDasharray="2 3" />
        <XAxis type="number" tick={AXIS} tickLine={false} tickFormatter={(v: number) => formatCell(v, unit)} />
        <YAxis type="category" dataKey="label" width={170} tick={AXIS} tickLine={false} interval={0} />
        <Tooltip isAnimationActive={false} formatter={(v) => formatCell(typeof v === 'number' ? v : null, unit)} />
        <Bar
          dataKey="v"
          name={answer.columns[column]}
          fill="var(--series-0)"
          isAnimationActive={false}
          style={{ cursor: 'pointer' }}
          onClick={(item) => {
            const r = (item.payload as { r?: number } | undefined)?.r;
            const href = r === undefined ? null : hrefOf(r);
            if (href) onOpen(href);
          }}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

function GroupLines({ answer, column }: { answer: QueryResponse; column: number }) {
  const keys = keyColumns(answer);
  const times: string[] = [];
  const groups = new Map<string, { label: string; other: boolean }>();
  const byTime = new Map<string, Record<string, number | null>>();
  answer.rows.forEach((row, r) => {
    const t = String(row[0]);
    const label = groupLabel(row, keys);
    if (!byTime.has(t)) {
      times.push(t);
      byTime.set(t, {});
    }
    if (!groups.has(label) && groups.size < MAX_LINES) groups.set(label, { label, other: answer.otherRows.includes(r) });
    const v = row[column];
    byTime.get(t)![label] = typeof v === 'number' ? v : null;
  });
  const series = [...groups.values()];
  const data = times.map((t) => ({ t: Date.parse(t), ...Object.fromEntries(series.map((s, k) => [`s${k}`, byTime.get(t)?.[s.label] ?? null])) }));
  const stepMs = data.length > 1 ? data[1].t - data[0].t : 60_000;
  const spanMs = data.length > 0 ? data[data.length - 1].t - data[0].t : 0;
  const unit = answer.units[column];
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="2 3" />
        <XAxis dataKey="t" tick={AXIS} tickLine={false} minTickGap={28} tickFormatter={(v: number) => fmtTick(v, stepMs, spanMs)} />
        <YAxis width={56} tick={AXIS} tickLine={false} axisLine={false} tickFormatter={(v: number) => formatCell(v, unit)} />
        <Tooltip
          isAnimationActive={false}
          labelFormatter={(v) => new Date(Number(v)).toISOString().replace('T', ' ').slice(0, 16)}
          formatter={(v, name) => [formatCell(typeof v === 'number' ? v : null, unit), String(name)]}
        />
        {series.map((s, k) => (
          <Line
            key={s.label}
            dataKey={`s${k}`}
            name={s.label}
            stroke={seriesColor(k, s.other)}
            strokeWidth={1.6}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
