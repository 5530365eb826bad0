/**
 * OTLP/HTTP trace request decoding, framework-free: body bytes + header values
 * in, validated SpanRecords (or an HTTP error status + message) out.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ExportTraceServiceRequest } from './proto';
import type { ConvertResult } from './assemble';
import { convertProtoRequest } from './convert-proto';
import { JsonShapeError, convertJsonRequest } from './convert-json';
import type { DecodeFailure, DecodeOptions, DecodeOutcome, OtlpFormat } from './types';

export const SUPPORTED_CONTENT_TYPES = ['application/x-protobuf', 'application/protobuf', 'application/json'] as const;
export const SUPPORTED_CONTENT_ENCODINGS = ['gzip', 'deflate', 'br', 'identity'] as const;

function fail(status: 400 | 413 | 415, message: string, format: OtlpFormat): DecodeFailure {
  return { ok: false, status, message, format };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Media type → format, or an error message. Parameters are allowed
 * (`application/json; charset=utf-8`); JSON must be UTF-8 when a charset is given.
 */
export function formatForContentType(contentType: string | null | undefined): OtlpFormat | { error: string } {
  const supported = `supported: ${SUPPORTED_CONTENT_TYPES.join(', ')}`;
  if (contentType == null || contentType.trim() === '') return { error: `missing Content-Type; ${supported}` };
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media !== 'application/json') return { error: `unsupported Content-Type ${JSON.stringify(media)}; ${supported}` };
  if (semi >= 0) {
    for (const param of contentType.slice(semi + 1).split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
      const charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
      if (charset !== 'utf-8' && charset !== 'utf8') {
        return { error: `unsupported charset ${JSON.stringify(charset)} for application/json; only utf-8 is supported` };
      }
    }
  }
  return 'json';
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** Applies Content-Encoding (innermost last in the header, so undo right to left). */
function decodeContent(body: Buffer, contentEncoding: string | null | undefined, maxOutput: number, format: OtlpFormat): Buffer | DecodeFailure {
  if (contentEncoding == null) return body;
  const codings = contentEncoding.split(',');
  if (codings.length > 4) return fail(415, `too many Content-Encoding layers (${codings.length})`, format);
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i].trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    try {
      if (coding === 'gzip' || coding === 'x-gzip') out = gunzipSync(out, { maxOutputLength: maxOutput });
      else if (coding === 'br') out = brotliDecompressSync(out, { maxOutputLength: maxOutput });
      else if (coding === 'deflate') {
        // HTTP "deflate" is zlib-wrapped, but some clients send raw deflate.
        try {
          out = inflateSync(out, { maxOutputLength: maxOutput });
        } catch (e) {
          if ((e as { code?: string }).code !== 'Z_DATA_ERROR') throw e;
          out = inflateRawSync(out, { maxOutputLength: maxOutput });
        }
      } else {
        return fail(415, `unsupported Content-Encoding ${JSON.stringify(coding)}; supported: ${SUPPORTED_CONTENT_ENCODINGS.join(', ')}`, format);
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return fail(413, `decompressed request body exceeds the limit of ${maxOutput} bytes`, format);
      }
      return fail(400, `invalid ${coding} body: ${errorText(e)}`, format);
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one OTLP/HTTP ExportTraceServiceRequest.
 *
 * - 415: unsupported Content-Type or Content-Encoding;
 * - 413: body larger than `maxBodyBytes`, or decompressing beyond `maxDecompressedBytes`;
 * - 400: bad compression, undecodable protobuf/JSON, or JSON fields of the wrong type.
 *
 * Span-level problems (bad ids, zero/inverted/future times, too-deep attributes)
 * don't fail the request; those spans come back in `rejected`. What the limits cut
 * from stored spans (see ./limits.ts) comes back in `warnings`.
 */
export function decodeExportRequest(body: Uint8Array, opts: DecodeOptions): DecodeOutcome {
  const fmt = formatForContentType(opts.contentType);
  if (typeof fmt !== 'string') return fail(415, fmt.error, 'json');
  const format = fmt;

  if (body.byteLength > opts.maxBodyBytes) {
    return fail(413, `request body is ${body.byteLength} bytes; the limit is ${opts.maxBodyBytes} bytes`, format);
  }
  const maxDecompressed = opts.maxDecompressedBytes ?? opts.maxBodyBytes * 4;
  const decoded = decodeContent(asBuffer(body), opts.contentEncoding, maxDecompressed, format);
  if (!Buffer.isBuffer(decoded)) return decoded;

  const convertOptions = { limits: opts.limits, nowMs: opts.nowMs };
  let result: ConvertResult;
  if (format === 'protobuf') {
    let req;
    try {
      req = ExportTraceServiceRequest.decode(decoded);
    } catch (e) {
      return fail(400, `invalid protobuf ExportTraceServiceRequest: ${errorText(e)}`, format);
    }
    result = convertProtoRequest(req, convertOptions);
  } else {
    let text: string;
    try {
      text = utf8.decode(decoded);
    } catch {
      return fail(400, `invalid JSON: request body is not valid UTF-8`, format);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      if (e instanceof SyntaxError) return fail(400, `invalid JSON: ${e.message}`, format);
      // RangeError: nesting deep enough to exhaust the parser's stack.
      return fail(400, `invalid JSON: ${errorText(e)}`, format);
    }
    try {
      result = convertJsonRequest(doc, convertOptions);
    } catch (e) {
      if (e instanceof JsonShapeError) return fail(400, `invalid OTLP/JSON ExportTraceServiceRequest: ${e.message}`, format);
      if (e instanceof RangeError) return fail(400, `invalid OTLP/JSON ExportTraceServiceRequest: ${e.message}`, format);
      throw e;
    }
  }
  return { ok: true, spans: result.spans, rejected: result.rejected, warnings: result.warnings, format };
}
