'use client';
/** The where box's listbox: recent filters or completions, the highlighted one marked, and a note when there is one. */
import type { RefObject } from 'react';
import styles from './filter-bar.module.css';
import type { Suggestion } from './suggestions';
import type { WhereBoxList } from './use-where-box';

export type WhereSuggestionListProps = {
  list: WhereBoxList;
  listRef: RefObject<HTMLUListElement | null>;
  listId: string;
  optionId: (index: number) => string;
  onHighlight: (index: number) => void;
  onAccept: (item: Suggestion) => void;
};

export function WhereSuggestionList({ list, listRef, listId, optionId, onHighlight, onAccept }: WhereSuggestionListProps) {
  const { showHistory, items, activeIndex, note } = list;
  return (
    <ul
      ref={listRef}
      id={listId}
      role="listbox"
      aria-label={showHistory ? 'Recent filters' : 'Suggestions'}
      className={styles.suggestions}
      data-testid="where-suggestions"
    >
      {showHistory ? (
        <li role="presentation" className={styles.listHeader}>
          Recent filters
        </li>
      ) : null}
      {items.map((item, i) => (
        <li
          key={item.id}
          id={optionId(i)}
          role="option"
          aria-selected={i === activeIndex}
          className={`${styles.option} ${i === activeIndex ? styles.optionActive : ''}`}
          data-kind={item.kind}
          // Keep the focus in the input: a click must not blur it (which would apply the text).
          onMouseDown={(e) => e.preventDefault()}
          onMouseMove={() => onHighlight(i)}
          onClick={() => onAccept(item)}
        >
          <span className={styles.optionLabel}>{item.label}</span>
          {item.detail ? <span className={styles.optionDetail}>{item.detail}</span> : null}
        </li>
      ))}
      {note ? (
        <li role="presentation" className={styles.listNote}>
          {note}
        </li>
      ) : null}
    </ul>
  );
}
