'use client';
/**
 * The `where` box: a single-line monospace input with autocomplete, live
 * validation (wavy underline under exactly the characters a diagnostic names —
 * a syntax, type or enum problem, found before anything is sent) and recent
 * filters. The parts: useWhereBox (state and keyboard), WhereInput (the input
 * and its underline), WhereSuggestionList, WhereMessage, HistoryButton.
 *
 * Controlled: the draft text lives in the parent (the tenant dropdown reads
 * it too). The text is applied (onApply) on Enter with no suggestion
 * highlighted, on blur when it changed, or when a history entry is picked —
 * and only when it has no problem.
 */
import type { WhereProblem } from './derive';
import styles from './filter-bar.module.css';
import { HistoryButton } from './history-button';
import { type WhereBoxInput, useWhereBox } from './use-where-box';
import { WhereInput } from './where-input';
import { WhereMessage } from './where-message';
import { WhereSuggestionList } from './where-suggestion-list';

export type { WhereProblem };

/** useWhereBox's input (documented there), with the server's error optional, and the placeholder. */
export type WhereBoxProps = Omit<WhereBoxInput, 'serverError'> & {
  serverError?: WhereProblem | null;
  placeholder?: string;
};

export function WhereBox({ serverError = null, placeholder = 'Filter, e.g. tenant.id=acme-corp AND http.status_code>=500', ...props }: WhereBoxProps) {
  const box = useWhereBox({ ...props, serverError });
  const { list, ids, problem } = box;
  return (
    <div className={styles.where}>
      <div className={`${styles.whereBox} ${problem ? styles.whereBoxInvalid : ''}`}>
        <WhereInput
          text={props.text}
          placeholder={placeholder}
          problem={problem}
          inputRef={props.inputRef}
          mirrorRef={box.mirrorRef}
          listId={list.optionsVisible ? ids.list : undefined}
          activeOptionId={list.optionsVisible && list.activeIndex >= 0 ? ids.option(list.activeIndex) : undefined}
          expanded={list.optionsVisible}
          messageId={ids.message}
          handlers={box.input}
        />
        <HistoryButton hasHistory={props.history.length > 0} pressed={box.historyOpen} onToggle={box.toggleHistory} />
      </div>
      {list.visible ? (
        <WhereSuggestionList list={list} listRef={box.listRef} listId={ids.list} optionId={ids.option} onHighlight={box.highlight} onAccept={box.accept} />
      ) : null}
      <WhereMessage id={ids.message} problem={problem} fallback={box.fallback} dirty={box.dirty} focused={box.focused} />
    </div>
  );
}
