'use client';
/**
 * Tenant dropdown. Its selection is derived from the where text: the
 * top-level conjunct `<tenantKey> = value` (lib/where/edit.ts). Choosing a
 * tenant sets, replaces or removes that conjunct and hands back the new text.
 * While the text does not parse the dropdown is disabled (the tooltip says why).
 */
import { useMemo } from 'react';
import { setTopLevelEqualsText } from '@/lib/where/edit';
import type { RangeQuery } from './data';
import { tenantSelection } from './derive';
import { useAttributeValues } from './hooks';
import styles from './filter-bar.module.css';

export type TenantSelectProps = {
  tenantKey: string;
  /** The where text the selection is read from and written into (the draft). */
  whereText: string;
  range: RangeQuery;
  /** Called with the new where text. */
  onSelect: (whereText: string) => void;
};

const ALL = '';
const MIXED = 'mixed:';
const INVALID = 'invalid:';
const tenantOption = (tenant: string) => `t:${tenant}`;

export function TenantSelect({ tenantKey, whereText, range, onSelect }: TenantSelectProps) {
  const selection = useMemo(() => tenantSelection(whereText, tenantKey), [whereText, tenantKey]);
  const { values, loading, error } = useAttributeValues(tenantKey, range, { limit: 200, debounceMs: 0, keepPrevious: true });

  const tenants = values ?? [];
  const selectedValue =
    selection.kind === 'invalid' ? INVALID : selection.kind === 'mixed' ? MIXED : selection.kind === 'tenant' ? tenantOption(selection.tenant) : ALL;
  const selectedMissing = selection.kind === 'tenant' && !tenants.some((t) => t.value === selection.tenant);

  let title = `Tenant (${tenantKey}) — traces in the time range`;
  if (selection.kind === 'invalid') title = selection.reason;
  else if (selection.kind === 'mixed') title = `The filter uses ${tenantKey} in a condition; choosing a tenant adds ${tenantKey}=… to it`;
  else if (error) title = `Could not load tenants: ${error}`;

  return (
    <select
      className={styles.select}
      aria-label="Tenant"
      title={title}
      data-testid="tenant-select"
      value={selectedValue}
      disabled={selection.kind === 'invalid'}
      aria-busy={loading || undefined}
      onChange={(e) => {
        const v = e.target.value;
        if (v === MIXED || v === INVALID) return;
        const result = setTopLevelEqualsText(whereText, tenantKey, v === ALL ? null : v.slice(2));
        if (result.ok) onSelect(result.text);
      }}
    >
      {selection.kind === 'invalid' ? (
        <option value={INVALID} disabled>
          Tenant: fix the filter
        </option>
      ) : null}
      {selection.kind === 'mixed' ? (
        <option value={MIXED} disabled>
          Tenant: see filter
        </option>
      ) : null}
      <option value={ALL}>All tenants</option>
      {selectedMissing ? <option value={tenantOption(selection.tenant)}>{selection.tenant}</option> : null}
      {tenants.map((t) => (
        <option key={t.value} value={tenantOption(t.value)}>
          {t.value} ({t.count.toLocaleString('en-US')})
        </option>
      ))}
      {loading && tenants.length === 0 ? (
        <option value="loading:" disabled>
          Loading tenants…
        </option>
      ) : null}
      {error && tenants.length === 0 ? (
        <option value="error:" disabled>
          Could not load tenants
        </option>
      ) : null}
    </select>
  );
}
