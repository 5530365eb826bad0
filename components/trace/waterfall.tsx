'use client';
/**
 * The waterfall: one row per visible span (tree order, indented by depth), its
 * bar on the trace's time axis. Rows have a fixed height and only the window in
 * view (plus overscan) is in the DOM, so traces of thousands of spans scroll
 * smoothly. It is a treegrid: a <table> whose rows are absolutely positioned.
 */
import { type CSSProperties, type PointerEvent as ReactPointerEvent, memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { StoredSpan } from '@/lib/trace/wire';
import type { PathSegment } from '@/lib/trace/critical-path';
import { errorMessage } from '@/lib/trace/format';
import { axisTicks, formatNs, formatTick } from '@/lib/trace/time-axis';
import type { TraceTree, TreeNode } from '@/lib/trace/tree';
import { useVirtualRows } from './use-virtual-rows';
import styles from './waterfall.module.css';

export type ScrollRequest = { index: number; center: boolean; seq: number };

export type WaterfallProps = {
  tree: TraceTree<StoredSpan>;
  /** Node indices of the rows to show, in order. */
  rows: readonly number[];
  colors: ReadonlyMap<string, number>;
  selectedIndex: number;
  whereMatches: ReadonlySet<number> | null;
  searchMatches: ReadonlySet<number> | null;
  searchQuery: string;
  /** Critical path sections by node index, when the critical path is shown. */
  critical: ReadonlyMap<number, PathSegment[]> | null;
  isCollapsed(spanId: string): boolean;
  /** With internal spans folded: how many each visible span holds hidden (lib/trace/internal-spans). */
  foldedBy: ReadonlyMap<string, number> | null;
  onSelect(index: number): void;
  onToggle(index: number): void;
  scrollRequest: ScrollRequest | null;
};

const HEADER_PX = 30;
const DEFAULT_ROW_PX = 28;

export function Waterfall(props: WaterfallProps) {
  const { tree, rows, colors, selectedIndex, whereMatches, searchMatches, searchQuery, critical, isCollapsed, foldedBy, onSelect, onToggle, scrollRequest } =
    props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const [rowHeight, setRowHeight] = useState(DEFAULT_ROW_PX);
  const [nameWidth, setNameWidth] = useState<number | null>(null);

  // The row height is the --row-h design token.
  useEffect(() => {
    const el = rootRef.current;
    if (!el) return;
    const px = parseFloat(getComputedStyle(el).getPropertyValue('--row-h'));
    if (Number.isFinite(px) && px >= 16 && px !== rowHeight) setRowHeight(px);
  }, [rowHeight]);

  const virtual = useVirtualRows({ scrollRef, count: rows.length, rowHeight, topOffset: HEADER_PX });
  const { scrollToRow } = virtual;

  // Read by the scroll effect without re-running it when rows change; layout effects run before it.
  const rowsRef = useRef(rows);
  useLayoutEffect(() => {
    rowsRef.current = rows;
  }, [rows]);
  useEffect(() => {
    if (!scrollRequest) return;
    const position = rowsRef.current.indexOf(scrollRequest.index);
    if (position >= 0) scrollToRow(position, scrollRequest.center);
  }, [scrollRequest, scrollToRow]);

  const duration = Math.max(tree.durationNs, 1);
  const { step, ticks } = useMemo(() => axisTicks(tree.durationNs), [tree.durationNs]);
  const pct = (ns: number) => (ns / duration) * 100;

  const startResize = (e: ReactPointerEvent<HTMLDivElement>) => {
    const root = rootRef.current;
    if (!root) return;
    e.preventDefault();
    const left = root.getBoundingClientRect().left;
    const total = root.clientWidth;
    const move = (ev: PointerEvent) => setNameWidth(Math.min(Math.max(ev.clientX - left, 200), total * 0.7));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const visible: number[] = [];
  for (let r = virtual.first; r < virtual.last; r++) visible.push(r);

  const rootStyle = { ...(nameWidth !== null ? { '--name-w': `${nameWidth}px` } : {}), '--header-h': `${HEADER_PX}px` } as CSSProperties;

  return (
    <div className={styles.root} ref={rootRef} style={rootStyle} data-testid="waterfall">
      <div className={styles.scroller} ref={scrollRef}>
        <div className={styles.header} aria-hidden="true">
          <div className={styles.headerName}>
            <span>Service &amp; operation</span>
            <span className={styles.headerCount}>
              {rows.length.toLocaleString('en-US')} of {tree.nodes.length.toLocaleString('en-US')} spans
            </span>
          </div>
          <div className={styles.resizer} onPointerDown={startResize} title="Drag to resize" />
          <div className={styles.headerTime}>
            <div className={styles.track}>
              {ticks.map((t, i) => {
                const p = pct(t);
                const edge = p > 94 ? styles.tickEnd : i === 0 ? styles.tickStart : '';
                return (
                  <span key={t} className={`${styles.tick} ${edge}`} style={{ left: `${p}%` }} data-testid="axis-tick">
                    {formatTick(t, step, ticks[ticks.length - 1] ?? t)}
                  </span>
                );
              })}
            </div>
          </div>
        </div>
        <div className={styles.canvas} style={{ height: virtual.totalHeight }}>
          <div className={styles.grid} aria-hidden="true">
            <div className={styles.track}>
              {ticks.map((t) => (
                <span key={t} className={styles.gridLine} style={{ left: `${pct(t)}%` }} />
              ))}
            </div>
          </div>
          <table className={styles.table} role="treegrid" aria-label="Spans" aria-rowcount={rows.length} data-testid="span-table">
            <tbody className={styles.tbody}>
              {visible.map((r) => {
                const index = rows[r];
                const node = tree.nodes[index];
                return (
                  <Row
                    key={index}
                    node={node}
                    position={r}
                    top={r * rowHeight}
                    slot={colors.get(node.span.service) ?? 0}
                    duration={duration}
                    selected={index === selectedIndex}
                    whereMatch={whereMatches?.has(index) ?? false}
                    search={searchMatches === null ? 'none' : searchMatches.has(index) ? 'match' : 'miss'}
                    query={searchMatches === null ? '' : searchQuery}
                    collapsed={node.children.length > 0 && isCollapsed(node.span.spanId)}
                    segments={critical ? (critical.get(index) ?? null) : undefined}
                    folded={foldedBy?.get(node.span.spanId) ?? 0}
                    onSelect={onSelect}
                    onToggle={onToggle}
                  />
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

type RowProps = {
  node: TreeNode<StoredSpan>;
  position: number;
  top: number;
  slot: number;
  duration: number;
  selected: boolean;
  whereMatch: boolean;
  search: 'none' | 'match' | 'miss';
  query: string;
  collapsed: boolean;
  /** undefined: critical path not shown; null: shown, this span is not on it. */
  segments: PathSegment[] | null | undefined;
  /** Internal spans folded into this one. */
  folded: number;
  onSelect(index: number): void;
  onToggle(index: number): void;
};

const Row = memo(function Row({
  node,
  position,
  top,
  slot,
  duration,
  selected,
  whereMatch,
  search,
  query,
  collapsed,
  segments,
  folded,
  onSelect,
  onToggle,
}: RowProps) {
  const { span } = node;
  const isError = span.status.code === 2;
  const message = isError ? errorMessage(span) : null;
  const start = (node.start / duration) * 100;
  const width = ((node.end - node.start) / duration) * 100;
  const end = start + width;
  const hasChildren = node.children.length > 0;
  const labelPlace = end < 72 ? 'after' : start > 28 ? 'before' : 'inside';
  const label = formatNs(node.end - node.start);
  const labelStyle: CSSProperties =
    labelPlace === 'after'
      ? { left: `calc(${end}% + 6px)`, right: 0 }
      : labelPlace === 'before'
        ? { left: 0, right: `calc(${100 - start}% + 6px)` }
        : { left: `calc(${start}% + 5px)`, right: `calc(${100 - end}% + 5px)` };

  const className = [
    styles.row,
    selected ? styles.selected : '',
    whereMatch ? styles.whereMatch : '',
    search === 'miss' ? styles.dim : '',
    segments === null ? styles.offPath : '',
  ].join(' ');

  return (
    <tr
      className={className}
      style={{ transform: `translateY(${top}px)`, '--svc': `var(--svc-${slot})` } as CSSProperties}
      role="row"
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? !collapsed : undefined}
      aria-selected={selected}
      aria-rowindex={position + 1}
      data-testid="span-row"
      data-span-id={span.spanId}
      data-depth={node.depth}
      data-selected={selected ? 'true' : undefined}
      data-where-match={whereMatch ? 'true' : undefined}
      data-search={search === 'none' ? undefined : search}
      data-error={isError ? 'true' : undefined}
      data-critical={segments ? 'true' : undefined}
      data-collapsed={hasChildren && collapsed ? 'true' : undefined}
      onClick={() => onSelect(node.index)}
    >
      <td className={styles.nameCell} role="gridcell">
        <span className={styles.indent} style={{ width: node.depth * 14 }} />
        {hasChildren ? (
          <button
            type="button"
            className={styles.toggle}
            aria-label={collapsed ? `Expand ${span.name}` : `Collapse ${span.name}`}
            data-testid="span-toggle"
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(node.index);
            }}
          >
            <span className={collapsed ? styles.chevronRight : styles.chevronDown} aria-hidden="true" />
          </button>
        ) : (
          <span className={styles.toggleSpacer} />
        )}
        <span className={styles.swatch} aria-hidden="true" />
        <span className={styles.service}>
          <Highlight text={span.service} query={query} />
        </span>
        <span className={isError ? `${styles.name} ${styles.errorName}` : styles.name} title={span.name}>
          <Highlight text={span.name} query={query} />
        </span>
        {collapsed ? <span className={styles.hidden}>+{node.subtreeSize}</span> : null}
        {folded > 0 ? (
          <span className={styles.folded} title={`${folded} gateway-internal span${folded === 1 ? '' : 's'} folded into this one`} data-testid="folded-count">
            +{folded} internal
          </span>
        ) : null}
        {node.parentMissing ? (
          <span className={styles.orphan} title={`Parent span ${span.parentSpanId ?? ''} is not in this trace (arrived late or dropped)`}>
            parent missing
          </span>
        ) : null}
        {isError ? (
          <span className={styles.errorIcon} title={message ?? 'error'} aria-label="error">
            !
          </span>
        ) : null}
      </td>
      <td className={styles.timeCell} role="gridcell">
        <div className={styles.track}>
          <span
            className={isError ? `${styles.bar} ${styles.errorBar}` : styles.bar}
            style={{ left: `${start}%`, width: `max(${width}%, 2px)` }}
            data-testid="span-bar"
          />
          {segments
            ? segments.map((seg, i) => (
                <span
                  key={i}
                  className={styles.critical}
                  style={{ left: `${(seg.start / duration) * 100}%`, width: `max(${((seg.end - seg.start) / duration) * 100}%, 2px)` }}
                />
              ))
            : null}
          <span
            className={`${styles.label} ${labelPlace === 'before' ? styles.labelBefore : labelPlace === 'inside' ? styles.labelInside : ''}`}
            style={labelStyle}
          >
            {label}
            {message ? <span className={styles.labelError}> {message}</span> : null}
          </span>
        </div>
      </td>
    </tr>
  );
});

/** `text` with the (case-insensitive) occurrences of `query` marked. */
function Highlight({ text, query }: { text: string; query: string }) {
  const q = query.trim().toLowerCase();
  if (q === '') return <>{text}</>;
  const lower = text.toLowerCase();
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0 && parts.length < 20; i = lower.indexOf(q, i + q.length)) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push(<mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  if (parts.length === 0) return <>{text}</>;
  parts.push(text.slice(at));
  return <>{parts}</>;
}
