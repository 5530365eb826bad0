/**
 * OTLP/gRPC trace receiver: `opentelemetry.proto.collector.trace.v1.TraceService/Export`
 * served with @grpc/grpc-js.
 *
 * The method is registered with identity (de)serializers, so the handler gets the
 * raw ExportTraceServiceRequest bytes and hands them, with the call's metadata as the
 * headers, to the receive path the HTTP route uses too (server/ingest/receive: auth,
 * gate, decode, enrich, store). grpc-js decompresses `grpc-encoding: gzip` (and
 * deflate) messages itself and applies the size limit.
 *
 * The handler only maps the outcome to OTLP/gRPC status codes: INVALID_ARGUMENT for an
 * undecodable request, RESOURCE_EXHAUSTED above the size limit, UNAVAILABLE (retryable)
 * when the database cannot take the write or the ingest gate is full (exporters retry
 * with backoff); UNAUTHENTICATED (PERMISSION_DENIED for a read-only token) when ingest
 * keys are configured and the call's `authorization` or `x-tracedeck-key` metadata
 * carries no valid one. A tenant-scoped key forces its tenant.
 */
import {
  type Metadata,
  Server,
  ServerCredentials,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  setLogger,
  status,
} from '@grpc/grpc-js';
import type { Db } from '../../db/db';
import type { EnrichConfig } from '../../lib/enrich/config';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, serverConfig } from '../config';
import { processReceiveDeps } from '../ingest/deps';
import { type RefusalKind, logWithRequestId, receiveExport } from '../ingest/receive';

export const EXPORT_METHOD_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const identity = (b: Buffer): Buffer => b;

/** TraceService with one raw-bytes method; decoding happens in the handler. */
export const TRACE_SERVICE_DEFINITION: ServiceDefinition = {
  Export: {
    path: EXPORT_METHOD_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'export',
  },
};

/** Raised when the port cannot be bound; `message` is ready to print. */
export class ListenerBindError extends Error {
  constructor(
    message: string,
    readonly address: string,
    readonly inUse: boolean,
  ) {
    super(message);
    this.name = 'ListenerBindError';
  }
}

/**
 * planoai's wording for a busy port, with Tracedeck's way out. `hint` names the
 * option that picks another port (`trace listen`'s; `serve` prints server/listener-warnings.ts's warning instead).
 */
export function addressInUseMessage(address: string, hint = '`tracedeck trace listen --port <PORT>`'): string {
  return `Failed to start OTLP listener on ${address}: address is already in use.\nStop the process using that port or run ${hint}.`;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export type GrpcListenerOptions = {
  host?: string;
  port?: number;
  /** The database to store into (default: the process-wide client of server/db). */
  getDb?: () => Promise<Pick<Db, 'rows' | 'transaction'>>;
  /** Span-attribute rules (default: server/enrich-config's, as at ingest over HTTP). */
  config?: EnrichConfig;
  /** Hint printed with the address-in-use message. */
  portHint?: string;
  /** Error log (default console.error). */
  logError?: (message: string) => void;
};

export type GrpcListener = {
  /** host:port as bound (the real port when 0 was asked for). */
  address: string;
  host: string;
  port: number;
  /** Stops accepting calls, waits up to `graceMs` for running ones, then closes. */
  close(graceMs?: number): Promise<void>;
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fail(code: status, details: string): ServerErrorResponse {
  return Object.assign(new Error(details), { code, details });
}

/** The OTLP/gRPC status code of each refusal of the receive path. */
const REFUSAL_CODES: Record<RefusalKind, status> = {
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  'auth-misconfigured': status.UNAVAILABLE,
  throttled: status.UNAVAILABLE,
  'too-large': status.RESOURCE_EXHAUSTED,
  'unsupported-media-type': status.INVALID_ARGUMENT,
  invalid: status.INVALID_ARGUMENT,
  'storage-unavailable': status.UNAVAILABLE,
  'storage-failed': status.INTERNAL,
};

/** The Export handler: raw bytes in, ExportTraceServiceResponse bytes (or a status) out. */
export function exportHandler(options: Pick<GrpcListenerOptions, 'getDb' | 'config' | 'logError'> = {}) {
  const deps = processReceiveDeps({ getDb: options.getDb, logError: options.logError, rules: options.config });
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    void (async () => {
      const outcome = await receiveExport(
        {
          headers: metadataHeaders(call.metadata),
          contentType: 'application/x-protobuf',
          // grpc-js has already undone grpc-encoding and applied the receive limit.
          decompressed: true,
          readBody: async () => call.request,
          transport: 'OTLP/gRPC',
        },
        deps,
      );
      if (outcome.ok) callback(null, Buffer.from(outcome.body));
      else callback(fail(REFUSAL_CODES[outcome.kind], outcome.message));
    })().catch((err: unknown) => {
      const id = logWithRequestId(deps.logError, 'OTLP/gRPC export failed', err);
      callback(fail(status.INTERNAL, `internal error (request ${id})`));
    });
  };
}

/** Text metadata as a header map (binary `-bin` entries are Buffers and get skipped by the rules). */
export function metadataHeaders(metadata: Metadata): Record<string, string | Buffer> {
  return metadata.getMap();
}

function isAddressInUse(err: unknown): boolean {
  const text = errorText(err);
  return /EADDRINUSE|address already in use/i.test(text);
}

let loggerInstalled = false;

/**
 * grpc-js logs its own line for a failed bind ("No address added…"); the
 * listener reports that itself, in planoai's words, so only that line is dropped.
 */
function installGrpcLogger(): void {
  if (loggerInstalled) return;
  loggerInstalled = true;
  const write =
    (tag: string) =>
    (message?: unknown, ...rest: unknown[]) => {
      if (typeof message === 'string' && message.startsWith('No address added')) return;
      console.error(`[grpc] ${tag} ${String(message)}`, ...rest);
    };
  setLogger({ error: write('E'), info: write('I'), debug: write('D') });
}

/** Binds and starts the listener. Throws ListenerBindError when the port cannot be bound. */
export async function startGrpcListener(options: GrpcListenerOptions = {}): Promise<GrpcListener> {
  // Loopback unless asked otherwise (TRACEDECK_GRPC_HOST, --grpc-host, `trace listen --host`).
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_GRPC_PORT;
  installGrpcLogger();
  const limits = serverConfig();
  const server = new Server({
    'grpc.max_receive_message_length': limits.maxDecompressedBytes,
  });
  server.addService(TRACE_SERVICE_DEFINITION, { Export: exportHandler(options) });

  const requested = formatAddress(host, port);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(requested, ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  }).catch((err: unknown) => {
    server.forceShutdown();
    if (isAddressInUse(err)) throw new ListenerBindError(addressInUseMessage(requested, options.portHint), requested, true);
    throw new ListenerBindError(`Failed to start OTLP listener on ${requested}: ${errorText(err)}`, requested, false);
  });

  let closed: Promise<void> | null = null;
  return {
    address: formatAddress(host, bound),
    host,
    port: bound,
    close(graceMs = 2000) {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closed;
    },
  };
}
