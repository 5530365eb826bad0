import { describe, expect, it } from 'vitest';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  MAX_ERROR_MESSAGE_LENGTH,
  decodeExportRequest,
  encodeErrorStatus,
  encodeExportResponse,
  responseContentType,
  rpcCodeForHttpStatus,
  rpcStatusType,
  summarizeRejected,
  type RejectedSpan,
} from '../../../lib/otlp';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../../lib/otlp/proto';

const rejected: RejectedSpan[] = [
  { index: 3, reason: 'trace_id must be 16 bytes (got 15)' },
  { index: 7, reason: 'start_time_unix_nano must not be 0' },
];

describe('encodeExportResponse', () => {
  it('protobuf: empty message when everything was accepted', () => {
    const bytes = encodeExportResponse('protobuf', []);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(0);
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes))).toStrictEqual({});
  });

  it('protobuf: partial_success round-trips through the generated decoder', () => {
    const bytes = encodeExportResponse('protobuf', rejected);
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: String });
    expect(decoded).toStrictEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: '2 spans rejected: span 3: trace_id must be 16 bytes (got 15); span 7: start_time_unix_nano must not be 0',
      },
    });
  });

  it('protobuf: the OpenTelemetry exporter reads it back', () => {
    const bytes = encodeExportResponse('protobuf', rejected);
    const res = ProtobufTraceSerializer.deserializeResponse(bytes);
    expect(Number(res.partialSuccess?.rejectedSpans)).toBe(2);
    expect(res.partialSuccess?.errorMessage).toMatch(/^2 spans rejected: span 3: /);
  });

  it('json: {} when everything was accepted, partialSuccess otherwise', () => {
    expect(encodeExportResponse('json', [])).toBe('{}');
    const text = encodeExportResponse('json', rejected);
    const parsed = JSON.parse(text);
    expect(parsed).toStrictEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: '2 spans rejected: span 3: trace_id must be 16 bytes (got 15); span 7: start_time_unix_nano must not be 0',
      },
    });
    // proto3 JSON: the generated code accepts it too.
    const msg = ExportTraceServiceResponse.fromObject(parsed);
    expect(ExportTraceServiceResponse.toObject(msg, { longs: Number }).partialSuccess).toMatchObject({ rejectedSpans: 2 });
    const viaExporter = JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(text));
    expect(viaExporter.partialSuccess?.errorMessage).toContain('span 7');
  });

  it('end to end: decode a request with a bad span and answer with partial_success', () => {
    const req = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), startTimeUnixNano: '1', endTimeUnixNano: '2' },
                  { traceId: Buffer.alloc(15, 1), spanId: Buffer.alloc(8, 2), startTimeUnixNano: '1', endTimeUnixNano: '2' },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const out = decodeExportRequest(req, { contentType: 'application/x-protobuf', maxBodyBytes: 1 << 20 });
    if (!out.ok) throw new Error(out.message);
    expect(out.format).toBe('protobuf');
    const res = ExportTraceServiceResponse.decode(encodeExportResponse('protobuf', out.rejected));
    expect(ExportTraceServiceResponse.toObject(res, { longs: String })).toStrictEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: span 1: trace_id must be 16 bytes (got 15)' },
    });
  });
});

describe('summarizeRejected', () => {
  it('caps the message length and says how many were left out', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ index: i, reason: `span_id must be 8 bytes (got ${i % 8})` }));
    const msg = summarizeRejected(many, MAX_ERROR_MESSAGE_LENGTH);
    expect(msg.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    expect(msg).toMatch(/^500 spans rejected: span 0: span_id must be 8 bytes \(got 0\); span 1: /);
    const shown = (msg.match(/; span \d+:/g) ?? []).length + 1;
    expect(msg).toMatch(new RegExp(`; … \\(${500 - shown} more\\)$`));
  });

  it('cuts a single over-long reason', () => {
    const msg = summarizeRejected(
      [
        { index: 0, reason: 'x'.repeat(5000) },
        { index: 1, reason: 'y' },
      ],
      200,
    );
    expect(msg.length).toBeLessThanOrEqual(200);
    expect(msg).toMatch(/^2 spans rejected: span 0: x+…; … \(1 more\)$/);
  });

  it('exactly fitting messages are not cut', () => {
    const full = summarizeRejected(rejected, 10_000);
    expect(summarizeRejected(rejected, full.length)).toBe(full);
    expect(summarizeRejected(rejected, full.length - 1).length).toBeLessThanOrEqual(full.length - 1);
  });

  it('encodeExportResponse uses the capped summary', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ index: i, reason: 'trace_id must not be all zeros' }));
    const res = ExportTraceServiceResponse.decode(encodeExportResponse('protobuf', many));
    expect(res.partialSuccess?.errorMessage?.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    expect(ExportTraceServiceResponse.toObject(res, { longs: Number }).partialSuccess).toMatchObject({ rejectedSpans: 1000 });
  });
});

describe('encodeErrorStatus (google.rpc.Status)', () => {
  it('protobuf Status decodes with the reflected type', () => {
    const bytes = encodeErrorStatus('invalid protobuf ExportTraceServiceRequest: index out of range', 'protobuf');
    expect(bytes).toBeInstanceOf(Uint8Array);
    const T = rpcStatusType();
    expect(T.toObject(T.decode(bytes))).toStrictEqual({ code: 3, message: 'invalid protobuf ExportTraceServiceRequest: index out of range' });
  });

  it('JSON Status', () => {
    expect(JSON.parse(encodeErrorStatus('too big', 'json', 413))).toStrictEqual({ code: 8, message: 'too big' });
    expect(JSON.parse(encodeErrorStatus('bad', 'json'))).toStrictEqual({ code: 3, message: 'bad' });
  });

  it('wire bytes match the google.rpc.Status layout (code=1 varint, message=2 string)', () => {
    const bytes = Buffer.from(encodeErrorStatus('hi', 'protobuf', 413));
    expect([...bytes]).toStrictEqual([0x08, 8, 0x12, 2, 0x68, 0x69]);
  });

  it('decoder failures map straight onto an error body', () => {
    const out = decodeExportRequest(Buffer.from('nope'), { contentType: 'application/json', maxBodyBytes: 100 });
    if (out.ok) throw new Error('expected failure');
    const body = encodeErrorStatus(out.message, out.format, out.status);
    expect(typeof body).toBe('string');
    expect(JSON.parse(body as string)).toMatchObject({ code: 3 });
  });

  it.each([
    [400, 3],
    [413, 8],
    [415, 3],
    [429, 8],
    [500, 13],
    [503, 14],
  ])('HTTP %i → google.rpc.Code %i', (http, code) => {
    expect(rpcCodeForHttpStatus(http)).toBe(code);
  });
});

describe('responseContentType', () => {
  it.each([
    ['json', undefined, 'application/json'],
    ['protobuf', undefined, 'application/x-protobuf'],
    ['protobuf', 'application/x-protobuf', 'application/x-protobuf'],
    ['protobuf', 'Application/Protobuf; foo=bar', 'application/protobuf'],
    ['json', 'application/json; charset=utf-8', 'application/json'],
  ] as const)('%s (request %s) → %s', (format, req, want) => {
    expect(responseContentType(format, req)).toBe(want);
  });
});
