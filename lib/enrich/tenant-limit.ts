/**
 * The tenant id leads every primary key and B-tree index (spans, traces), and a
 * B-tree entry must stay under ~2.7 kB: a longer tenant id would fail the whole
 * batch's insert, and the exporter would retry it forever (503). So a span whose
 * tenant id is longer than MAX_TENANT_ID_LENGTH is rejected on its own, named in
 * partial_success like a span with a bad id. Runs after the attribute rules and
 * tenant forcing, on the value the tenant column will actually get.
 */
import type { RejectedSpan, SpanRecord } from '../otlp/span-record';
import { tenantOf } from './promoted-columns';

/** UTF-16 code units: at most 768 bytes of UTF-8, far below the B-tree limit. */
export const MAX_TENANT_ID_LENGTH = 256;

/**
 * The spans that can be stored; the others are added to `rejected` (kept sorted by
 * request index). `spans` are the accepted spans of the request in request order,
 * `rejected` the request's rejections so far: together they give each span its index.
 */
export function rejectOverlongTenants(spans: SpanRecord[], rejected: RejectedSpan[], tenantAttribute: string): SpanRecord[] {
  let kept: SpanRecord[] | null = null;
  const taken = rejected.map((r) => r.index).sort((a, b) => a - b);
  let j = 0;
  let index = 0;
  for (let i = 0; i < spans.length; i++, index++) {
    while (j < taken.length && taken[j] <= index) {
      if (taken[j] === index) index++;
      j++;
    }
    const tenant = tenantOf(spans[i].attributes, spans[i].resourceAttributes, tenantAttribute);
    if (tenant === null || tenant.length <= MAX_TENANT_ID_LENGTH) {
      kept?.push(spans[i]);
      continue;
    }
    kept ??= spans.slice(0, i);
    rejected.push({ index, reason: `${tenantAttribute} is ${tenant.length} characters long; the limit is ${MAX_TENANT_ID_LENGTH}` });
  }
  if (kept === null) return spans;
  rejected.sort((a, b) => a.index - b.index);
  return kept;
}
