/**
 * /login?next=… — signs the browser in with a read token or a tenant-scoped key.
 * A plain form POSTed to /api/auth/login, which sets the HttpOnly cookie and sends
 * the browser back to `next`; the token never appears in a URL, so links copied
 * from a signed-in session carry only view state.
 */
import Link from 'next/link';
import { safeNextPath } from '@/server/auth/cookie';
import { currentReader } from '@/server/auth/page';
import styles from '@/components/auth/auth.module.css';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · Tracedeck' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const ERRORS: Record<string, string> = {
  invalid: 'That token is not valid (or no longer is). Sign in again.',
  forbidden: 'That key may send spans but not read them.',
  missing: 'Enter a token.',
  'cross-site': 'The sign-in request came from another site and was refused.',
};

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const next = safeNextPath(first(query.next));
  const error = first(query.error);
  const { required, principal } = await currentReader();
  if (!required) {
    return (
      <div className={styles.card}>
        <h1>Sign-in is off</h1>
        <p>This server requires no read token (no TRACEDECK_READ_TOKENS or TRACEDECK_TENANT_SCOPED_KEYS are configured).</p>
        <Link href={next}>Continue</Link>
      </div>
    );
  }
  return (
    <div className={styles.card}>
      <h1>Sign in to Tracedeck</h1>
      {principal ? (
        <p data-testid="login-current">
          Signed in ({principal.tenant !== null ? `tenant ${principal.tenant}` : 'all tenants'}). <Link href={next}>Continue</Link>, or use another token:
        </p>
      ) : (
        <p>Enter a read token or a tenant-scoped key.</p>
      )}
      {error && (
        <p className={styles.error} role="alert" data-testid="login-error">
          {ERRORS[error] ?? 'Sign-in failed.'}
        </p>
      )}
      <form method="post" action="/api/auth/login" className={styles.form}>
        <input type="hidden" name="next" value={next} />
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required autoFocus data-testid="login-token" />
        <button type="submit" data-testid="login-submit">
          Sign in
        </button>
      </form>
    </div>
  );
}
