/**
 * The one receive path behind both OTLP receivers (app/v1/traces/route.ts for HTTP,
 * server/grpc/server.ts for gRPC):
 *
 *   auth → gate → read (bounded) → decode → enrich → store → encode
 *
 * - auth (server/auth): with ingest keys configured, a request without a valid one is
 *   refused before its body is read; a tenant-scoped key forces its tenant;
 * - gate (./gate): past the writes allowed in flight and a bounded queue, a request is
 *   throttled before its body is read, so an overload costs no memory per client;
 * - decode (lib/otlp): protobuf or JSON, gzip, limits; bad spans are rejected one by one;
 * - enrich (lib/enrich): span-attribute rules with the request's headers (credentials
 *   removed: they would become attributes), tenant, promoted values, sampling weight;
 * - store (db/ingest): one transaction. A failed write is answered with a short request id,
 *   and the driver's error goes to the server log under that id only: "retry later" (503)
 *   when the database is down, refuses writes or lost a conflict (db/failures.ts), else 500.
 *
 * The answer is transport-neutral (ExportOutcome): `status` is the OTLP/HTTP status,
 * `kind` says why, and each receiver maps them to its own terms.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/db';
import { classifyDbFailure } from '../../db/failures';
import { storeSpans } from '../../db/ingest';
import { type EnrichOptions, enrichSpans } from '../../lib/enrich/enrich';
import type { HeaderSource } from '../../lib/enrich/rules';
import { type DecodeSuccess, type IngestLimits, type OtlpFormat, decodeExportRequest, encodeExportResponse, formatForContentType } from '../../lib/otlp';
import { type AuthFailure, type AuthResult, CREDENTIAL_HEADERS, type HeaderLike } from '../auth/principal';
import { type IngestGateOptions, THROTTLE_RETRY_AFTER_SECONDS, ingestGate } from './gate';

/** Seconds an exporter is told to wait after a failed write. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

export type ExportRequest = {
  /** HTTP headers or gRPC metadata: the credential for auth, the rest for the header rules. */
  headers: HeaderLike;
  contentType: string | null;
  contentEncoding?: string | null;
  /**
   * Reads the body, or answers null when it is longer than `limit` bytes (without
   * buffering the rest). Called only once the request has passed auth and the gate.
   */
  readBody(limit: number): Promise<Uint8Array | null>;
  /**
   * The transport has already decompressed the body and applied its own size limit
   * (grpc-js does both): the body is then held to the decompressed-size cap only.
   */
  decompressed?: boolean;
  /** Names the receiver in the server log ('OTLP/HTTP', 'OTLP/gRPC'). */
  transport: string;
};

/** What the receive path needs from the server, per request (the settings may change between requests). */
export type ReceiveSettings = {
  /** Largest body as received (compressed), bytes. */
  maxBodyBytes: number;
  /** Largest body after decompression, bytes. */
  maxDecompressedBytes: number;
  ingestLimits: IngestLimits;
  gate: IngestGateOptions;
  /** The enrich step's settings; the request gives the headers and the forced tenant. */
  enrich: Omit<EnrichOptions, 'headers' | 'forcedTenant'>;
  /** One append statement per tenant (db/ingest.ts StoreOptions.groupByTenant); default off. */
  groupByTenant?: boolean | 'auto';
};

export type ReceiveDeps = {
  settings(): ReceiveSettings;
  authenticate(headers: HeaderLike): AuthResult;
  getDb(): Promise<Pick<Db, 'rows' | 'transaction'>>;
  logError(message: string): void;
};

export type RefusalKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'auth-misconfigured'
  | 'throttled'
  | 'too-large'
  | 'unsupported-media-type'
  | 'invalid'
  | 'storage-unavailable'
  | 'storage-failed';

export type ExportAccepted = { ok: true; kind: 'accepted'; status: 200; format: OtlpFormat; body: Uint8Array<ArrayBuffer> | string };

export type ExportRefusal = {
  ok: false;
  kind: RefusalKind;
  /** The OTLP/HTTP status: 400, 401, 403, 413, 415, 429, 500 or 503. */
  status: number;
  message: string;
  /** The encoding of the error body (the request's when known, else JSON). */
  format: OtlpFormat;
  /** Set when the client should retry after this many seconds. */
  retryAfterSeconds?: number;
  /** Set for auth refusals, whose HTTP answer carries WWW-Authenticate. */
  authFailure?: AuthFailure;
};

export type ExportOutcome = ExportAccepted | ExportRefusal;

const AUTH_KINDS = { 401: 'unauthenticated', 403: 'forbidden', 503: 'auth-misconfigured' } as const;
const DECODE_KINDS = { 400: 'invalid', 413: 'too-large', 415: 'unsupported-media-type' } as const;

