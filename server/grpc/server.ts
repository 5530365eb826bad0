/**
 * OTLP/gRPC trace receiver: `opentelemetry.proto.collector.trace.v1.TraceService/Export`
 * served with @grpc/grpc-js.
 *
 * The method is registered with identity (de)serializers, so the handler gets the
 * raw ExportTraceServiceRequest bytes and decodes them with the same lib/otlp code
 * as the HTTP route (protobufjs static code, validation, partial_success), then
 * stores through server/ingest/pipeline with the call's metadata as the headers.
 * grpc-js decompresses `grpc-encoding: gzip` (and deflate) messages itself.
 *
 * Status codes follow OTLP/gRPC: INVALID_ARGUMENT for an undecodable request,
 * RESOURCE_EXHAUSTED above the size limit, UNAVAILABLE (retryable) when the
 * database cannot take the write; UNAUTHENTICATED (PERMISSION_DENIED for a read-only
 * token) when ingest keys are configured and the call's `authorization` or
 * `x-tracedeck-key` metadata carries no valid one. A tenant-scoped key forces its tenant.
 * The HTTP route's ingest gate (server/ingest/gate) bounds writes in flight here too:
 * a call past it gets UNAVAILABLE, which OTLP/gRPC exporters retry with backoff.
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
import type { Db } from '../../db/client';
import { getDb as processDb } from '../db';
import { authenticate } from '../auth/principal';
import type { EnrichConfig } from '../../lib/enrich/config';
import { ingestSpans } from '../ingest/pipeline';
import { decodeExportRequest, encodeExportResponse } from '../../lib/otlp';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, ingestGateOptions, serverConfig } from '../config';
import { ingestGate } from '../ingest/gate';

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
 * option that picks another port (it differs between `trace listen` and `serve --grpc`).
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

/** The Export handler: raw bytes in, ExportTraceServiceResponse bytes (or a status) out. */
export function exportHandler(options: Pick<GrpcListenerOptions, 'getDb' | 'config' | 'logError'> = {}) {
  const getDb = options.getDb ?? processDb;
  const logError = options.logError ?? ((m: string) => console.error(m));
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    void (async () => {
      const headers = metadataHeaders(call.metadata);
      const auth = authenticate(headers, 'ingest');
      if (!auth.ok) {
        const code = auth.status === 401 ? status.UNAUTHENTICATED : auth.status === 403 ? status.PERMISSION_DENIED : status.UNAVAILABLE;
        callback(fail(code, auth.message));
        return;
      }
      const release = await ingestGate(ingestGateOptions()).acquire();
      if (!release) {
        callback(fail(status.UNAVAILABLE, 'ingest is at capacity, retry later'));
        return;
      }
      try {
        await receive(call, headers, auth.principal.tenant, callback);
      } finally {
        release();
      }
    })().catch((err: unknown) => callback(fail(status.INTERNAL, errorText(err))));
  };

  async function receive(
    call: ServerUnaryCall<Buffer, Buffer>,
    headers: Record<string, string | Buffer>,
    tenant: string | null,
    callback: sendUnaryData<Buffer>,
  ): Promise<void> {
    const limits = serverConfig();
    // grpc-js has already undone grpc-encoding and applied the receive limit.
    const decoded = decodeExportRequest(call.request, {
      contentType: 'application/x-protobuf',
      maxBodyBytes: limits.maxDecompressedBytes,
      maxDecompressedBytes: limits.maxDecompressedBytes,
      limits: limits.ingestLimits,
    });
    if (!decoded.ok) {
      callback(fail(decoded.status === 413 ? status.RESOURCE_EXHAUSTED : status.INVALID_ARGUMENT, decoded.message));
      return;
    }
    try {
      const db = await getDb();
      await ingestSpans(db, decoded, headers, { ...(options.config ? { config: options.config } : {}), forceTenant: tenant });
    } catch (err) {
      logError(`[tracedeck] OTLP/gRPC ingest write failed: ${errorText(err)}`);
      // Nothing acknowledged: UNAVAILABLE is the retryable code of OTLP/gRPC.
      callback(fail(status.UNAVAILABLE, `storage unavailable, retry later: ${errorText(err)}`));
      return;
    }
    callback(null, Buffer.from(encodeExportResponse('protobuf', decoded.rejected, decoded.warnings)));
  }
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
