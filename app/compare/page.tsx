/**
 * /compare?a=<id>&b=<id> — two traces aligned span by span (by service, name and place in
 * the tree): each span's duration change, the spans of one trace only, and the model,
 * route, tokens, cost and status that differ. Ids are full or unambiguous 8-hex short
 * ids; the URL is the shareable link. Reached from the trace list (select two rows,
 * "Compare") and from a trace page ("Compare with…").
 */
import { CompareForm } from '@/components/compare/compare-form';
import { CompareProblems } from '@/components/compare/compare-problems';
import { CompareSummary } from '@/components/compare/compare-summary';
import { CompareTable } from '@/components/compare/compare-table';
import styles from '@/components/compare/compare.module.css';
import { pagePath, readerForPage } from '@/server/auth/page';
import { tenantScope } from '@/server/auth/principal';
import { loadComparison } from '@/server/compare';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Compare traces · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();

export default async function ComparePage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const scope = tenantScope(await readerForPage(pagePath('/compare', query)));
  const a = single(query.a);
  const b = single(query.b);
  const result = a || b ? await loadComparison({ a, b, tenantScope: scope }) : null;
  return (
    <div className={styles.page}>
      <h1 className={styles.title}>Compare traces</h1>
      <CompareForm a={a} b={b} />
      {result === null ? (
        <p className={styles.hint} data-testid="compare-hint">
          Enter two trace ids (full, or an unambiguous 8-character short id), or select two rows in the trace list and press Compare.
        </p>
      ) : result.status === 'problems' ? (
        <CompareProblems problems={result.problems} a={a} b={b} />
      ) : (
        <>
          <CompareSummary a={result.a} b={result.b} comparison={result.comparison} />
          <CompareTable rows={result.comparison.rows} />
        </>
      )}
    </div>
  );
}
