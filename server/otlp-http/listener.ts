/**
 * The OTLP/HTTP listener beside the web port (127.0.0.1:4318 by default, where the
 * OpenTelemetry SDKs export unless told otherwise). It serves only `POST /v1/traces`,
 * through the very handler of the web port's route (server/ingest/http-export), so auth,
 * the ingest gate, limits and answers are the same. A plain node:http server: it runs
 * inside the Next server process (server/otlp-http/in-server.ts) and needs none of Next's
 * routing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { logWithRequestId } from '../ingest/receive';
import { formatAddress } from '../grpc/server';

export const OTLP_HTTP_PATH = '/v1/traces';

/** Like the web port's /v1 responses (next.config.js): nothing in them may run, load or be framed. */
const RESPONSE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

export type OtlpHttpHandler = (request: Request) => Promise<Response>;

export type OtlpHttpListener = {
  /** host:port as bound (the real port when 0 was asked for). */
  address: string;
  port: number;
  close(): Promise<void>;
};

/** Raised when the port cannot be bound. */
export class OtlpHttpBindError extends Error {
  constructor(
    message: string,
    readonly address: string,
    readonly inUse: boolean,
  ) {
    super(message);
    this.name = 'OtlpHttpBindError';
  }
}

/**
 * The request body as a web stream. Cancelling it (a body over the size limit) drains the
 * rest instead of destroying the request, so the 413 still reaches the client; the
 * connection is then closed (`onCancel`) rather than reading on.
 */
function bodyStream(req: http.IncomingMessage, onCancel: () => void): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = (await chunks.next()) as IteratorResult<Buffer>;
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    cancel() {
      onCancel();
      req.resume();
    },
  });
}

function toWebRequest(req: http.IncomingMessage, origin: string, onCancel: () => void): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  return new Request(new URL(req.url ?? '/', origin), {
    method: 'POST',
    headers,
    body: bodyStream(req, onCancel),
    duplex: 'half',
  } as RequestInit);
}

function sendText(res: http.ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...RESPONSE_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra }).end(text);
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, origin: string, handle: OtlpHttpHandler): Promise<void> {
  const path = new URL(req.url ?? '/', origin).pathname;
  if (path !== OTLP_HTTP_PATH) return sendText(res, 404, `not found: this port receives OTLP/HTTP traces at POST ${OTLP_HTTP_PATH}\n`);
  if (req.method !== 'POST') return sendText(res, 405, `method not allowed: use POST ${OTLP_HTTP_PATH}\n`, { allow: 'POST' });
  let unread = false;
  const response = await handle(toWebRequest(req, origin, () => (unread = true)));
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = { ...RESPONSE_HEADERS, ...Object.fromEntries(response.headers) };
  if (unread) headers.connection = 'close';
  res.writeHead(response.status, headers).end(body);
}

/** Binds and starts the listener. Throws OtlpHttpBindError when the port cannot be bound. */
export async function startOtlpHttpListener(options: { host: string; port: number; handle: OtlpHttpHandler }): Promise<OtlpHttpListener> {
  const requested = formatAddress(options.host, options.port);
  const origin = `http://${requested}`;
  const server = http.createServer((req, res) => {
    serve(req, res, origin, options.handle).catch((err: unknown) => {
      const id = logWithRequestId((m) => console.error(m), 'OTLP/HTTP listener failed', err);
      if (!res.headersSent) sendText(res, 500, `internal error (request ${id})\n`);
      else res.destroy();
    });
  });
  // Longer than clients' keep-alive (undici: 4 s), as on the web port, so a reused socket is never closed under a request.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    const inUse = err.code === 'EADDRINUSE';
    throw new OtlpHttpBindError(inUse ? `${requested} is already in use` : `${err.code ?? err.message}`, requested, inUse);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    address: formatAddress(options.host, bound),
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
