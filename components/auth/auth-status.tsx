/**
 * The header's sign-in status (server component): who the session reads as and a
 * sign-out button. Renders nothing when reads need no token.
 */
import { currentReader } from '@/lib/auth/page';
import styles from './auth.module.css';

export async function AuthStatus() {
  const { required, principal } = await currentReader();
  if (!required || !principal) return null;
  return (
    <div className={styles.status} data-testid="auth-status">
      <span>{principal.tenant !== null ? <>tenant <strong className="mono">{principal.tenant}</strong></> : 'all tenants'}</span>
      <form method="post" action="/api/auth/logout">
        <button type="submit" className={styles.linkButton}>
          Sign out
        </button>
      </form>
    </div>
  );
}
