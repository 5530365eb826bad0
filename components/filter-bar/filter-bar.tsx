'use client';
/**
 * The filter bar: where box, tenant dropdown, time range and duration bounds.
 * Controlled: `value` is the applied FilterState, `onChange` gets the next one
 * (the page keeps it in the URL). The where text being typed is local until
 * applied (Enter, blur with a change, a history pick, a tenant choice).
 */
import { type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { type FilterState, rangeParams } from '@/lib/filter-state';
import { DurationInputs } from './duration-inputs';
import { loadHistory, rememberFilter } from './history';
import { useAttributeKeys, useSlashFocus } from './hooks';
import styles from './filter-bar.module.css';
import { TenantSelect } from './tenant-select';
import { TimeRangePicker } from './time-range-picker';
import { WhereBox, type WhereProblem } from './where-box';

export type FilterBarProps = {
  /** The applied filter. */
  value: FilterState;
  /** Called with the whole next state whenever something is applied. */
  onChange: (next: FilterState) => void;
  /** Attribute naming the tenant (TRACEDECK_TENANT_KEY). Default `tenant.id`. */
  tenantKey?: string;
  /** Show the tenant dropdown (default true). */
  showTenant?: boolean;
  /**
   * An error the server reported for `value.where` (e.g. the API's 400
   * `{error, column}`): underlined like a parse error while the text is unchanged.
   */
  whereError?: WhereProblem | null;
  /** Let `/` anywhere on the page focus the where box (default true). */
  slashToFocus?: boolean;
  placeholder?: string;
  className?: string;
  /** Shown instead of the time range picker (the live view's window buttons). */
  rangeControl?: ReactNode;
};

export function FilterBar({
  value,
  onChange,
  tenantKey = 'tenant.id',
  showTenant = true,
  whereError = null,
  slashToFocus = true,
  placeholder,
  className,
  rangeControl,
}: FilterBarProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  useSlashFocus(inputRef, slashToFocus);
  const { keys } = useAttributeKeys();

  // Draft where text: follows value.where whenever that changes (apply, URL, back button).
  const [draft, setDraft] = useState(value.where);
  const [syncedWhere, setSyncedWhere] = useState(value.where);
  if (value.where !== syncedWhere) {
    setSyncedWhere(value.where);
    setDraft(value.where);
  }

  // History is read after mount (localStorage does not exist on the server,
  // and the first client render must match the server's HTML).
  const [history, setHistory] = useState<string[]>([]);
  // eslint-disable-next-line react-hooks/set-state-in-effect -- localStorage exists only after mount (see above)
  useEffect(() => setHistory(loadHistory()), []);

  // Several changes can be applied before the parent re-renders (blur, then a
  // tenant pick): merge each into the latest state, not into a stale prop.
  const latest = useRef(value);
  useLayoutEffect(() => {
    latest.current = value;
  }, [value]);
  const emit = (patch: Partial<FilterState>) => {
    const next = { ...latest.current, ...patch };
    latest.current = next;
    onChange(next);
  };

  // Surrounding whitespace is dropped (an accepted suggestion leaves a trailing space).
  const applyWhere = (typed: string) => {
    const text = typed.trim();
    if (text !== '') setHistory(rememberFilter(text));
    setDraft(text);
    emit({ where: text });
  };

  const { since, from, to } = value;
  const range = useMemo(() => rangeParams({ since, from, to }), [since, from, to]);

  return (
    <div className={`${styles.bar} ${className ?? ''}`} role="search" aria-label="Trace filters" data-testid="filter-bar">
      <WhereBox
        text={draft}
        appliedText={value.where}
        onTextChange={setDraft}
        onApply={applyWhere}
        keys={keys}
        range={range}
        history={history}
        serverError={whereError}
        inputRef={inputRef}
        placeholder={placeholder}
      />
      <div className={styles.controls}>
        {showTenant ? <TenantSelect tenantKey={tenantKey} whereText={draft} range={range} onSelect={applyWhere} /> : null}
        {rangeControl ?? <TimeRangePicker since={value.since} from={value.from} to={value.to} onChange={(r) => emit(r)} />}
        <DurationInputs minDuration={value.minDuration} maxDuration={value.maxDuration} onChange={(d) => emit(d)} />
      </div>
    </div>
  );
}
