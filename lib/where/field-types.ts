/**
 * What each field of the grammar holds, and how a literal converts to it.
 * Shared by validate.ts (which refuses a literal that does not convert) and the
 * SQL compiler (which converts what validate let through), so both read a
 * value the same way. Pure.
 */
import type { CompareOp, FieldRef, Literal } from './ast';
import { unreachable } from './exhaustive';

/** A closed set of names stored as codes (OTLP's span kind and status code). */
export type EnumSpec = {
  /** How messages name the field. */
  label: string;
  /** The OTLP spelling's prefix, accepted too (`SPAN_KIND_SERVER`). */
  protoPrefix: string;
  codes: Readonly<Record<string, number>>;
};

export const SPAN_KIND: EnumSpec = {
  label: 'span kind',
  protoPrefix: 'SPAN_KIND_',
  codes: { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 },
};

export const STATUS_CODE: EnumSpec = { label: 'status', protoPrefix: 'STATUS_CODE_', codes: { unset: 0, ok: 1, error: 2 } };

export type FieldType =
  /** Compared as text (= != ~ !~). */
  | { type: 'text' }
  /** Only = and !=, against a name of `spec` or an integer code. */
  | { type: 'enum'; spec: EnumSpec }
  /** Compared as a number of nanoseconds; a bare number means milliseconds. */
  | { type: 'duration' }
  /** An attribute: text, or a number under >, >=, <, <=. */
  | { type: 'attribute' };

export function fieldType(field: FieldRef): FieldType {
  if (field.kind === 'attribute') return { type: 'attribute' };
  switch (field.name) {
    case 'trace_id':
    case 'span_id':
    case 'name':
    case 'service':
      return { type: 'text' };
    case 'kind':
      return { type: 'enum', spec: SPAN_KIND };
    case 'status':
      return { type: 'enum', spec: STATUS_CODE };
    case 'duration':
    case 'trace.duration':
      return { type: 'duration' };
    default:
      return unreachable(field.name, 'intrinsic field');
  }
}

export type OrderOp = '>' | '>=' | '<' | '<=';
export type GlobOp = '~' | '!~';
export type EqualityOp = '=' | '!=';

/** `>`, `>=`, `<`, `<=`: the operators that compare numbers only. */
export function isOrderOp(op: CompareOp): op is OrderOp {
  return op === '>' || op === '>=' || op === '<' || op === '<=';
}

export function isGlobOp(op: CompareOp): op is GlobOp {
  return op === '~' || op === '!~';
}

export function literalText(value: Literal): string {
  return value.text;
}

/** A duration literal in nanoseconds; a bare number counts as milliseconds; null for text. */
export function durationNanosOf(value: Literal): number | null {
  if (value.kind === 'duration') return value.nanos;
  if (value.kind === 'number') return value.value * 1e6;
  return null;
}

/**
 * The number an attribute is compared with under >, >=, <, <=: a number, a
 * duration in milliseconds, or text that reads as a finite number; else null.
 */
export function numberOf(value: Literal): number | null {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'duration') return value.nanos / 1e6;
  const n = value.text.trim() === '' ? NaN : Number(value.text);
  return Number.isFinite(n) ? n : null;
}

/** The code of an enum literal: a name (any case, OTLP prefix allowed) or an integer; else null. */
export function enumCodeOf(value: Literal, spec: EnumSpec): number | null {
  if (value.kind === 'number') return Number.isInteger(value.value) ? value.value : null;
  const name = literalText(value).toLowerCase();
  const prefix = spec.protoPrefix.toLowerCase();
  const bare = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  // Own names only: `kind=constructor` must not find Object.prototype.constructor.
  return Object.hasOwn(spec.codes, bare) ? spec.codes[bare] : null;
}
