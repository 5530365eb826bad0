/**
 * Auth in server-rendered pages: the reader principal from the request's headers
 * (Authorization, x-tracedeck-key or the sign-in cookie), or a redirect to
 * `/login?next=<this page>`. The page's own path and query go into `next`; the
 * token never does.
 */
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loginPath } from './cookie';
import { type Principal, authenticate } from './principal';

export type PageSearchParams = Record<string, string | string[] | undefined>;

/** `/path?query` of a page, from its path and search params. */
export function pagePath(pathname: string, searchParams: PageSearchParams = {}): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) qs.append(key, v);
  }
  const text = qs.toString();
  return text ? `${pathname}?${text}` : pathname;
}

/** The principal allowed to read; otherwise redirects to the sign-in page (throws on a broken configuration). */
export async function readerForPage(next: string): Promise<Principal> {
  const result = authenticate(await headers(), 'read');
  if (result.ok) return result.principal;
  if (result.reason === 'misconfigured') throw new Error(result.message);
  redirect(loginPath(next, result.reason === 'missing' ? undefined : result.reason));
}

/** The principal of the request without requiring one (for the header's sign-in status). */
export async function currentReader(): Promise<{ required: boolean; principal: Principal | null }> {
  const result = authenticate(await headers(), 'read');
  if (result.ok) return { required: result.principal.kind !== 'open', principal: result.principal };
  return { required: true, principal: null };
}
