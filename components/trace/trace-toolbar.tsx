'use client';
/** The trace page's toolbar: search within the trace, critical path, expand/collapse all, copy link, download. */
import type { RefObject } from 'react';
import { matchCountLabel } from '@/lib/trace/view-state';
import { CopyButton } from './copy-button';
import controls from '@/components/ui/controls.module.css';
import styles from './trace-view.module.css';

const button = `${controls.button} ${styles.button}`;

export type TraceToolbarProps = {
  traceId: string;
  searchRef: RefObject<HTMLInputElement | null>;
  query: string;
  /** Node indices of the search matches; null while not searching. */
  matches: number[] | null;
  /** Position of the selected span among the matches, or -1. */
  matchPosition: number;
  onlyMatches: boolean;
  criticalShown: boolean;
  onQuery(text: string): void;
  onOnlyMatches(only: boolean): void;
  onGotoMatch(direction: 1 | -1): void;
  onToggleCritical(): void;
  onExpandAll(): void;
  onCollapseAll(): void;
  /** Gateway-internal spans in the trace (what "Fold internal" folds), and whether they are folded. */
  internalCount: number;
  internalFolded: boolean;
  onToggleInternal(): void;
};

export function TraceToolbar(props: TraceToolbarProps) {
  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Trace view">
      <SearchBox {...props} />
      <div className={styles.actions}>
        <button
          type="button"
          className={button}
          aria-pressed={props.criticalShown}
          onClick={props.onToggleCritical}
          data-testid="toggle-critical-path"
          title="Highlight the spans that determine when the trace ends"
        >
          Critical path
        </button>
        <button
          type="button"
          className={button}
          aria-pressed={props.internalFolded}
          onClick={props.onToggleInternal}
          disabled={props.internalCount === 0 && !props.internalFolded}
          data-testid="toggle-fold-internal"
          title={
            props.internalCount === 0
              ? 'No gateway-internal spans in this trace (TRACEDECK_INTERNAL_SPANS says which are)'
              : `Fold the ${props.internalCount} gateway-internal span${props.internalCount === 1 ? '' : 's'} (Plano's routing, orchestration, hand-off) into their parents`
          }
        >
          Fold internal{props.internalCount > 0 ? ` (${props.internalCount})` : ''}
        </button>
        <span className={styles.group}>
          <button type="button" className={button} onClick={props.onExpandAll} data-testid="expand-all">
            Expand all
          </button>
          <button type="button" className={button} onClick={props.onCollapseAll} data-testid="collapse-all">
            Collapse all
          </button>
        </span>
        <CopyButton getText={() => window.location.href} label="Copy a link to this view" testId="copy-link">
          Copy link
        </CopyButton>
        <a
          className={button}
          href={`/api/traces/${props.traceId}/otlp`}
          download={`trace-${props.traceId}.json`}
          data-testid="download-otlp"
          title="Download the trace as OTLP/JSON (ExportTraceServiceRequest)"
        >
          Download OTLP JSON
        </a>
      </div>
    </div>
  );
}

function SearchBox({ searchRef, query, matches, matchPosition, onlyMatches, onQuery, onOnlyMatches, onGotoMatch }: TraceToolbarProps) {
  return (
    <div className={styles.search}>
      <input
        ref={searchRef}
        type="search"
        className={styles.searchInput}
        placeholder="Search spans: name, service, attribute value  ( / )"
        aria-label="Search spans in this trace"
        value={query}
        data-testid="trace-search"
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onGotoMatch(e.shiftKey ? -1 : 1);
          }
        }}
      />
      <span className={styles.matchCount} data-testid="search-count" aria-live="polite">
        {matchCountLabel(matches, matchPosition)}
      </span>
      <button
        type="button"
        className={styles.iconButton}
        onClick={() => onGotoMatch(-1)}
        disabled={!matches?.length}
        aria-label="Previous match (Shift+Enter)"
        title="Previous match (Shift+Enter)"
      >
        ↑
      </button>
      <button
        type="button"
        className={styles.iconButton}
        onClick={() => onGotoMatch(1)}
        disabled={!matches?.length}
        aria-label="Next match (Enter)"
        title="Next match (Enter)"
      >
        ↓
      </button>
      <label className={styles.check}>
        <input type="checkbox" checked={onlyMatches} onChange={(e) => onOnlyMatches(e.target.checked)} data-testid="only-matches" />
        Only matches
      </label>
    </div>
  );
}
