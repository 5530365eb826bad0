/** Why a comparison could not be made, one line per side at fault, each naming the side and the id. */
import type { SideProblem } from '@/lib/trace/compare';
import styles from './compare.module.css';

function sideLabel(side: SideProblem['side']): string {
  return side === 'a' ? 'Trace A' : 'Trace B';
}

function ProblemText({ problem }: { problem: SideProblem }) {
  switch (problem.problem) {
    case 'missing':
      return <>{sideLabel(problem.side)}: no id given.</>;
    case 'malformed':
      return (
        <>
          {sideLabel(problem.side)}: <code>{problem.id}</code> is not a trace id (it takes 8 or 32 hex characters).
        </>
      );
    case 'not_found':
      return (
        <>
          {sideLabel(problem.side)}: no trace <code>{problem.id}</code> was found.
        </>
      );
    case 'ambiguous':
      return (
        <>
          {sideLabel(problem.side)}: short id <code>{problem.id}</code> matches {problem.candidates.length} traces; pick one below or give the full id.
        </>
      );
  }
}

export function CompareProblems({ problems, a, b }: { problems: SideProblem[]; a: string; b: string }) {
  return (
    <ul className={styles.problems} data-testid="compare-error">
      {problems.map((p) => (
        <li key={p.side} data-side={p.side} data-problem={p.problem}>
          <ProblemText problem={p} />
          {p.problem === 'ambiguous' ? (
            <ul className={styles.candidates}>
              {p.candidates.map((id) => (
                <li key={id}>
                  <a className="mono" href={`/compare?${new URLSearchParams(p.side === 'a' ? { a: id, b } : { a, b: id }).toString()}`}>
                    {id}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
