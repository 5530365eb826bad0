import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeExportRequest, type DecodeFailure, type DecodeOutcome } from '../../../lib/otlp';
import { makeSpans, nestedArrays, requestWithAttribute, toJson, toProtobuf } from './fixtures';

const PB = 'application/x-protobuf';
const JSON_CT = 'application/json';
const LIMITS = { maxBodyBytes: 1 << 20 };

function failed(out: DecodeOutcome): DecodeFailure {
  if (out.ok) throw new Error('expected a failure');
  return out;
}

let source: ReadableSpan[];
let pbBody: Uint8Array;
let jsonBody: Uint8Array;
beforeAll(async () => {
  source = await makeSpans();
  pbBody = toProtobuf(source);
  jsonBody = toJson(source);
});

describe('content type', () => {
  it.each(['text/plain', 'application/grpc', 'application/xml', 'multipart/form-data; boundary=x'])('%s → 415', (ct) => {
    const out = failed(decodeExportRequest(pbBody, { contentType: ct, ...LIMITS }));
    expect(out.status).toBe(415);
    expect(out.message).toContain('application/x-protobuf');
    expect(out.message).toContain('application/protobuf');
    expect(out.message).toContain('application/json');
    expect(out.format).toBe('json');
  });

  it('missing content type → 415', () => {
    for (const ct of [null, undefined, '', '  ']) {
      const out = failed(decodeExportRequest(pbBody, { contentType: ct, ...LIMITS }));
      expect(out.status).toBe(415);
      expect(out.message).toMatch(/missing Content-Type/);
    }
  });

  it('JSON with a non-UTF-8 charset → 415', () => {
    const out = failed(decodeExportRequest(jsonBody, { contentType: 'application/json; charset=iso-8859-1', ...LIMITS }));
    expect(out.status).toBe(415);
    expect(out.message).toMatch(/charset/);
    const quoted = decodeExportRequest(jsonBody, { contentType: 'application/json; charset="UTF-8"', ...LIMITS });
    expect(quoted.ok).toBe(true);
  });
});

