/**
 * What `tracedeck serve` prints when one of its OTLP listeners (gRPC :4317, HTTP :4318)
 * cannot bind. The listeners are on by default, so a busy port (another Tracedeck,
 * `planoai trace listen`, an OpenTelemetry Collector) must not stop the web server:
 * the warning says what is not received and the ways out.
 */
export type ListenerName = { what: string; variable: string; option: string };

export const GRPC_LISTENER: ListenerName = { what: 'OTLP/gRPC', variable: 'TRACEDECK_GRPC_PORT', option: '--grpc-port' };
export const OTLP_HTTP_LISTENER: ListenerName = { what: 'OTLP/HTTP', variable: 'TRACEDECK_OTLP_HTTP_PORT', option: '--otlp-http-port' };

function portOf(address: string): string {
  return /:(\d+)$/.exec(address)?.[1] ?? address;
}

/** The warning for a listener that did not start; `inUse` when the port was taken, else `reason`. */
export function listenerNotStartedWarning(listener: ListenerName, address: string, failure: { inUse: true } | { inUse: false; reason: string }): string {
  const why = failure.inUse
    ? `${address} is already in use (another Tracedeck, \`planoai trace listen\` or an OpenTelemetry Collector?)`
    : `cannot listen on ${address}: ${failure.reason}`;
  const fix = failure.inUse ? `stop the process using it (\`lsof -i :${portOf(address)}\`) or move` : 'move';
  return (
    `WARNING: ${listener.what} is not being received: ${why}. The web server keeps serving. ` +
    `To receive ${listener.what}, ${fix} this listener: ${listener.variable}=<port> npm start (or \`tracedeck serve ${listener.option} <port>\`); ` +
    `${listener.variable}=0 turns it off.`
  );
}
