/**
 * The header's sign-in status: who the session reads as and a sign-out button.
 * The layout (app/layout.tsx) resolves the reader on the server and passes it in;
 * renders nothing when reads need no token.
 */
import styles from './auth.module.css';

export type AuthStatusProps = { required: boolean; reader: { tenant: string | null } | null };

export function AuthStatus({ required, reader }: AuthStatusProps) {
  if (!required || !reader) return null;
  return (
    <div className={styles.status} data-testid="auth-status">
      <span>
        {reader.tenant !== null ? (
          <>
            tenant <strong className="mono">{reader.tenant}</strong>
          </>
        ) : (
          'all tenants'
        )}
      </span>
      <form method="post" action="/api/auth/logout">
        <button type="submit" className={styles.linkButton}>
          Sign out
        </button>
      </form>
    </div>
  );
}
