'use client';
/**
 * The /explore query box: the filter bar's where box in query mode (the same
 * autocomplete, plus `spans`, `by(` and the aggregate names after `|`), with its own
 * history of queries. Applies only a query that parses and validates.
 */
import { useEffect, useRef, useState } from 'react';
import type { WhereProblem } from '@/components/filter-bar/derive';
import { QUERY_HISTORY_STORAGE_KEY, loadHistory, rememberFilter } from '@/components/filter-bar/history';
import { useAttributeKeys, useSlashFocus } from '@/components/filter-bar/hooks';
import { WhereBox } from '@/components/filter-bar/where-box';
import type { RangeQuery } from '@/components/filter-bar/data';

export function QueryBox({
  value,
  onApply,
  range,
  serverError,
}: {
  value: string;
  onApply: (q: string) => void;
  range: RangeQuery;
  serverError: WhereProblem | null;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  useSlashFocus(inputRef, true);
  const { keys } = useAttributeKeys();
  const [draft, setDraft] = useState(value);
  const [synced, setSynced] = useState(value);
  if (value !== synced) {
    setSynced(value);
    setDraft(value);
  }
  const [history, setHistory] = useState<string[]>([]);
  // eslint-disable-next-line react-hooks/set-state-in-effect -- localStorage exists only after mount
  useEffect(() => setHistory(loadHistory(undefined, QUERY_HISTORY_STORAGE_KEY)), []);

  const apply = (typed: string) => {
    const text = typed.trim();
    if (text !== '') setHistory(rememberFilter(text, undefined, QUERY_HISTORY_STORAGE_KEY));
    setDraft(text);
    onApply(text);
  };

  return (
    <WhereBox
      mode="query"
      text={draft}
      appliedText={value}
      onTextChange={setDraft}
      onApply={apply}
      keys={keys}
      range={range}
      history={history}
      serverError={serverError}
      inputRef={inputRef}
      placeholder="Query, e.g. http.status_code>=500 | by(llm.model) count(), p95(duration)"
    />
  );
}
