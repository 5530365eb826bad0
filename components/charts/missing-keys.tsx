/** "No request carries a recognised … key": said instead of charting nothing as zeros. */
import type { ReactNode } from 'react';
import type { MissingKeysSpec } from '@/lib/metrics/registry';
import type { PanelContext } from './panel-context';

function keyList(keys: readonly string[]) {
  return keys.map((k, i) => (
    <span key={k}>
      {i > 0 ? ', ' : ''}
      <code>{k}</code>
    </span>
  ));
}

export function MissingKeys({ what, keys, field, candidates }: { what: string; keys: readonly string[]; field: string; candidates: string[] }) {
  return (
    <span>
      No request in range carries a recognised {what} key ({keyList(keys)}), so there is nothing to chart — not zero. Map yours with{' '}
      <code>TRACEDECK_ATTRIBUTE_MAP={field}=&lt;key&gt;</code>
      {candidates.length > 0 ? <> (seen: {keyList(candidates)})</> : null}.
    </span>
  );
}

/** A panel's notice: nothing matched, or none of the matching requests carries the metric's keys; null to chart. */
export function panelNotice(ctx: PanelContext, missing: MissingKeysSpec | undefined): ReactNode {
  if (ctx.emptyNotice) return ctx.emptyNotice;
  const { coverage, totals } = ctx.main;
  if (!missing || coverage[missing.coverage] !== 0) return null;
  if (missing.coverage === 'withCost') {
    // No reported cost, but tokens priced at query time: there is a cost to chart.
    if (totals.computedCostUsd != null) return null;
    // Tokens whose model has no price: say which, rather than suggest a missing cost key.
    if ((totals.unpricedRequests ?? 0) > 0 && ctx.main.cost?.note)
      return <span data-testid="unpriced-cost-notice">{ctx.main.cost.note}: nothing to chart (not $0). Add the model to TRACEDECK_PRICES.</span>;
  }
  return (
    <MissingKeys
      what={missing.what}
      keys={ctx.mapping[missing.keys]}
      field={missing.mapTo}
      candidates={missing.candidates ? coverage.unmappedCandidates : []}
    />
  );
}
