/**
 * The shared limit step (lib/otlp/assemble.ts) driven by a reader of plain test
 * objects: what it decides does not depend on the wire format that feeds it.
 */
import { describe, expect, it } from 'vitest';
import {
  ExportAssembly,
  type ReadAttribute,
  type ReadItem,
  type WireEvent,
  type WireLink,
  type WireSpan,
  limitAttributes,
  limitEvents,
  limitLinks,
} from '../../../lib/otlp/assemble';
import { DEFAULT_INGEST_LIMITS, type IngestLimits, SpanLimiter } from '../../../lib/otlp/limits';
import type { OtlpAnyValue } from '../../../lib/otlp/span-record';

/** A test attribute: a key and a string value, or a value nested `depth` arrays deep. */
type Entry = { key: string; text?: string; depth?: number } | null;

function nested(depth: number, level: number, lim: SpanLimiter): OtlpAnyValue {
  if (level > depth) return { stringValue: 'leaf' };
  lim.nest(level);
  return { arrayValue: { values: [nested(depth, level + 1, lim)] } };
}

const readEntry: ReadAttribute<Entry> = (entry, _i, slot, lim) => {
  if (entry === null) return false;
  slot.key = entry.key;
  slot.value = entry.depth ? nested(entry.depth, 1, lim) : { stringValue: lim.text(entry.text ?? '') };
  return true;
};

function limiter(over: Partial<IngestLimits> = {}): SpanLimiter {
  return new SpanLimiter({ ...DEFAULT_INGEST_LIMITS, ...over });
}

describe('limitAttributes', () => {
  it('keeps the first N keys, lets later duplicates update them, and counts what it leaves out', () => {
    const lim = limiter({ maxAttributes: 2 });
    const map = limitAttributes<Entry>(
      [{ key: 'a', text: '1' }, null, { key: 'b', text: '2' }, { key: 'c', text: '3' }, { key: 'a', text: '4' }],
      readEntry,
      lim,
    );
    expect(map).toStrictEqual({ a: { stringValue: '4' }, b: { stringValue: '2' } });
    expect(lim.mapDropped).toBe(1);
    expect(lim.warning()).toBe('1 attributes over the 2-per-map limit dropped');
  });

  it('does not report truncations in attributes it drops', () => {
    const lim = limiter({ maxAttributes: 1, maxValueLength: 3 });
    const map = limitAttributes<Entry>(
      [
        { key: 'kept', text: 'abcdef' },
        { key: 'x'.repeat(513), text: 'abcdef' },
        { key: 'over', text: 'abcdef' },
      ],
      readEntry,
      lim,
    );
    expect(map).toStrictEqual({ kept: { stringValue: 'abc' } });
    expect(lim.mapDropped).toBe(2);
    expect(lim.warning()).toBe(
      '1 attributes over the 1-per-map limit dropped, 1 attributes with keys over 512 characters dropped, 1 values truncated to 3 characters/bytes',
    );
  });

  it('cleans keys, and names the attribute whose value nests too deeply', () => {
    const lim = limiter({ maxDepth: 2 });
    expect(limitAttributes<Entry>([{ key: 'n\u0000ul', text: 'v' }], readEntry, lim)).toStrictEqual({ 'n\ufffdul': { stringValue: 'v' } });
    expect(() =>
      limitAttributes<Entry>(
        [
          { key: 'ok', depth: 1 },
          { key: 'de\u0000ep', depth: 2 },
        ],
        readEntry,
        lim,
      ),
    ).toThrow('attribute "de\ufffdep" nests deeper than 2 levels');
  });
});

describe('limitEvents and limitLinks', () => {
  type Item = { name: string; badId?: boolean };
  const event: ReadItem<Item, WireEvent> = (item, _i, lim) => ({
    timeUnixNano: '1',
    name: item.name,
    attributes: {},
    attributesDropped: 0,
    droppedAttributesCount: lim.limits.maxEvents,
  });
  const link: ReadItem<Item, WireLink> = (item) => ({
    idReason: item.badId ? 'span_id is not valid hex' : null,
    traceId: 't',
    spanId: 's',
    traceState: item.name,
    attributes: {},
    attributesDropped: 0,
    droppedAttributesCount: 0,
  });

  it('keep the first N, count the rest, and cut names like values', () => {
    const lim = limiter({ maxEvents: 2, maxLinks: 1, maxValueLength: 2 });
    const events = limitEvents([{ name: 'abc' }, { name: 'd' }, { name: 'e' }], event, lim);
    expect(events).toStrictEqual([
      { timeUnixNano: '1', name: 'ab', attributes: {}, droppedAttributesCount: 2 },
      { timeUnixNano: '1', name: 'd', attributes: {}, droppedAttributesCount: 2 },
    ]);
    expect(limitLinks([{ name: 'xyz' }, { name: 'w' }], link, lim)).toStrictEqual([{ traceId: 't', spanId: 's', traceState: 'xy', attributes: {} }]);
    expect(lim.droppedEvents).toBe(1);
    expect(lim.droppedLinks).toBe(1);
  });

  it('a bad id rejects the span only in a kept link; dropped ones are read only when asked to', () => {
    const lim = limiter({ maxLinks: 1 });
    expect(() => limitLinks([{ name: '' }, { name: '', badId: true }], link, lim, true)).not.toThrow();
    expect(() => limitLinks([{ name: '', badId: true }], link, lim)).toThrow('link 0: span_id is not valid hex');
    const seen: string[] = [];
    const spy: ReadItem<Item, WireLink> = (item, i, l) => (seen.push(`${i}`), link(item, i, l));
    limitLinks([{ name: '' }, { name: '' }, { name: '' }], spy, lim);
    expect(seen).toStrictEqual(['0']);
    limitLinks([{ name: '' }, { name: '' }, { name: '' }], spy, lim, true);
    expect(seen).toStrictEqual(['0', '0', '1', '2']);
  });
});

