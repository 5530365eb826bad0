/** Small OTLP export requests with fresh random ids, as OTLP/JSON or protobuf, for tests that count spans. */
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../lib/otlp/proto';

export type FreshBatch = { traceId: string; spanIds: string[]; json: string; protobuf: Uint8Array };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** One trace of `spans` spans (a root and its children) under `tenant`, timed now. */
export function freshBatch(spans = 12, tenant = 'test', service = 'fresh-batch'): FreshBatch {
  const traceId = hex(16);
  const spanIds = Array.from({ length: spans }, () => hex(8));
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const list = spanIds.map((spanId, i) => ({
    traceId,
    spanId,
    ...(i > 0 ? { parentSpanId: spanIds[0] } : {}),
    name: i === 0 ? 'POST /v1/chat/completions' : `step ${i}`,
    kind: i === 0 ? 2 : 1,
    startTimeUnixNano: (nowNs + BigInt(i) * 1000n).toString(),
    endTimeUnixNano: (nowNs + 5_000_000n).toString(),
    attributes: [{ key: 'tenant.id', value: { stringValue: tenant } }],
  }));
  const request = (ids: (s: string) => string | Buffer) => ({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'tests' },
            spans: list.map((s) => ({
              ...s,
              traceId: ids(s.traceId),
              spanId: ids(s.spanId),
              ...(s.parentSpanId ? { parentSpanId: ids(s.parentSpanId) } : {}),
            })),
          },
        ],
      },
    ],
  });
  const json = JSON.stringify(request((id) => id));
  const protobuf = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request((id) => Buffer.from(id, 'hex')))).finish();
  return { traceId, spanIds, json, protobuf };
}
