/**
 * The Content-Security-Policy of the pages (set per request by proxy.ts) and of
 * everything else (API and ingest responses, next.config.js).
 *
 * Pages get a fresh nonce per request: Next.js reads it back from the request's
 * CSP header and puts it on its own scripts, and 'strict-dynamic' lets those load
 * the chunks they need, so no other script runs. Every page renders dynamically
 * (they read the URL and the session), which nonces require.
 *
 * Styles: <style> elements need the nonce too, but `style="…"` attributes (React
 * renders widths, colours and the charts' geometry that way) are allowed through
 * style-src-attr: they cannot run script, and a nonce cannot cover an attribute.
 * No upgrade-insecure-requests: Tracedeck is usually served over plain HTTP.
 */

/** 128 random bits, base64: what CSP's nonce-source expects. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function pageContentSecurityPolicy(nonce: string, { dev = false }: { dev?: boolean } = {}): string {
  return [
    `default-src 'self'`,
    // React's development build evaluates code for its error overlay; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? ` 'unsafe-eval'` : ''}`,
    dev ? `style-src 'self' 'unsafe-inline'` : `style-src 'self' 'nonce-${nonce}'`,
    `style-src-attr 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}
