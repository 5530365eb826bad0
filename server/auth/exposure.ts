/**
 * The start-up warning for a server reachable from other machines with auth off:
 * keys are optional so that `npm start` on a laptop just works, but a listener on a
 * non-loopback address with nothing configured lets anyone on the network send
 * spans or read every tenant's traces.
 */
import type { AuthConfig } from './config';

/** 127.0.0.0/8, ::1 and localhost. `0.0.0.0`/`::` (all interfaces) are not loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The warning to print for a listener, or null when it is loopback-only or protected.
 * `what` names the listener (e.g. "the web server on 0.0.0.0:3000").
 */
export function exposureWarning(config: AuthConfig, host: string, what: string, { reads = true }: { reads?: boolean } = {}): string | null {
  if (isLoopbackHost(host)) return null;
  const open: string[] = [];
  if (!config.ingestRequired) open.push('anyone who can reach it can send spans (set TRACEDECK_INGEST_KEYS or TRACEDECK_TENANT_SCOPED_KEYS)');
  if (reads && !config.readRequired)
    open.push("anyone who can reach it can read every tenant's traces (set TRACEDECK_READ_TOKENS or TRACEDECK_TENANT_SCOPED_KEYS)");
  if (open.length === 0) return null;
  return `WARNING: ${what} listens on a non-loopback address with auth off: ${open.join('; ')}. Bind 127.0.0.1 to keep it local. See README "Auth".`;
}