/** Receives one OTLP export request. Never throws for a bad request or a failed write: those are refusals. */
export async function receiveExport(request: ExportRequest, deps: ReceiveDeps): Promise<ExportOutcome> {
  const guessed = formatForContentType(request.contentType);
  const format: OtlpFormat = typeof guessed === 'string' ? guessed : 'json';

  const auth = deps.authenticate(request.headers);
  if (!auth.ok) return { ok: false, kind: AUTH_KINDS[auth.status], status: auth.status, message: auth.message, format, authFailure: auth };

  const settings = deps.settings();
  const release = await ingestGate(settings.gate).acquire();
  if (!release) {
    return {
      ok: false,
      kind: 'throttled',
      status: 429,
      message: 'ingest is at capacity, retry later',
      format,
      retryAfterSeconds: THROTTLE_RETRY_AFTER_SECONDS,
    };
  }
  try {
    const decoded = await readAndDecode(request, settings, format);
    if (!decoded.ok) return decoded;
    return await enrichAndStore(request, decoded, auth.principal.tenant, settings, deps);
  } finally {
    release();
  }
}

async function readAndDecode(request: ExportRequest, settings: ReceiveSettings, format: OtlpFormat): Promise<DecodeSuccess | ExportRefusal> {
  const maxBodyBytes = request.decompressed ? settings.maxDecompressedBytes : settings.maxBodyBytes;
  const body = await request.readBody(maxBodyBytes);
  if (body === null) {
    const message = `request body exceeds the ${maxBodyBytes}-byte limit (TRACEDECK_MAX_BODY_BYTES)`;
    return { ok: false, kind: 'too-large', status: 413, message, format };
  }
  const decoded = decodeExportRequest(body, {
    contentType: request.contentType,
    contentEncoding: request.contentEncoding,
    maxBodyBytes,
    maxDecompressedBytes: settings.maxDecompressedBytes,
    limits: settings.ingestLimits,
  });
  if (decoded.ok) return decoded;
  return { ok: false, kind: DECODE_KINDS[decoded.status], status: decoded.status, message: decoded.message, format: decoded.format };
}

async function enrichAndStore(
  request: ExportRequest,
  decoded: DecodeSuccess,
  forcedTenant: string | null,
  settings: ReceiveSettings,
  deps: ReceiveDeps,
): Promise<ExportOutcome> {
  const enriched = enrichSpans(decoded, { ...settings.enrich, headers: withoutCredentials(request.headers), forcedTenant });
  let db: Pick<Db, 'rows' | 'transaction'>;
  try {
    db = await deps.getDb();
  } catch (err) {
    // The next request opens the database again (server/db.ts does not cache a failed start).
    return storageRefusal(request, decoded.format, err, true, deps);
  }
  try {
    // A tenant-scoped key must not pull tenant-less spans it did not send into its tenant.
    await storeSpans(db, enriched.spans, { adoptOrphans: !forcedTenant, groupByTenant: settings.groupByTenant });
  } catch (err) {
    return storageRefusal(request, decoded.format, err, classifyDbFailure(err) !== null, deps);
  }
  return { ok: true, kind: 'accepted', status: 200, format: decoded.format, body: encodeExportResponse(decoded.format, enriched.rejected, decoded.warnings) };
}

/**
 * The answer to a failed write, which acknowledged nothing (the transaction rolled back whole).
 * Retryable: 503 + Retry-After, OTLP's "keep the batch and send it again". Otherwise it is a
 * bug that a retry would only repeat: 500, which exporters do not retry.
 */
function storageRefusal(request: ExportRequest, format: OtlpFormat, err: unknown, retryable: boolean, deps: ReceiveDeps): ExportRefusal {
  const id = logWithRequestId(deps.logError, `${request.transport} ingest write failed`, err);
  if (!retryable) return { ok: false, kind: 'storage-failed', status: 500, message: `internal error storing the spans (request ${id})`, format };
  const message = `storage unavailable, retry later (request ${id})`;
  return { ok: false, kind: 'storage-unavailable', status: 503, message, format, retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS };
}

/** The headers without the ones carrying credentials (Authorization, x-tracedeck-key, Cookie). */
export function withoutCredentials(headers: HeaderSource | null | undefined): HeaderSource | null | undefined {
  if (!headers) return headers;
  const drop = (name: string) => CREDENTIAL_HEADERS.includes(name.toLowerCase());
  if (headers instanceof Headers || typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    return [...(headers as Iterable<readonly [string, string]>)].filter(([name]) => !drop(name));
  }
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name)));
}

/** A short id tying a client's answer to the server log line that holds the details. */
export function newRequestId(): string {
  return randomBytes(3).toString('hex');
}

/**
 * Logs `what` with the error's full text under a new request id and returns the id,
 * for the client's message (which never carries driver or SQL text).
 */
export function logWithRequestId(logError: (message: string) => void, what: string, err: unknown): string {
  const id = newRequestId();
  logError(`[tracedeck] ${what} (req ${id}): ${err instanceof Error ? err.message : String(err)}`);
  return id;
}
