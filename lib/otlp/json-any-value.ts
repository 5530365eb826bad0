/**
 * OTLP/JSON AnyValues and attribute lists: read with the type rules of ./json-shape.ts,
 * strings and nesting through SpanLimiter, maps through the shared limitAttributes.
 */
import type { AttributeMap, OtlpAnyValue } from './span-record';
import type { SpanLimiter } from './limits';
import { type AttributeSlot, type ReadAttribute, limitAttributes } from './assemble';
import { type Obj, asArray, asDouble, asI64String, asObject, asString, rethrowWithin, wrongType } from './json-shape';

function anyValueList(v: unknown, path: string): unknown[] {
  const o = asObject(v, path);
  if (o === null) return [];
  const values = o.values;
  return asArray(values, `${path}.values`) ?? [];
}

function anyValue(v: unknown, depth: number, lim: SpanLimiter): OtlpAnyValue {
  if (v == null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType('', 'an AnyValue object', v);
  const o = v as Obj;
  for (const k in o) {
    const x = o[k];
    if (x == null) continue;
    switch (k) {
      case 'stringValue':
      case 'string_value':
        if (typeof x !== 'string') throw wrongType(k, 'a string', x);
        return { stringValue: lim.text(x) };
      case 'intValue':
      case 'int_value':
        return { intValue: asI64String(x, k) };
      case 'doubleValue':
      case 'double_value':
        return { doubleValue: asDouble(x, k) };
      case 'boolValue':
      case 'bool_value':
        if (typeof x !== 'boolean') throw wrongType(k, 'a boolean', x);
        return { boolValue: x };
      case 'bytesValue':
      case 'bytes_value':
        if (typeof x !== 'string') throw wrongType(k, 'a base64 string', x);
        return { bytesValue: Buffer.from(lim.bytes(Buffer.from(x, 'base64'))).toString('base64') };
      case 'arrayValue':
      case 'array_value':
        return { arrayValue: { values: arrayValues(x, k, depth, lim) } };
      case 'kvlistValue':
      case 'kvlist_value':
        return { kvlistValue: { values: kvlistValues(x, k, depth, lim) } };
      default:
      // unknown field: ignore
    }
  }
  return {};
}

function arrayValues(x: unknown, k: string, depth: number, lim: SpanLimiter): OtlpAnyValue[] {
  lim.nest(depth);
  const src = anyValueList(x, k);
  const values = new Array<OtlpAnyValue>(src.length);
  for (let i = 0; i < src.length; i++) {
    try {
      values[i] = anyValue(src[i], depth + 1, lim);
    } catch (e) {
      rethrowWithin(e, `${k}.values[${i}]`);
    }
  }
  return values;
}

function kvlistValues(x: unknown, k: string, depth: number, lim: SpanLimiter): AttributeSlot[] {
  lim.nest(depth);
  const src = anyValueList(x, k);
  const values = new Array<AttributeSlot>(src.length);
  for (let i = 0; i < src.length; i++) {
    try {
      const kv: AttributeSlot = { key: '', value: {} };
      readKeyValue(src[i], depth + 1, lim, kv);
      kv.key = lim.text(kv.key);
      values[i] = kv;
    } catch (e) {
      rethrowWithin(e, `${k}.values[${i}]`);
    }
  }
  return values;
}

/** A KeyValue (a null one reads as key '' and an empty value); the key is set before the value is converted. */
function readKeyValue(v: unknown, depth: number, lim: SpanLimiter, out: AttributeSlot): void {
  const o = asObject(v, '');
  out.key = '';
  out.value = {};
  if (o === null) return;
  let raw: unknown;
  for (const k in o) {
    if (k === 'key') out.key = asString(o[k], 'key');
    else if (k === 'value') raw = o[k];
  }
  try {
    out.value = anyValue(raw, depth, lim);
  } catch (e) {
    rethrowWithin(e, 'value');
  }
}

/** Null entries are skipped; a wrong type names `attributes[i]` in its path. */
export const readAttribute: ReadAttribute<unknown> = (entry, i, slot, lim) => {
  if (entry == null) return false;
  try {
    readKeyValue(entry, 1, lim, slot);
  } catch (e) {
    rethrowWithin(e, `attributes[${i}]`);
  }
  return true;
};

/** An attribute list (span, resource, event, link) through the shared limiter. */
export function attributes(v: unknown, lim: SpanLimiter): AttributeMap {
  return limitAttributes(asArray(v, 'attributes'), readAttribute, lim);
}
