/**
 * Properties of aggregate queries (lib/where/pipeline.ts), fuzzed with fast-check:
 * canonical text round-trips, any spelling parses back, hostile text never throws,
 * a filter keeps its meaning before `| …`, and the compiled statement
 * (db/queries/aggregate.ts) carries user text only in its parameters.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateStatement } from '../../../db/queries/aggregate';
import { BUILT_IN_ATTRIBUTE_MAPPING } from '../../../lib/enrich/promoted-columns';
import { bucketGrid } from '../../../lib/metrics/bucket';
import {
  AGGREGATE_NAMES,
  INTRINSICS,
  argumentKind,
  checkQuery,
  parseQuery,
  parseWhere,
  serializeQuery,
  serializeWhere,
  validateQuery,
} from '../../../lib/where';
import type { AggregateCall, FieldRef, QueryExpr, QueryUnit, WhereExpr } from '../../../lib/where';
import { completionContext } from '../../../lib/where/complete';
import { compileSpanFilter, compileTraceFilter } from '../../../lib/where/sql-compiler';
import { canonical } from './helpers';

const L = { start: 0, end: 0 };
const MARK = 'QZJX';
const KEYWORDS = ['and', 'or', 'not', 'exists'];

const attrKey = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...'abzAZ09_.:-'.split('')), minLength: 1, maxLength: 6 }),
    fc.constantFrom('llm.model', 'tenant.id', 'user.id', 'tokens', 'cost', 'ttft', 'llm.usage.total_tokens', `${MARK}.key`, `x.${MARK}`),
  )
  .filter((k) => !(INTRINSICS as readonly string[]).includes(k) && !KEYWORDS.includes(k.toLowerCase()));
const attr = attrKey.map((key): FieldRef => ({ kind: 'attribute', key, loc: L }));
const intrinsic = (name: (typeof INTRINSICS)[number]): FieldRef => ({ kind: 'intrinsic', name, loc: L });

const leaf: fc.Arbitrary<WhereExpr> = fc.oneof(
  fc.tuple(attr, fc.constantFrom('=', '!=', '~'), fc.string({ maxLength: 12 })).map(([field, op, text]): WhereExpr => ({
    type: 'compare',
    field,
    op: op as '=',
    value: { kind: 'string', text: MARK + text, quoted: true, loc: L },
    loc: L,
  })),
  fc
    .tuple(attr, fc.constantFrom('>', '<='), fc.integer({ min: -1000, max: 1000 }))
    .map(([field, op, n]): WhereExpr => ({ type: 'compare', field, op: op as '>', value: { kind: 'number', value: n, text: String(n), loc: L }, loc: L })),
  fc.tuple(attr, fc.boolean()).map(([field, negated]): WhereExpr => ({ type: 'exists', field, negated, loc: L })),
);
const { filter } = fc.letrec<{ filter: WhereExpr }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'f' },
    leaf,
    tie('filter').map((operand): WhereExpr => ({ type: 'not', operand, loc: L })),
    fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('filter'), tie('filter')).map(([type, left, right]): WhereExpr => ({ type, left, right, loc: L })),
  ),
}));

/** A key that may group or be counted distinct at `unit`. */
const groupKey = (unit: QueryUnit) =>
  fc.oneof(
    attr,
    fc.constantFrom<FieldRef>(...(unit === 'spans' ? ['service', 'name', 'kind', 'status'] : ['service', 'name']).map((n) => intrinsic(n as 'service'))),
  );
const numberField = fc.oneof(attr, fc.constantFrom(intrinsic('duration'), intrinsic('trace.duration')));

const aggregate = (unit: QueryUnit): fc.Arbitrary<AggregateCall> =>
  fc.constantFrom(...AGGREGATE_NAMES).chain((fn) => {
    const kind = argumentKind(fn);
    const arg: fc.Arbitrary<FieldRef | null> = kind === 'none' ? fc.constant(null) : kind === 'key' ? groupKey(unit) : numberField;
    return arg.map((a): AggregateCall => ({ fn, arg: a, loc: L }));
  });

const textOf = (f: FieldRef) => (f.kind === 'intrinsic' ? f.name : f.key);
const textOfAggregate = (a: AggregateCall) => `${a.fn}(${a.arg ? textOf(a.arg) : ''})`;

const query: fc.Arbitrary<QueryExpr> = fc.constantFrom<QueryUnit>('traces', 'spans').chain((unit) =>
  fc.record({
    filter: fc.option(filter, { nil: null }),
    pipeline: fc.record({
      unit: fc.constant(unit),
      by: fc.uniqueArray(groupKey(unit), { maxLength: 3, selector: textOf }),
      aggregates: fc.uniqueArray(aggregate(unit), { minLength: 1, maxLength: 4, selector: textOfAggregate }),
      loc: fc.constant(L),
    }),
  }),
);

