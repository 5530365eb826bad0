'use client';
/**
 * What a page shows when its server rendering fails (the database unreachable, a bug):
 * a plain message and the error's digest, which the server log carries beside the full
 * error. Never the error's message: in development it is the driver's text.
 */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <div className="empty" role="alert" data-testid="page-error">
      <p>This page could not be loaded. If the database is unavailable or restarting, it should be back in a few seconds.</p>
      {digest ? (
        <p>
          Reference <span className="mono">{digest}</span> (the server log has the details).
        </p>
      ) : null}
      <button type="button" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
