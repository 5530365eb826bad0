/**
 * For the `default:` of a switch that must name every case (node kinds,
 * operators, fields): a type error when a case is missing, and a loud failure
 * if a value the types do not know arrives at run time — never a silent
 * fall-through to some other case's code.
 */
export function unreachable(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
