'use client';
/**
 * One heatmap: requests by start time (x) and value on √2 log buckets (y), colour by
 * count (log scale). Dragging over it brushes a block of cells (snapped to the grid),
 * handed to `onSelect` when the pointer is released. Drawn as SVG rects: recharts has no
 * heatmap, and a grid of a few thousand cells with a snapped brush is a few lines here.
 */
import { type PointerEvent, useRef, useState } from 'react';
import { fmtMsTick, fmtTick } from '@/components/charts/format';
import { type HeatmapResponse, yBucketLowMs } from '@/lib/query/heatmap';
import { type CellBlock, normalizeBlock } from './heatmap-data';
import styles from './heatmap.module.css';

const W = 600;
const H = 140;

type Props = { map: HeatmapResponse; selection: CellBlock | null; onSelect: (block: CellBlock) => void; testId: string };

export function HeatmapGrid({ map, selection, onSelect, testId }: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: { x: number; y: number }; to: { x: number; y: number } } | null>(null);
  const ys = map.cells.map((c) => c[1]);
  const yLo = Math.min(...ys) - 1;
  const yHi = Math.max(...ys) + 1;
  const rows = yHi - yLo + 1;
  const cw = W / Math.max(map.xCount, 1);
  const rh = H / rows;
  const max = Math.max(...map.cells.map((c) => c[2]));

  const cellAt = (e: PointerEvent<SVGSVGElement>) => {
    const box = svgRef.current!.getBoundingClientRect();
    const x = Math.floor(((e.clientX - box.left) / box.width) * map.xCount);
    const y = yHi - Math.floor(((e.clientY - box.top) / box.height) * rows);
    return { x: Math.min(Math.max(x, 0), map.xCount - 1), y: Math.min(Math.max(y, yLo), yHi) };
  };
  const shown = drag ? normalizeBlock(drag.from, drag.to) : selection;
  const yLabels = axisBuckets(yLo, yHi);
  const spanMs = map.xCount * map.stepMs;

  return (
    <div className={styles.plot}>
      <div className={styles.yAxis} aria-hidden>
        {yLabels.map((y) => (
          <span key={y} style={{ top: `${((yHi - y + 1) / rows) * 100}%` }}>
            {fmtMsTick(yBucketLowMs(y))}
          </span>
        ))}
      </div>
      <div className={styles.grid}>
        <svg
          ref={svgRef}
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          className={styles.svg}
          data-testid={testId}
          role="img"
          aria-label="heatmap: drag to select requests"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            const at = cellAt(e);
            setDrag({ from: at, to: at });
          }}
          onPointerMove={(e) => {
            if (drag) setDrag({ ...drag, to: cellAt(e) });
          }}
          onPointerUp={(e) => {
            if (!drag) return;
            const block = normalizeBlock(drag.from, cellAt(e));
            setDrag(null);
            onSelect(block);
          }}
        >
          {map.cells.map(([x, y, n]) => (
            <rect
              key={`${x},${y}`}
              x={x * cw}
              y={(yHi - y) * rh}
              width={cw}
              height={rh}
              fill="var(--accent)"
              fillOpacity={0.15 + (0.85 * Math.log1p(n)) / Math.log1p(max)}
              data-x={x}
              data-y={y}
              data-count={n}
            >
              <title>{`${n} requests · ${fmtMsTick(yBucketLowMs(y))}–${fmtMsTick(yBucketLowMs(y + 1))}`}</title>
            </rect>
          ))}
          {shown ? (
            <rect
              className={styles.brush}
              x={shown.x0 * cw}
              y={(yHi - shown.y1) * rh}
              width={(shown.x1 - shown.x0 + 1) * cw}
              height={(shown.y1 - shown.y0 + 1) * rh}
              data-testid={`${testId}-selection`}
            />
          ) : null}
        </svg>
        <div className={styles.xAxis} aria-hidden>
          {[0, Math.floor(map.xCount / 2), map.xCount - 1].map((x, i) => (
            <span key={i} style={i === 2 ? { right: 0 } : { left: `${(x / map.xCount) * 100}%` }}>
              {fmtTick(map.originMs + x * map.stepMs, map.stepMs, spanMs)}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}

/** Bucket boundaries to label: powers of two (even y), at most ~5 of them. */
function axisBuckets(yLo: number, yHi: number): number[] {
  const out: number[] = [];
  const every = Math.max(2, Math.ceil((yHi - yLo + 1) / 5 / 2) * 2);
  for (let y = Math.ceil((yLo + 1) / every) * every; y <= yHi; y += every) out.push(y);
  return out;
}
