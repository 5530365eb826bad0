'use client';
/**
 * Row virtualization for a scroll container of fixed-height rows: only the rows
 * in view, plus `overscan` on each side, are rendered. The range is state, so
 * scrolling re-renders only when a row enters or leaves the window.
 */
import { type RefObject, useCallback, useLayoutEffect, useState } from 'react';

/** Before the first measurement (server render, first paint): assume a viewport this tall. */
const INITIAL_VIEWPORT_PX = 960;

export type VirtualRows = {
  first: number;
  /** Exclusive. */
  last: number;
  totalHeight: number;
  rowHeight: number;
  /** Scrolls so that row `index` is in view: minimal movement, or centred when `center`. */
  scrollToRow(index: number, center?: boolean): void;
};

export function useVirtualRows({
  scrollRef,
  count,
  rowHeight,
  overscan = 12,
  topOffset = 0,
}: {
  scrollRef: RefObject<HTMLElement | null>;
  count: number;
  rowHeight: number;
  overscan?: number;
  /** Height of content above the first row inside the scroller (a sticky header). */
  topOffset?: number;
}): VirtualRows {
  const [view, setView] = useState({ top: 0, height: INITIAL_VIEWPORT_PX });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const top = el.scrollTop;
      const height = el.clientHeight;
      // Keep the same object (no re-render) while the visible row range does not change.
      setView((prev) => {
        const same =
          Math.floor(prev.top / rowHeight) === Math.floor(top / rowHeight) &&
          Math.ceil((prev.top + prev.height) / rowHeight) === Math.ceil((top + height) / rowHeight);
        return same && prev.height === height ? prev : { top, height };
      });
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(measure);
    };
    measure();
    el.addEventListener('scroll', schedule, { passive: true });
    const observer = new ResizeObserver(schedule);
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', schedule);
      observer.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [scrollRef, rowHeight]);

  const rowsTop = Math.max(0, view.top - topOffset);
  const first = Math.max(0, Math.floor(rowsTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((rowsTop + view.height) / rowHeight) + overscan);

  const scrollToRow = useCallback(
    (index: number, center = false) => {
      const el = scrollRef.current;
      if (!el || index < 0) return;
      const rowTop = topOffset + index * rowHeight;
      const visibleTop = el.scrollTop + topOffset; // rows under the sticky header are hidden
      const visibleBottom = el.scrollTop + el.clientHeight;
      if (center) el.scrollTop = Math.max(0, rowTop - (el.clientHeight - topOffset) / 2);
      else if (rowTop < visibleTop) el.scrollTop = rowTop - topOffset;
      else if (rowTop + rowHeight > visibleBottom) el.scrollTop = rowTop + rowHeight - el.clientHeight;
    },
    [scrollRef, rowHeight, topOffset],
  );

  return { first, last, totalHeight: count * rowHeight, rowHeight, scrollToRow };
}
