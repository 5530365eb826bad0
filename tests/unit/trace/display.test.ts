import { describe, expect, it } from 'vitest';
import { anyValueToText, bytesPreview, scalarText } from '@/lib/trace/any-value';
import { assignServiceColors, serviceSlot } from '@/lib/trace/colors';
import { errorMessage, formatEpochNs } from '@/lib/trace/format';
import { type SearchableSpan, searchHaystack, searchSpans } from '@/lib/trace/search';
import { axisTicks, formatNs, formatTick } from '@/lib/trace/time-axis';

describe('time axis', () => {
  it('picks 1-2-2.5-5 steps and labels ticks in one unit', () => {
    const { step, ticks } = axisTicks(1_230_000_000); // 1.23 s
    expect(step).toBe(250_000_000);
    expect(ticks).toEqual([0, 250e6, 500e6, 750e6, 1000e6]);
    expect(ticks.map((t) => formatTick(t, step, ticks[ticks.length - 1]))).toEqual(['0', '0.25s', '0.50s', '0.75s', '1.00s']);
    const small = axisTicks(800_000); // 0.8 ms
    expect(small.ticks.map((t) => formatTick(t, small.step, small.ticks[small.ticks.length - 1]))).toEqual(['0', '200µs', '400µs', '600µs', '800µs']);
    expect(axisTicks(0).ticks).toEqual([0]);
  });

  it('formats durations compactly', () => {
    expect(formatNs(850)).toBe('850ns');
    expect(formatNs(12_345)).toBe('12.3µs');
    expect(formatNs(4_560_000)).toBe('4.56ms');
    expect(formatNs(120_000_000)).toBe('120ms');
    expect(formatNs(2_345_000_000)).toBe('2.35s');
  });

  it('formats epoch nanoseconds exactly', () => {
    expect(formatEpochNs('1700000000123456789')).toBe('2023-11-14 22:13:20.123456789');
  });
});

describe('values', () => {
  it('renders typed values readably', () => {
    expect(anyValueToText({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, { boolValue: false }] } })).toBe('["a", 2, false]');
    expect(anyValueToText({ kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } })).toBe('{k: 1.5}');
    expect(bytesPreview('AAEC/w==')).toBe('0x000102ff (4 bytes)');
    expect(scalarText({ bytesValue: 'AA==' })).toBeNull();
  });

  it('finds the error message in the status, then error.message, then an exception event', () => {
    expect(errorMessage({ status: { code: 2, message: 'boom' }, attributes: {} })).toBe('boom');
    expect(errorMessage({ status: { code: 2, message: null }, attributes: { 'error.message': { stringValue: 'rate limited' } } })).toBe('rate limited');
    expect(
      errorMessage({
        status: { code: 2, message: null },
        attributes: {},
        events: [{ name: 'exception', attributes: { 'exception.message': { stringValue: 'oops' } } }],
      }),
    ).toBe('oops');
    expect(errorMessage({ status: { code: 0, message: null }, attributes: {} })).toBeNull();
  });
});

describe('service colours', () => {
  it('are stable per name and distinct within a trace', () => {
    expect(serviceSlot('plano(llm)')).toBe(serviceSlot('plano(llm)'));
    const services = ['plano(inbound)', 'plano(routing)', 'plano(llm)', 'plano(outbound)', 'a', 'b', 'c', 'd'];
    const slots = assignServiceColors(services);
    expect(new Set(slots.values()).size).toBe(services.length);
    // Order of appearance does not matter.
    expect(assignServiceColors([...services].reverse())).toEqual(slots);
  });
});

describe('search', () => {
  const spans: SearchableSpan[] = [
    { spanId: 'aaaa', name: 'POST /v1/chat 🚩', service: 'plano(inbound)', attributes: { 'user.id': { stringValue: 'usr_12' } }, resourceAttributes: {} },
    {
      spanId: 'bbbb',
      name: 'chat',
      service: 'plano(llm)',
      attributes: { tags: { arrayValue: { values: [{ stringValue: 'Needle' }] } } },
      resourceAttributes: { env: { stringValue: 'prod' } },
    },
  ];
  const hay = spans.map(searchHaystack);
  it('matches name, service, attribute values (nested too), ignoring case', () => {
    expect(searchSpans(hay, '  ')).toBeNull();
    expect(searchSpans(hay, 'PLANO')).toEqual([0, 1]);
    expect(searchSpans(hay, 'usr_12')).toEqual([0]);
    expect(searchSpans(hay, 'needle')).toEqual([1]);
    expect(searchSpans(hay, 'prod')).toEqual([1]);
    expect(searchSpans(hay, '🚩')).toEqual([0]);
    expect(searchSpans(hay, 'user.id')).toEqual([]); // keys are not values
  });
});

describe('packSpans', () => {
  it('round-trips stored spans and shares what groups of spans repeat', async () => {
    const { packSpans, unpackSpans } = await import('@/lib/trace/pack');
    const base = {
      traceId: 't'.repeat(32),
      traceState: null,
      tenantId: 'acme',
      kind: 1,
      service: 'svc',
      status: { code: 0, message: null },
      attributes: { a: { intValue: '1' } },
      resourceAttributes: { 'service.name': { stringValue: 'svc' } },
      events: [],
      links: [],
      scope: { name: 'lib', version: null },
      flags: 0,
    };
    const spans = [
      {
        ...base,
        spanId: 'a',
        parentSpanId: null,
        name: 'root',
        startTimeUnixNano: '1000000000000000000',
        endTimeUnixNano: '1000000000250000000',
        durationMs: 250,
      },
      {
        ...base,
        spanId: 'b',
        parentSpanId: 'a',
        name: 'child',
        startTimeUnixNano: '1000000000000000001',
        endTimeUnixNano: '1000000000000000002',
        durationMs: 0.000001,
        flags: 1,
        traceState: 'x=y',
        events: [{ timeUnixNano: '1', name: 'e', attributes: {} }],
      },
      {
        ...base,
        spanId: 'c',
        parentSpanId: 'a',
        name: 'other',
        service: 'svc2',
        startTimeUnixNano: '1000000000000000000',
        endTimeUnixNano: '1000000000000000000',
        durationMs: 0,
      },
      // ends before it starts (bad clocks): kept as is
      {
        ...base,
        spanId: 'd',
        parentSpanId: null,
        name: 'skewed',
        status: { code: 2, message: 'x' },
        startTimeUnixNano: '1000000000500000000',
        endTimeUnixNano: '1000000000400000000',
        durationMs: -100,
      },
    ];
    const packed = packSpans(base.traceId, spans);
    expect(packed.groups).toHaveLength(2);
    expect(packed.baseNs).toBe('1000000000000000000');
    expect(unpackSpans(JSON.parse(JSON.stringify(packed)))).toEqual(spans);
  });
});
