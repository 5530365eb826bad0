/**
 * How a batch's columns travel to the ingest statement (db/ingest.ts spansInput): each
 * column as one text joined by U+0001 with U+0002 for NULL, or as a text[] when a value
 * holds one of those marks. Values that could be confused by that transport are stored
 * exactly: the marks themselves inside text and JSON, empty strings beside NULLs, and a
 * one-span batch whose value is '' (string_to_array reads an empty text as no element).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrace } from '../../db/queries/get-trace';
import type { StoredSpan } from '../../lib/trace/wire';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const traceId = () => randomBytes(16).toString('hex');
const spanId = () => randomBytes(8).toString('hex');

describeEachDatabase('ingest column transport', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function spansOf(id: string): Promise<StoredSpan[]> {
    const found = await getTrace(database.db, { traceId: id });
    if (found.status !== 'found') throw new Error(`trace ${id}: ${found.status}`);
    return found.spans;
  }

  it("a one-span batch keeps '' apart from NULL in every text column", async () => {
    const id = traceId();
    const span = spanRecord({ traceId: id, spanId: spanId(), traceState: '', statusMessage: '', scopeName: '', scopeVersion: null, name: '' });
    expect(await storeRecords(database.db, [span])).toEqual({ inserted: 1, duplicates: 0 });
    const [stored] = await spansOf(id);
    expect(stored).toMatchObject({
      tenantId: '',
      traceState: '',
      name: '',
      status: { code: 0, message: '' },
      scope: { name: '', version: null },
      parentSpanId: null,
    });
  });

  it('text and JSON values holding U+0001 and U+0002 are stored exactly, beside NULLs and empty strings', async () => {
    const id = traceId();
    const root = spanRecord({
      traceId: id,
      spanId: spanId(),
      name: 'a\u0001b',
      statusMessage: '\u0002',
      attributes: { 'note\u0001key': { stringValue: 'x\u0001y\u0002z' }, empty: { stringValue: '' } },
      resourceAttributes: { 'service.name': { stringValue: 'svc\u0002' } },
    });
    const child = spanRecord({
      traceId: id,
      spanId: spanId(),
      parentSpanId: root.spanId,
      name: 'child',
      statusMessage: null,
      traceState: '',
      events: [{ timeUnixNano: '1700000000100000000', name: 'e\u0001', attributes: {}, droppedAttributesCount: 0 }],
      startTimeUnixNano: root.startTimeUnixNano + 1n,
    });
    expect(await storeRecords(database.db, [root, child])).toEqual({ inserted: 2, duplicates: 0 });
    const byName = new Map((await spansOf(id)).map((s) => [s.name, s]));
    expect(byName.get('a\u0001b')).toMatchObject({
      status: { message: '\u0002' },
      traceState: null,
      attributes: root.attributes,
      resourceAttributes: root.resourceAttributes,
    });
    expect(byName.get('child')).toMatchObject({ parentSpanId: root.spanId, status: { message: null }, traceState: '', events: child.events });
  });

  describe('a batch whose every value of a column is NULL', () => {
    it('stores NULL for each span', async () => {
      const id = traceId();
      const spans = [0, 1, 2].map((i) => spanRecord({ traceId: id, spanId: spanId(), name: `s${i}`, statusMessage: null, scopeVersion: null }));
      await storeRecords(database.db, spans);
      const stored = await spansOf(id);
      expect(stored.map((s) => [s.status.message, s.scope.version])).toEqual([
        [null, null],
        [null, null],
        [null, null],
      ]);
    });
  });
});
