/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships its WASM + data files next to its JS; bundling it breaks the
  // relative asset lookups, so Next must load it (and the protobuf code) from node_modules.
  serverExternalPackages: ['@electric-sql/pglite', 'otlp-generated', 'protobufjs', 'postgres'],
  poweredByHeader: false,
};
export default nextConfig;