type Rng = { pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean };

/** A random spelling of the pipeline: spacing, keyword case, spaces inside parentheses and around commas. */
function spellPipeline(q: QueryExpr, rng: Rng): string {
  const ws = () => rng.pick(['', ' ', '  ', '\t', '\n']);
  const kw = (k: string) => rng.pick([k, k.toUpperCase(), k[0].toUpperCase() + k.slice(1)]);
  const p = q.pipeline;
  const unit = p.unit === 'spans' ? `${kw('spans')} ` : '';
  const by = p.by.length ? `${kw('by')}${ws()}(${ws()}${p.by.map(textOf).join(`${ws()},${ws()}`)}${ws()}) ` : '';
  const aggs = p.aggregates.map((a) => `${a.fn}${ws()}(${ws()}${a.arg ? textOf(a.arg) : ''}${ws()})`).join(`${ws()},${ws()}`);
  return `|${ws()}${unit}${ws()}${by}${ws()}${aggs}${ws()}`;
}

describe('query properties', () => {
  it('generated queries are valid, and their canonical text parses back to them', () => {
    fc.assert(
      fc.property(query, (q) => {
        expect(validateQuery(q)).toEqual([]);
        const text = serializeQuery(q);
        const back = checkQuery(text);
        expect(back.diagnostics, text).toEqual([]);
        expect(canonical(back.ast as never)).toEqual(canonical(q as never));
        expect(serializeQuery(back.ast!)).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('any spelling of the pipeline parses back to the same query', () => {
    fc.assert(
      fc.property(query, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (q, stream) => {
        const it = stream[Symbol.iterator]();
        const next = () => it.next().value as number;
        const rng: Rng = { pick: (xs) => xs[Math.floor(next() * xs.length) % xs.length], chance: (p) => next() < p };
        const text = `${q.filter ? serializeWhere(q.filter) + ' ' : ''}${spellPipeline(q, rng)}`;
        const back = parseQuery(text);
        expect(back.diagnostics, text).toEqual([]);
        expect(canonical(back.ast as never)).toEqual(canonical(q as never));
      }),
      { numRuns: 1000 },
    );
  });

  it('a filter means the same with a pipeline after it', () => {
    fc.assert(
      fc.property(filter, (f) => {
        const text = serializeWhere(f);
        expect(canonical(parseQuery(`${text} | count()`).ast?.filter ?? null)).toEqual(canonical(parseWhere(text).ast));
      }),
      { numRuns: 1000 },
    );
  });
});

const FRAGMENTS = [
  '|',
  ' | ',
  'spans ',
  'by(',
  'by',
  '(',
  ')',
  ',',
  'count()',
  'p95(',
  'duration',
  'a=1',
  '"x|y"',
  'NOT ',
  ' OR ',
  'p42(',
  'count_distinct(',
  '\u0000',
  '\ud800',
];

describe('parseQuery never throws', () => {
  it('on arbitrary text and on pipeline fragments; diagnostics point inside the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((xs) => xs.join('')),
        ),
        (text) => {
          const r = checkQuery(text);
          expect((r.ast === null) !== (r.diagnostics.length === 0)).toBe(true);
          for (const d of r.diagnostics) {
            expect(d.message).toMatch(/ at column \d+$/);
            expect(d.column).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeLessThanOrEqual(text.length + 1);
          }
          for (let cursor = 0; cursor <= text.length; cursor += 3) completionContext(text, cursor, { query: true });
        },
      ),
      { numRuns: 3000 },
    );
  });
});

const dialect = new PgDialect();
const LEAK = new RegExp(`DROP|DELETE|pg_sleep|;|${MARK}`, 'i');

describe('the compiled statement carries user text only in parameters', () => {
  it('keys and values of any query, at either unit, stepped or not', () => {
    fc.assert(
      fc.property(query, fc.boolean(), (q, stepped) => {
        const compile = q.pipeline.unit === 'spans' ? compileSpanFilter : compileTraceFilter;
        const compiled = q.filter ? compile(q.filter, { tenantKey: 'tenant.id' }) : null;
        if (compiled && !compiled.ok) return;
        const statement = aggregateStatement(
          {
            query: q,
            filter: compiled?.sql ?? null,
            fromNs: 0n,
            toNs: 3_600_000_000_000n,
            stepMs: stepped ? 60_000 : null,
            limit: 20,
            tenantKey: 'tenant.id',
            mapping: BUILT_IN_ATTRIBUTE_MAPPING,
            rollup: null,
          },
          stepped ? bucketGrid(0n, 3_600_000_000_000n, 60_000) : null,
        );
        const rendered = dialect.sqlToQuery(statement);
        expect(rendered.sql).not.toMatch(LEAK);
        const text = serializeQuery(q);
        if (text.includes(MARK)) expect(rendered.params.some((p) => typeof p === 'string' && p.includes(MARK))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
