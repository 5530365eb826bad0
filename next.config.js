/** Sent with every response (pages, API, OTLP, static files). */
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Trace URLs carry filters (tenant and user ids): never send them to other sites.
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  {
    key: 'Permissions-Policy',
    value: 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()',
  },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];
const NO_CONTENT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships its WASM + data files next to its JS; bundling it breaks the
  // relative asset lookups, so Next must load it (and the protobuf code, whose
  // 64-bit support needs a runtime require of `long`) from node_modules.
  serverExternalPackages: ['@electric-sql/pglite', 'otlp-generated', 'protobufjs', 'postgres'],
  poweredByHeader: false,
  // Type checking is its own step (`npm run typecheck`, first in `npm test`) over the
  // whole repo including tests; not repeating it inside `next build` halves build time.
  typescript: { ignoreBuildErrors: true },
  // Lets two builds or dev servers coexist in one checkout (e.g. a dev server beside the e2e build).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts.
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      // JSON, OTLP bodies and downloads: nothing in them may run, load or be framed.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: NO_CONTENT_POLICY }] },
      { source: '/v1/:path*', headers: [{ key: 'Content-Security-Policy', value: NO_CONTENT_POLICY }] },
    ];
  },
};
export default nextConfig;
