/**
 * POST /api/auth/login — form post of /login (`token`, `next`), or JSON `{token}`.
 * A read token or tenant-scoped key gets the HttpOnly, SameSite=Lax session cookie
 * and a 303 back to `next` (a local path only); anything else goes back to /login
 * with an error code (JSON callers get 401/403). Cross-site posts are refused.
 */
import { authState } from '@/server/auth/config';
import { isSecureRequest, loginPath, safeNextPath, tokenCookie } from '@/server/auth/cookie';
import { authenticateWith } from '@/server/auth/principal';
import { loginBody } from '../schema';

export const dynamic = 'force-dynamic';

const seeOther = (location: string, cookie?: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', ...(cookie ? { 'set-cookie': cookie } : {}) } });

async function readBody(request: Request): Promise<{ json: boolean; body: unknown }> {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return { json: true, body: await request.json().catch(() => ({})) };
  const form = await request.formData().catch(() => null);
  return { json: false, body: form ? Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')) : {} };
}

export async function POST(request: Request): Promise<Response> {
  const { json, body } = await readBody(request);
  const parsed = loginBody.safeParse(body);
  const next = safeNextPath(parsed.success ? parsed.data.next : null);
  const fail = (status: number, reason: string, message: string) =>
    json ? Response.json({ error: message, reason }, { status, headers: { 'cache-control': 'no-store' } }) : seeOther(loginPath(next, reason));

  // Login CSRF: a page on another site must not sign the browser in with the attacker's token.
  if (request.headers.get('sec-fetch-site') === 'cross-site') return fail(403, 'cross-site', 'cross-site sign-in refused');
  const state = authState();
  if (!state.ok) return Response.json({ error: 'authentication is misconfigured on the server (see its log)' }, { status: 503 });
  const token = parsed.success ? parsed.data.token : '';
  const secure = isSecureRequest(request.url, request.headers.get('x-forwarded-proto'));
  if (!state.config.readRequired) return json ? Response.json({ ok: true, principal: { kind: 'open', tenant: null } }) : seeOther(next);
  if (token === '') return fail(401, 'missing', 'a token is required');
  const result = authenticateWith(state.config, token, 'read');
  if (!result.ok) return fail(result.status, result.reason, result.message);
  const cookie = tokenCookie(token, { secure });
  if (json) return Response.json({ ok: true, principal: result.principal }, { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' } });
  return seeOther(next, cookie);
}
