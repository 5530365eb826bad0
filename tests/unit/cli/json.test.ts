import { describe, expect, it } from 'vitest';
import { formatJson, toPlanoaiSpan, toPlanoaiTrace } from '../../../cli/trace/planoai-json';
import { T0, TRACE_ID, failedTrace } from './fixtures';

describe('planoai JSON shape', () => {
  it('a trace is {trace_id, spans}, spans in start order with planoai’s span fields', () => {
    const json = toPlanoaiTrace(failedTrace());
    expect(Object.keys(json)).toEqual(['trace_id', 'spans']);
    expect(json.trace_id).toBe(TRACE_ID);
    expect(json.spans.map((s) => s.name)).toEqual(['POST /v1/chat/completions', 'route', 'chat gpt-4o', 'POST /v1/chat/completions']);
    const [root, routing] = json.spans;
    expect(Object.keys(root).sort()).toEqual(['attributes', 'endTimeUnixNano', 'name', 'parentSpanId', 'service', 'spanId', 'startTimeUnixNano', 'traceId']);
    expect(root).toMatchObject({
      traceId: TRACE_ID,
      spanId: 'a000000000000001',
      parentSpanId: '',
      startTimeUnixNano: T0.toString(),
      endTimeUnixNano: (T0 + 1_511_300_000n).toString(),
      service: 'plano(inbound)',
    });
    expect(routing.parentSpanId).toBe('a000000000000001');
    expect(root.attributes).toContainEqual({ key: 'http.status_code', value: { stringValue: '502' } });
  });

  it('keeps OTLP value types (ints as strings, doubles, booleans)', () => {
    const llm = toPlanoaiSpan(failedTrace().spans[1]);
    expect(llm.attributes).toContainEqual({ key: 'llm.usage.total_tokens', value: { intValue: '1234' } });
    expect(llm.attributes).toContainEqual({ key: 'llm.usage.total_cost_usd', value: { doubleValue: 0.0123 } });
    expect(llm.attributes).toContainEqual({ key: 'llm.is_streaming', value: { boolValue: false } });
  });

  it('--filter patterns limit the attributes, as planoai does in JSON', () => {
    const json = toPlanoaiTrace(failedTrace(), { patterns: ['http.status_code'] });
    for (const s of json.spans) for (const a of s.attributes) expect(a.key).toBe('http.status_code');
    expect(json.spans.every((s) => s.attributes.length <= 1)).toBe(true);
  });

  it('adds the share URL when given, and prints with two-space indentation', () => {
    const json = toPlanoaiTrace(failedTrace(), { shareUrl: 'http://x/traces/1' });
    expect(json.share_url).toBe('http://x/traces/1');
    expect(formatJson({ trace_ids: ['a', 'b'] })).toBe('{\n  "trace_ids": [\n    "a",\n    "b"\n  ]\n}');
    expect(JSON.parse(formatJson({ traces: [json] }))).toEqual({ traces: [json] });
  });
});
