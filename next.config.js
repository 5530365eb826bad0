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
};
export default nextConfig;
