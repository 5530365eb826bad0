/**
 * The attribute catalog (db/catalog-buffer.ts) behind autocomplete: key and value counts
 * per stored span, and a high-cardinality key (ids) that stops collecting values at
 * MAX_TRACKED_VALUES while its key count goes on.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_TRACKED_VALUES, flushCatalog } from '../../db/catalog-buffer';
import { listAttributeKeys, listAttributeValues } from '../../db/queries/attributes';
import type { SpanRecord } from '../../lib/otlp/span-record';
import { type TestDatabase, describeEachDatabase, openTestDatabase } from '../support/databases';
import { spanRecord } from '../support/span-record';
import { storeRecords } from '../support/store-spans';

const str = (v: string) => ({ stringValue: v });

/** `count` one-span traces, the i-th with request.id `${prefix}-${i}` and a model from a short list. */
function spans(prefix: string, count: number): SpanRecord[] {
  // One resource object for the batch, as the decoders give the spans of one resource.
  const resourceAttributes = { 'service.name': str('gateway') };
  return Array.from({ length: count }, (_, i) =>
    spanRecord({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      attributes: { 'request.id': str(`${prefix}-${i}`), 'llm.model': str(i % 3 === 0 ? 'gpt-4o' : 'claude') },
      resourceAttributes,
    }),
  );
}

describeEachDatabase('attribute catalog', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const keyInfo = async (key: string) =>
    (await listAttributeKeys(database.db, { maxValues: MAX_TRACKED_VALUES })).find((k) => k.key === key && k.scope === 'span');
  const values = (key: string, limit = 5000) => listAttributeValues(database.db, { key, limit, tenantKey: 'tenant.id' });

  it('counts keys and values per stored span', async () => {
    await storeRecords(database.db, spans('a', 30));
    expect(await keyInfo('llm.model')).toMatchObject({ seenCount: 30, valueType: 'string', highCardinality: false });
    expect(await values('llm.model')).toEqual([
      { value: 'claude', count: 20 },
      { value: 'gpt-4o', count: 10 },
    ]);
    // A resource's attributes count once per batch, not once per span.
    const service = (await listAttributeKeys(database.db, { maxValues: MAX_TRACKED_VALUES })).find((k) => k.key === 'service.name');
    expect(service).toMatchObject({ scope: 'resource', seenCount: 1 });
  });

  it('a key past MAX_TRACKED_VALUES distinct values keeps counting spans but collects no new values', async () => {
    // One flush below the cap, then (usually) one flush of 1,000 new values: the key takes only the room it has left.
    await storeRecords(database.db, spans('b0', 500));
    await flushCatalog(database.db);
    for (let b = 1; b < 3; b++) await storeRecords(database.db, spans(`b${b}`, 500));
    // However the batches fell into flushes, the key holds exactly the cap.
    const before = await values('request.id');
    expect(before.length).toBe(MAX_TRACKED_VALUES);
    expect(await keyInfo('request.id')).toMatchObject({ seenCount: 1530, highCardinality: true });

    await storeRecords(database.db, spans('late', 20));
    expect(await keyInfo('request.id')).toMatchObject({ seenCount: 1550, highCardinality: true });
    const after = await values('request.id');
    expect(after.length).toBe(before.length);
    expect(after.some((v) => v.value.startsWith('late-'))).toBe(false);
    // Other keys still collect their values.
    expect(await values('llm.model')).toEqual([
      { value: 'claude', count: 20 + 3 * 333 + 13 },
      { value: 'gpt-4o', count: 10 + 3 * 167 + 7 },
    ]);
  });

  it('a key seen both as a span and as a resource attribute (one catalog row per scope) still lets values in', async () => {
    const both = { 'deployment.region': str('eu-west-1') };
    await storeRecords(database.db, [
      spanRecord({
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        attributes: { ...both, 'plan.tier': str('gold') },
        resourceAttributes: both,
      }),
    ]);
    expect(await values('plan.tier')).toEqual([{ value: 'gold', count: 1 }]);
    await storeRecords(database.db, [
      spanRecord({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), attributes: { ...both, 'plan.tier': str('silver') } }),
    ]);
    expect(await values('plan.tier')).toEqual([
      { value: 'gold', count: 1 },
      { value: 'silver', count: 1 },
    ]);
  });
});
