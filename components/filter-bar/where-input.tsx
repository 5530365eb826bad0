'use client';
/**
 * The where input with its underline: a transparent single-line input over a
 * mirror div that repeats the text and draws a wavy line under exactly the
 * characters a problem names (the mirror scrolls with the input).
 */
import type { ChangeEvent, KeyboardEvent, RefObject, SyntheticEvent } from 'react';
import { type WhereProblem, underlineParts } from './derive';
import styles from './filter-bar.module.css';

export type WhereInputHandlers = {
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  onSelect: (e: SyntheticEvent<HTMLInputElement>) => void;
  onScroll: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => void;
  onFocus: (e: SyntheticEvent<HTMLInputElement>) => void;
  onBlur: () => void;
};

export type WhereInputProps = {
  text: string;
  placeholder: string;
  problem: WhereProblem | null;
  inputRef: RefObject<HTMLInputElement | null>;
  mirrorRef: RefObject<HTMLDivElement | null>;
  /** Combobox wiring: the list's id while options show, the highlighted option's id, the message's id. */
  listId: string | undefined;
  activeOptionId: string | undefined;
  expanded: boolean;
  messageId: string;
  handlers: WhereInputHandlers;
};

export function WhereInput({ text, placeholder, problem, inputRef, mirrorRef, listId, activeOptionId, expanded, messageId, handlers }: WhereInputProps) {
  const parts = underlineParts(text, problem);
  return (
    <div className={styles.whereField}>
      <div ref={mirrorRef} className={styles.mirror} aria-hidden="true">
        {parts ? (
          <>
            {parts.before}
            <span className={styles.squiggle} data-testid="where-underline">
              {parts.marked}
            </span>
            {parts.after}
          </>
        ) : (
          text
        )}
        {'  '}
      </div>
      <input
        ref={inputRef}
        className={styles.whereInput}
        type="text"
        value={text}
        placeholder={placeholder}
        role="combobox"
        aria-label="Filter traces (where)"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={activeOptionId}
        aria-invalid={problem ? true : undefined}
        aria-describedby={messageId}
        data-testid="where-input"
        spellCheck={false}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        {...handlers}
      />
    </div>
  );
}
