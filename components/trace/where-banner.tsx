'use client';
/** The list's `where` filter carried to the trace page: how many spans it highlights, or why it could not be applied. */
import { useRouter } from 'next/navigation';
import { traceListHref, type ListContext } from '@/lib/trace/filter-link';
import type { WhereProblem } from '@/lib/trace/span-filter';
import styles from './where-banner.module.css';

export function WhereBanner({
  wheres,
  canonical,
  matched,
  error,
  list,
}: {
  wheres: string[];
  canonical: string | null;
  matched: number | null;
  error: WhereProblem | null;
  list: ListContext;
}) {
  const router = useRouter();
  if (error) {
    const caret = ' '.repeat(Math.max(0, error.column - 1)) + '^'.repeat(Math.max(1, Math.min(error.length, 80)));
    return (
      <div className={`${styles.banner} ${styles.error}`} role="alert" data-testid="where-error">
        <div>
          <strong>Filter not applied:</strong> {error.message}
          {wheres.length > 1 ? ` (in where #${error.filterIndex + 1})` : ''}. The trace is shown without highlighting.
        </div>
        <pre className={styles.caret}>
          {error.where}
          {'\n'}
          {caret}
        </pre>
      </div>
    );
  }
  if (matched === null || canonical === null) return null;
  const clearHref = () => {
    const url = new URL(window.location.href);
    url.searchParams.delete('where');
    return url.pathname + url.search;
  };
  return (
    <div className={styles.banner} data-testid="where-banner">
      <span className={styles.marker} aria-hidden="true" />
      <span>
        <strong data-testid="where-match-count">{matched}</strong> {matched === 1 ? 'span matches' : 'spans match'}{' '}
        <code className={styles.code}>{canonical}</code>
      </span>
      <span className={styles.links}>
        <a href={traceListHref(list)}>Traces with this filter</a>
        <a
          href="#"
          onClick={(e) => {
            e.preventDefault();
            router.push(clearHref());
          }}
        >
          Clear highlight
        </a>
      </span>
    </div>
  );
}