describe('content encoding', () => {
  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['br', brotliCompressSync],
    ['GZIP', gzipSync],
  ] as const)('%s is decoded', (enc, compress) => {
    const out = decodeExportRequest(compress(pbBody), { contentType: PB, contentEncoding: enc, ...LIMITS });
    expect(out.ok && out.spans.length).toBe(source.length);
  });

  it('identity, empty and absent encodings pass the body through', () => {
    for (const enc of ['identity', '', null, undefined]) {
      const out = decodeExportRequest(pbBody, { contentType: PB, contentEncoding: enc, ...LIMITS });
      expect(out.ok && out.spans.length).toBe(source.length);
    }
  });

  it('stacked encodings are undone right to left', () => {
    const body = brotliCompressSync(gzipSync(pbBody));
    const out = decodeExportRequest(body, { contentType: PB, contentEncoding: 'gzip, br', ...LIMITS });
    expect(out.ok && out.spans.length).toBe(source.length);
  });

  it('unsupported encoding → 415 naming the supported ones', () => {
    const out = failed(decodeExportRequest(pbBody, { contentType: PB, contentEncoding: 'zstd', ...LIMITS }));
    expect(out.status).toBe(415);
    expect(out.message).toContain('"zstd"');
    expect(out.message).toContain('gzip');
    expect(out.format).toBe('protobuf');
  });

  it('gzip header on a non-gzip body → 400 with the zlib reason', () => {
    const out = failed(decodeExportRequest(pbBody, { contentType: PB, contentEncoding: 'gzip', ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid gzip body: incorrect header check/);
  });

  it('truncated gzip → 400', () => {
    const gz = gzipSync(pbBody);
    const out = failed(decodeExportRequest(gz.subarray(0, gz.length - 10), { contentType: PB, contentEncoding: 'gzip', ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/invalid gzip body/);
  });
});

describe('size limits', () => {
  it('body over maxBodyBytes → 413', () => {
    const out = failed(decodeExportRequest(pbBody, { contentType: PB, maxBodyBytes: pbBody.length - 1 }));
    expect(out.status).toBe(413);
    expect(out.message).toBe(`request body is ${pbBody.length} bytes; the limit is ${pbBody.length - 1} bytes`);
    expect(decodeExportRequest(pbBody, { contentType: PB, maxBodyBytes: pbBody.length }).ok).toBe(true);
  });

  it('gzip bomb → 413 without inflating it all', () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20), { level: 9 }); // 64 MiB of zeros in ~64 KB
    expect(bomb.length).toBeLessThan(1 << 20);
    const started = performance.now();
    const out = failed(decodeExportRequest(bomb, { contentType: PB, contentEncoding: 'gzip', maxBodyBytes: 1 << 20, maxDecompressedBytes: 4 << 20 }));
    expect(out.status).toBe(413);
    expect(out.message).toBe(`decompressed request body exceeds the limit of ${4 << 20} bytes`);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('maxDecompressedBytes defaults to 4 × maxBodyBytes', () => {
    const body = gzipSync(Buffer.alloc(5000));
    const out = failed(decodeExportRequest(body, { contentType: PB, contentEncoding: 'gzip', maxBodyBytes: 1000 }));
    expect(out.status).toBe(413);
    expect(out.message).toContain('4000 bytes');
  });

  it('decompressed size exactly at the limit is fine', () => {
    const body = gzipSync(pbBody);
    const out = decodeExportRequest(body, { contentType: PB, contentEncoding: 'gzip', maxBodyBytes: body.length, maxDecompressedBytes: pbBody.length });
    expect(out.ok).toBe(true);
  });
});

describe('undecodable bodies → 400 with the reason', () => {
  it('garbage protobuf', () => {
    const out = failed(decodeExportRequest(Buffer.from('this is not a protobuf message'), { contentType: PB, ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid protobuf ExportTraceServiceRequest: invalid wire type \d+ at offset \d+/);
    expect(out.format).toBe('protobuf');
  });

  it('truncated protobuf', () => {
    const out = failed(decodeExportRequest(pbBody.subarray(0, Math.floor(pbBody.length / 2)), { contentType: PB, ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid protobuf ExportTraceServiceRequest: index out of range/);
  });

  it('JSON sent as protobuf', () => {
    const out = failed(decodeExportRequest(jsonBody, { contentType: PB, ...LIMITS }));
    expect(out.status).toBe(400);
  });

  it('garbage JSON', () => {
    const out = failed(decodeExportRequest(Buffer.from('{"resourceSpans": [}'), { contentType: JSON_CT, ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid JSON: /);
    expect(out.format).toBe('json');
  });

  it('protobuf sent as JSON', () => {
    const out = failed(decodeExportRequest(pbBody, { contentType: JSON_CT, ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid JSON/);
  });

  it('empty JSON body', () => {
    const out = failed(decodeExportRequest(new Uint8Array(0), { contentType: JSON_CT, ...LIMITS }));
    expect(out.status).toBe(400);
  });

  it('invalid UTF-8 in JSON', () => {
    const body = Buffer.concat([Buffer.from('{"resourceSpans":[],"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const out = failed(decodeExportRequest(body, { contentType: JSON_CT, ...LIMITS }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/UTF-8/);
  });

  it('a JSON array or scalar at the top level', () => {
    for (const text of ['[]', '42', 'null', '"x"']) {
      const out = failed(decodeExportRequest(Buffer.from(text), { contentType: JSON_CT, ...LIMITS }));
      expect(out.status).toBe(400);
      expect(out.message).toMatch(/expected (a JSON object|an object)/);
    }
  });

  it('deeply nested protobuf AnyValue → 400, not a crash', () => {
    const body = requestWithAttribute('deep', nestedArrays(100_000));
    const out = failed(decodeExportRequest(body, { contentType: PB, maxBodyBytes: 64 << 20 }));
    expect(out.status).toBe(400);
    expect(out.message).toMatch(/^invalid protobuf ExportTraceServiceRequest: /);
  });
});

it('an empty protobuf body is a valid empty request', () => {
  const out = decodeExportRequest(new Uint8Array(0), { contentType: PB, ...LIMITS });
  expect(out).toStrictEqual({ ok: true, spans: [], rejected: [], warnings: [], format: 'protobuf' });
});

it('an empty JSON object is a valid empty request', () => {
  const out = decodeExportRequest(Buffer.from('{}'), { contentType: JSON_CT, ...LIMITS });
  expect(out).toStrictEqual({ ok: true, spans: [], rejected: [], warnings: [], format: 'json' });
});
