/**
 * The one way a `where` diagnostic is built, so the parser and the validator
 * word and measure positions alike: the message ends with ` at column N`.
 */
import type { Span, WhereDiagnostic } from './ast';

/** A diagnostic at a 0-based offset, underlining `length` characters (at least 1). */
export function diagnostic(message: string, offset: number, length = 1): WhereDiagnostic {
  const column = offset + 1;
  return { message: `${message} at column ${column}`, column, length: Math.max(1, length) };
}

/** A diagnostic underlining a whole AST location. */
export function diagnosticAt(loc: Span, message: string): WhereDiagnostic {
  return diagnostic(message, loc.start, loc.end - loc.start);
}