describe('ExportAssembly', () => {
  const TRACE = '5b8efff798038103d269b633813fc60c';
  function wire(over: Partial<WireSpan> = {}): WireSpan {
    return {
      idReason: null,
      traceId: TRACE,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: '0000000000000000',
      traceState: '',
      name: 'op',
      kind: 2,
      flags: 0xffffffff,
      startTimeUnixNano: 1_700_000_000_000_000_000n,
      endTimeUnixNano: 1_700_000_000_000_000_001n,
      statusCode: 0,
      statusMessage: '',
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      attributes: {},
      attributesDropped: 0,
      events: [],
      links: [],
      nestedReason: null,
      ...over,
    };
  }
  const attributesFrom = (entries: Entry[]) => (w: WireSpan, _src: null, lim: SpanLimiter) => {
    w.attributes = limitAttributes(entries, readEntry, lim);
    w.attributesDropped = lim.mapDropped;
  };
  const noNested = () => {};

  it('ranks an id problem before a time problem before a nested one, and numbers spans across resources', () => {
    const out = new ExportAssembly({ nowMs: 1_700_000_000_000, limits: { ...DEFAULT_INGEST_LIMITS, maxDepth: 1 } });
    const scope = out.scope(out.resource(0, [], readEntry), 'lib', '');
    const deep = attributesFrom([{ key: 'd', depth: 1 }]);
    out.span(scope, wire({ idReason: 'span_id must not be all zeros', startTimeUnixNano: 0n }), null, deep);
    out.span(scope, wire({ startTimeUnixNano: 0n }), null, deep);
    out.span(scope, wire(), null, deep);
    out.span(out.scope(out.resource(1, [], readEntry), null, null), wire({ endTimeUnixNano: 1_800_000_000_000_000_000n }), null, noNested);
    expect(out.finish().rejected).toStrictEqual([
      { index: 0, reason: 'span_id must not be all zeros' },
      { index: 1, reason: 'start_time_unix_nano must not be 0' },
      { index: 2, reason: 'attribute "d" nests deeper than 1 levels' },
      {
        index: 3,
        reason: 'end_time_unix_nano (1800000000000000000) is in the future (later than 1700086400000000000, the server clock plus the allowed skew)',
      },
    ]);
  });

  it('builds the record: zero parent as root, enums outside their range, flags as int32, dropped counts added', () => {
    const out = new ExportAssembly({ limits: { ...DEFAULT_INGEST_LIMITS, maxAttributes: 1 } });
    const resource = out.resource(0, [{ key: 'service.name', text: 'checkout' }], readEntry);
    const scope = out.scope(resource, 'lib', '1.0');
    out.span(
      scope,
      wire({ kind: 9, statusCode: 7, droppedAttributesCount: 2 }),
      null,
      attributesFrom([
        { key: 'a', text: '1' },
        { key: 'b', text: '2' },
      ]),
    );
    const { spans, warnings } = out.finish();
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      parentSpanId: null,
      traceState: null,
      statusMessage: null,
      kind: 0,
      statusCode: 0,
      flags: -1,
      service: 'checkout',
      scopeName: 'lib',
      scopeVersion: '1.0',
      attributes: { a: { stringValue: '1' } },
      droppedAttributesCount: 3,
    });
    expect(spans[0].resourceAttributes).toBe(resource.attributes);
    expect(warnings).toStrictEqual([
      'span 0: 1 attributes over the 1-per-map limit dropped, unknown kind 9 stored as SPAN_KIND_UNSPECIFIED, unknown status code 7 stored as STATUS_CODE_UNSET',
    ]);
  });

  it('a resource rejected for its attributes rejects each of its spans, and its warnings are its own', () => {
    const out = new ExportAssembly({ limits: { ...DEFAULT_INGEST_LIMITS, maxDepth: 1, maxValueLength: 1 } });
    const bad = out.resource(0, [{ key: 'r', depth: 1 }], readEntry);
    expect(bad).toMatchObject({ service: 'unknown_service', reason: 'resource attribute "r" nests deeper than 1 levels' });
    out.span(out.scope(bad, null, null), wire(), null, noNested);
    out.unreadableSpan(out.scope(bad, null, null), 'span is null');
    const good = out.resource(1, [{ key: 'k', text: 'long' }], readEntry);
    out.unreadableSpan(out.scope(good, null, null), 'span is null');
    expect(out.finish()).toStrictEqual({
      spans: [],
      rejected: [
        { index: 0, reason: 'resource attribute "r" nests deeper than 1 levels' },
        { index: 1, reason: 'resource attribute "r" nests deeper than 1 levels' },
        { index: 2, reason: 'span is null' },
      ],
      warnings: ['resource 1: 1 values truncated to 1 characters/bytes'],
    });
  });
});
