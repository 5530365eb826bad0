/**
 * The sign-in cookie of the web UI and the `next` path after signing in. The cookie
 * holds the read token itself, HttpOnly (no script reads it) and SameSite=Lax (not
 * sent on cross-site subrequests), so links never need to carry it.
 */
export const TOKEN_COOKIE = 'tracedeck_token';
/** Thirty days; removing the token from the configuration ends the session at once anyway. */
const MAX_AGE_S = 30 * 24 * 3600;

/** One cookie's value from a Cookie header, or null. */
export function cookieValue(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

export function tokenCookie(token: string, { secure }: { secure: boolean }): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_S}${secure ? '; Secure' : ''}`;
}

export function clearedTokenCookie({ secure }: { secure: boolean }): string {
  return `${TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * A same-origin path to go to after signing in: `next` when it is a local path
 * (not `//host`, not `/\host`, no scheme), else `/`. Prevents open redirects.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const base = 'http://tracedeck.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return '/';
    if (url.pathname === '/login') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

/** `/login?next=<path>` (plus an error code to show), for redirects to the sign-in page. */
export function loginPath(next: string, error?: string): string {
  const params = new URLSearchParams({ next: safeNextPath(next) });
  if (error) params.set('error', error);
  return `/login?${params.toString()}`;
}

/** Whether the request came over HTTPS (directly or through a proxy that says so). */
export function isSecureRequest(url: string, forwardedProto: string | null): boolean {
  if (forwardedProto) return forwardedProto.split(',')[0].trim().toLowerCase() === 'https';
  return url.startsWith('https:');
}
