/**
 * The compact form is smaller than the canonical OTLP/JSON form on real-shaped data: the
 * benchmark's Plano spans (bench/plano-workload.ts, decoded as ingest decodes them) for
 * attribute maps, and the OTel SDK fixture spans for events and links. Sizes are UTF-8
 * bytes of the JSON text; tests/integration/compact-attributes-sql.test.ts measures JSONB.
 */
import { describe, expect, it } from 'vitest';
import { planoWorkload } from '../../../bench/plano-workload';
import { decodeExportRequest, type SpanRecord } from '../../../lib/otlp';
import { decodeAttributes, encodeAttributes, encodeEvents, encodeLinks } from '../../../lib/otlp/compact-attributes';
import { makeSpans, toProtobuf } from './fixtures';

const END_MS = Date.UTC(2026, 0, 1);
const utf8 = new TextEncoder();
const bytes = (x: unknown) => utf8.encode(JSON.stringify(x)).length;

function decoded(body: Uint8Array): SpanRecord[] {
  const out = decodeExportRequest(body, { contentType: 'application/x-protobuf', maxBodyBytes: 1 << 26, nowMs: END_MS });
  if (!out.ok || out.rejected.length > 0) throw new Error(`workload did not decode: ${JSON.stringify(out)}`);
  return out.spans;
}

function benchSpans(totalSpans: number): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const { body } of planoWorkload({ totalSpans, seed: 13, endMs: END_MS, days: 1, spansPerBatch: 512 })) spans.push(...decoded(body));
  return spans;
}

const sum = (spans: SpanRecord[], size: (s: SpanRecord) => number) => spans.reduce((n, s) => n + size(s), 0);

describe('compact form size', () => {
  const spans = benchSpans(2000);

  it('bench-shaped span attributes: the compact form is under 70% of the canonical one and decodes back', () => {
    expect(spans.length).toBeGreaterThanOrEqual(2000);
    // The workload carries ints and doubles (tokens, cost, TTFT), not only strings.
    const kinds = new Set(spans.flatMap((s) => Object.values(s.attributes).map((v) => Object.keys(v)[0])));
    expect([...kinds].sort()).toEqual(['doubleValue', 'intValue', 'stringValue']);
    const verbose = sum(spans, (s) => bytes(s.attributes));
    const compact = sum(spans, (s) => bytes(encodeAttributes(s.attributes)));
    expect(compact / verbose).toBeLessThan(0.7);
    for (const s of spans.slice(0, 200)) expect(decodeAttributes(JSON.parse(JSON.stringify(encodeAttributes(s.attributes))))).toStrictEqual(s.attributes);
  });

  it('bench-shaped resource attributes: smaller too', () => {
    expect(sum(spans, (s) => bytes(encodeAttributes(s.resourceAttributes))) / sum(spans, (s) => bytes(s.resourceAttributes))).toBeLessThan(0.75);
  });

  it('SDK-shaped events and links: smaller too', async () => {
    const sdk = decoded(toProtobuf(await makeSpans()));
    const withEvents = sdk.filter((s) => s.events.length > 0);
    const withLinks = sdk.filter((s) => s.links.length > 0);
    expect(withEvents.length).toBeGreaterThan(0);
    expect(withLinks.length).toBeGreaterThan(0);
    expect(sum(withEvents, (s) => bytes(encodeEvents(s.events)))).toBeLessThan(sum(withEvents, (s) => bytes(s.events)) * 0.8);
    expect(sum(withLinks, (s) => bytes(encodeLinks(s.links)))).toBeLessThan(sum(withLinks, (s) => bytes(s.links)) * 0.8);
  });
});
