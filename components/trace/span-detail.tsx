'use client';
/** The panel of the selected span: facts, ids, its chat messages, attributes (click a value to filter the list), events, links. */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { CSSProperties, MouseEvent } from 'react';
import type { StoredSpan } from '@/lib/trace/wire';
import type { AttributeMap, OtlpAnyValue } from '@/lib/otlp/span-record';
import { type ListContext, attributeFilterHref } from '@/lib/trace/filter-link';
import { errorMessage, formatEpochNs, kindLabel, statusLabel } from '@/lib/trace/format';
import { formatNs } from '@/lib/trace/time-axis';
import type { TreeNode } from '@/lib/trace/tree';
import { AnyValueView, typeTag } from './any-value';
import { CopyButton } from './copy-button';
import { SpanMessagesSection } from './span-messages';
import styles from './span-detail.module.css';

export type SpanDetailProps = {
  node: TreeNode<StoredSpan>;
  traceStartNs: bigint;
  selfNs: number;
  slot: number;
  onCritical: boolean | null;
  list: ListContext;
  parentName: string | null;
  onClose(): void;
  onSelectSpan(spanId: string): void;
};

export function SpanDetail({ node, traceStartNs, selfNs, slot, onCritical, list, parentName, onClose, onSelectSpan }: SpanDetailProps) {
  const { span } = node;
  const isError = span.status.code === 2;
  const message = errorMessage(span);
  const offset = (ns: string) => Number(BigInt(ns) - traceStartNs);
  const spanStart = BigInt(span.startTimeUnixNano);

  return (
    <aside className={styles.panel} aria-label="Span details" data-testid="span-detail" style={{ '--svc': `var(--svc-${slot})` } as CSSProperties}>
      <header className={styles.head}>
        <div className={styles.titleRow}>
          <span className={styles.swatch} aria-hidden="true" />
          <h2 className={styles.title} data-testid="span-detail-name">
            {span.name}
          </h2>
          <button
            type="button"
            className={styles.close}
            onClick={onClose}
            aria-label="Close span details (Esc)"
            title="Close (Esc)"
            data-testid="span-detail-close"
          >
            ×
          </button>
        </div>
        <div className={styles.subtitle}>
          <span>{span.service}</span>
          <span className={styles.dot}>·</span>
          <span>{kindLabel(span.kind)}</span>
          <span className={styles.dot}>·</span>
          <span className={styles.status} data-status={statusLabel(span.status.code)}>
            {statusLabel(span.status.code)}
          </span>
          {onCritical ? <span className={styles.criticalTag}>critical path</span> : null}
        </div>
        {message ? (
          <p className={isError ? styles.errorBox : styles.messageBox} data-testid="span-detail-error">
            {message}
          </p>
        ) : null}
      </header>

      <div className={styles.body}>
        <dl className={styles.facts}>
          <Fact label="Duration">{formatNs(node.end - node.start)}</Fact>
          <Fact label="Self time">{formatNs(selfNs)}</Fact>
          <Fact label="Start offset">+{formatNs(node.start)}</Fact>
          <Fact label="Start (UTC)">
            <span className={styles.mono}>{formatEpochNs(span.startTimeUnixNano)}</span>
          </Fact>
          <Fact label="Span ID">
            <span className={styles.mono}>{span.spanId}</span> <CopyButton text={span.spanId} label="Copy span id" />
          </Fact>
          <Fact label="Parent ID">
            {span.parentSpanId ? (
              <>
                {parentName !== null ? (
                  <button
                    type="button"
                    className={styles.linkButton}
                    onClick={() => onSelectSpan(span.parentSpanId as string)}
                    title={`Select parent: ${parentName}`}
                  >
                    {span.parentSpanId}
                  </button>
                ) : (
                  <span className={styles.mono}>{span.parentSpanId}</span>
                )}{' '}
                <CopyButton text={span.parentSpanId} label="Copy parent span id" />
                {parentName === null ? <span className={styles.orphan}>missing from this trace</span> : null}
              </>
            ) : (
              <span className={styles.muted}>none (root span)</span>
            )}
          </Fact>
          <Fact label="Trace ID">
            <span className={styles.mono}>{span.traceId}</span> <CopyButton text={span.traceId} label="Copy trace id" />
          </Fact>
          {span.tenantId ? <Fact label="Tenant">{span.tenantId}</Fact> : null}
          {span.scope.name ? (
            <Fact label="Scope">
              {span.scope.name}
              {span.scope.version ? <span className={styles.muted}> {span.scope.version}</span> : null}
            </Fact>
          ) : null}
          {span.traceState ? (
            <Fact label="Trace state">
              <span className={styles.mono}>{span.traceState}</span>
            </Fact>
          ) : null}
        </dl>

        <SpanMessagesSection span={span} />
        <Attributes title="Attributes" map={span.attributes} list={list} testId="span-attributes" />
        <Attributes title="Resource attributes" map={span.resourceAttributes} list={list} testId="resource-attributes" />

        {span.events.length > 0 ? (
          <section className={styles.section}>
            <h3 className={styles.sectionTitle}>
              Events <span className={styles.count}>{span.events.length}</span>
            </h3>
            <ol className={styles.events}>
              {span.events.map((ev, i) => (
                <li key={i} className={styles.event}>
                  <div className={styles.eventHead}>
                    <span className={styles.eventOffset} title={formatEpochNs(ev.timeUnixNano)}>
                      +{formatNs(offset(ev.timeUnixNano))}
                    </span>
                    <span className={ev.name === 'exception' ? `${styles.eventName} ${styles.errorText}` : styles.eventName}>{ev.name}</span>
                    <span className={styles.muted}>{formatNs(Number(BigInt(ev.timeUnixNano) - spanStart))} into the span</span>
                  </div>
                  {Object.keys(ev.attributes).length > 0 ? <AttributeTable map={ev.attributes} list={list} /> : null}
                </li>
              ))}
            </ol>
          </section>
        ) : null}

        {span.links.length > 0 ? (
          <section className={styles.section}>
            <h3 className={styles.sectionTitle}>
              Links <span className={styles.count}>{span.links.length}</span>
            </h3>
            <ul className={styles.links}>
              {span.links.map((l, i) => (
                <li key={i}>
                  {l.traceId === span.traceId ? (
                    <button type="button" className={styles.linkButton} onClick={() => onSelectSpan(l.spanId)}>
                      span {l.spanId} (this trace)
                    </button>
                  ) : (
                    <Link href={`/traces/${l.traceId}?span=${l.spanId}`} className={styles.mono} prefetch={false}>
                      {l.traceId} / {l.spanId}
                    </Link>
                  )}
                  {Object.keys(l.attributes).length > 0 ? <AttributeTable map={l.attributes} list={list} /> : null}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </aside>
  );
}

/** A dotted key that wraps after its separators (`llm.usage.` / `total_tokens`) rather than mid-word. */
function BreakableKey({ text }: { text: string }) {
  const parts = text.split(/(?<=[._/-])/);
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 ? <wbr /> : null}
        </span>
      ))}
    </>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className={styles.fact}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Attributes({ title, map, list, testId }: { title: string; map: AttributeMap; list: ListContext; testId: string }) {
  const n = Object.keys(map).length;
  return (
    <section className={styles.section} data-testid={testId}>
      <h3 className={styles.sectionTitle}>
        {title} <span className={styles.count}>{n}</span>
      </h3>
      {n === 0 ? <p className={styles.muted}>none</p> : <AttributeTable map={map} list={list} />}
    </section>
  );
}

function AttributeTable({ map, list }: { map: AttributeMap; list: ListContext }) {
  const entries = Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <table className={styles.attrs}>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key} data-attribute-key={key}>
            <th scope="row" title={key}>
              <BreakableKey text={key} />
              {typeTag(value) ? <span className={styles.typeTag}>{typeTag(value)}</span> : null}
            </th>
            <td>
              <FilterValue attrKey={key} value={value} list={list} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A value that links to the trace list filtered by key=value (shift-click: key!=value), when the grammar can express it. */
function FilterValue({ attrKey, value, list }: { attrKey: string; value: OtlpAnyValue; list: ListContext }) {
  const router = useRouter();
  const href = attributeFilterHref(list, attrKey, value);
  if (href === null) return <AnyValueView value={value} />;
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!e.shiftKey) return;
    // Shift-click would open a new window: use it for the negated filter instead.
    e.preventDefault();
    const negated = attributeFilterHref(list, attrKey, value, true);
    if (negated) router.push(negated);
  };
  return (
    <Link
      href={href}
      prefetch={false}
      className={styles.valueLink}
      onClick={onClick}
      title={`Show traces with ${attrKey} = this value (shift-click: ≠)`}
      data-testid="attribute-value"
    >
      <AnyValueView value={value} />
    </Link>
  );
}
