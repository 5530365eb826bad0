'use client';
/**
 * The latency and TTFT heatmaps of the requests a filter selects (GET /api/heatmap),
 * side by side, and the "what's different" panel of a region brushed on either
 * (GET /api/heatmap/differences). Mounted above the trace list and on /explore; the
 * page decides what adding a value does (a where term, a query's filter).
 */
import { useState } from 'react';
import type { HeatmapField } from '@/lib/query/heatmap';
import type { RangeQuery } from '@/components/filter-bar/data';
import { DifferencesPanel } from './differences-panel';
import { type CellBlock, type DifferencesResponse, type HeatmapResponse, differencesUrl, heatmapUrl, useJson } from './heatmap-data';
import { HeatmapGrid } from './heatmap-grid';
import styles from './heatmap.module.css';

type Props = { wheres: readonly string[]; range: RangeQuery; onAddTerm: (key: string, value: string) => void };

const TITLES: Record<HeatmapField, string> = { duration: 'Latency', ttft: 'Time to first token' };

export function LatencyHeatmaps({ wheres, range, onAddTerm }: Props) {
  const [open, setOpen] = useState(true);
  const [selection, setSelection] = useState<{ field: HeatmapField; block: CellBlock; url: string } | null>(null);
  const differences = useJson<DifferencesResponse>(selection?.url ?? null);
  const select = (map: HeatmapResponse, block: CellBlock) => setSelection({ field: map.field, block, url: differencesUrl(map, wheres, block) });
  return (
    <div className={styles.heatmaps} data-testid="heatmaps">
      <button type="button" className={styles.toggle} onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? '▾' : '▸'} Heatmaps
      </button>
      {open ? (
        <>
          <div className={styles.row}>
            {(['duration', 'ttft'] as const).map((field) => (
              <HeatmapPanel
                key={field}
                field={field}
                url={heatmapUrl(field, wheres, range)}
                selection={selection?.field === field ? selection.block : null}
                onSelect={select}
              />
            ))}
          </div>
          {selection ? <DifferencesPanel {...differences} onAdd={onAddTerm} onClose={() => setSelection(null)} /> : null}
        </>
      ) : null}
    </div>
  );
}

function HeatmapPanel({
  field,
  url,
  selection,
  onSelect,
}: {
  field: HeatmapField;
  url: string;
  selection: CellBlock | null;
  onSelect: (map: HeatmapResponse, block: CellBlock) => void;
}) {
  const { data, error, loading } = useJson<HeatmapResponse>(url);
  return (
    <section className={styles.panel} aria-label={`${TITLES[field]} heatmap`} data-testid={`heatmap-panel-${field}`}>
      <div className={styles.panelHead}>
        <span className={styles.panelTitle}>{TITLES[field]}</span>
        <span className={styles.muted}>{data ? `${data.total.toLocaleString('en-US')} requests · drag to compare` : loading ? 'Loading…' : ''}</span>
      </div>
      {error ? <div className={styles.error}>{error}</div> : null}
      {data && data.cells.length === 0 ? (
        <div className={styles.empty}>{field === 'ttft' ? 'No requests with a TTFT in this range.' : 'No requests in this range.'}</div>
      ) : null}
      {data && data.cells.length > 0 ? (
        <HeatmapGrid map={data} selection={selection} onSelect={(block) => onSelect(data, block)} testId={`heatmap-${field}`} />
      ) : null}
    </section>
  );
}
