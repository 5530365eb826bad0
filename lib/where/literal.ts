/**
 * Classification of unquoted values, shared by the parser (text → Literal) and
 * the serializer (deciding whether a string needs quotes).
 */
import type { Literal, Span } from './ast';
import { parseDurationLiteral } from './duration';

/** Plain decimal number: optional leading `-`, optional fraction, optional exponent. */
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Number value of an unquoted number spelling, or null (also null when it overflows). */
export function parseNumberLiteral(text: string): number | null {
  if (!NUMBER_RE.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * Literal for an unquoted value: number if it is a plain number, duration if it
 * is a duration literal, otherwise an unquoted string.
 */
export function classifyUnquoted(text: string, loc: Span): Literal {
  const value = parseNumberLiteral(text);
  if (value !== null) return { kind: 'number', value, text, loc };
  const nanos = parseDurationLiteral(text);
  if (nanos !== null) return { kind: 'duration', nanos, text, loc };
  return { kind: 'string', text, quoted: false, loc };
}
