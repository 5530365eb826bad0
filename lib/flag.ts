/**
 * The one spelling of an on/off setting (`TRACEDECK_GRPC=1`, `TRACEDECK_OVERRIDE_EXISTING=true`, …),
 * shared by server/config.ts and the environment forms of lib/enrich/config.ts.
 */
const ON = /^(1|true|yes|on)$/i;
const OFF = /^(0|false|no|off)$/i;

/** true for 1/true/yes/on, false for 0/false/no/off or blank, null for anything else. */
export function parseFlag(text: string): boolean | null {
  const t = text.trim();
  if (t === '' || OFF.test(t)) return false;
  return ON.test(t) ? true : null;
}
