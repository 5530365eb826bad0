'use client';
/** The summary tiles above the charts, one per registry tile (lib/metrics/registry.ts), in registry order. */
import type { ReactNode } from 'react';
import { estimateOf, figureOf } from '@/lib/metrics/figures';
import { METRICS, type TileSpec, fieldInfo } from '@/lib/metrics/registry';
import type { MetricValues } from '@/lib/metrics/types';
import styles from './charts.module.css';
import { UNIT_FORMATS, fmtPct } from './format';
import { CostSourceLine } from './cost-source';

type Format = (n: number | null | undefined) => string;

/** "≈ 6,170 est.": the estimate labelled as one. */
function Estimate({ value, format }: { value: number | null | undefined; format: Format }) {
  if (value === undefined || value === null) return null;
  return (
    <span className={styles.estimate} title="Estimate: each stored request weighted by its sampling rate">
      ≈ {format(value)}
      <span className={styles.estimateTag}>est.</span>
    </span>
  );
}

/**
 * The line under a headline: "no … keys" when it is unknown; else its rate, then its
 * estimate when sampled, or its details ("p50 12ms · p99 40ms"), or its note.
 */
function tileLine(spec: TileSpec, totals: MetricValues, sampled: boolean, format: Format): ReactNode {
  const headline = figureOf(totals, spec.show[0]);
  // The cost tile says where its figure comes from (reported, computed, both) and what has no price.
  if (spec.show[0] === 'costUsd' && totals.costSource !== undefined) return <CostSourceLine totals={totals} />;
  if (spec.missing && (headline === null || headline === undefined)) return spec.missing;
  const rate = spec.rate ? fmtPct(figureOf(totals, spec.rate)) : null;
  const details = spec.details?.map((d) => [d.before, format(figureOf(totals, d.field)), d.after].filter(Boolean).join(' ')).join(' · ');
  const rest = sampled && spec.estimate ? <Estimate value={estimateOf(totals, spec.estimate)} format={format} /> : (details ?? spec.note ?? null);
  return (
    <>
      {rate}
      {rate !== null && rest !== null ? ' ' : null}
      {rest}
    </>
  );
}

function Tile({ spec, totals, sampled }: { spec: TileSpec; totals: MetricValues; sampled: boolean }) {
  const format = UNIT_FORMATS[fieldInfo(spec.show[0]).unit].headline;
  return (
    <div className={styles.tile} data-testid={spec.testId} title={spec.title}>
      <div className={styles.tileLabel}>{spec.label}</div>
      <div className={styles.tileValue}>{spec.show.map((field) => format(figureOf(totals, field))).join(' · ')}</div>
      <div className={styles.tileSub}>{tileLine(spec, totals, sampled, format)}</div>
    </div>
  );
}

export function SummaryTiles({ totals, sampled }: { totals: MetricValues; sampled: boolean }) {
  const tiles = METRICS.flatMap((m) => m.dashboard.tiles ?? []);
  return (
    <div className={styles.tiles} data-testid="summary">
      {tiles.map((spec) => (
        <Tile key={spec.testId} spec={spec} totals={totals} sampled={sampled} />
      ))}
    </div>
  );
}
