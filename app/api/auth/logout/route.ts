/** POST /api/auth/logout — clears the session cookie and goes to /login. */
import { clearedTokenCookie, isSecureRequest } from '@/server/auth/cookie';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Response {
  if (request.headers.get('sec-fetch-site') === 'cross-site') return Response.json({ error: 'cross-site sign-out refused' }, { status: 403 });
  const cookie = clearedTokenCookie({ secure: isSecureRequest(request.url, request.headers.get('x-forwarded-proto')) });
  return new Response(null, { status: 303, headers: { location: '/login', 'set-cookie': cookie, 'cache-control': 'no-store' } });
}
