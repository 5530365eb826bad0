/**
 * Runs before every page render: a per-request CSP nonce (see
 * server/http/content-security-policy.ts). API routes, the OTLP receiver and static
 * assets are not matched: they carry a fixed policy from next.config.js instead, and
 * the ingest path pays nothing.
 */
import { type NextRequest, NextResponse } from 'next/server';
import { isDevelopment } from '@/server/config';
import { newNonce, pageContentSecurityPolicy } from '@/server/http/content-security-policy';

export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy(nonce, { dev: isDevelopment() });
  // Next.js takes the nonce for its own scripts from the request's CSP header.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|v1/|_next/static/|_next/image|favicon.ico).*)',
      // Link prefetches fetch RSC payloads, not documents: no policy needed.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
