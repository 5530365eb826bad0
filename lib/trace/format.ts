/** Display helpers of the trace page (pure). */

/** Epoch nanoseconds (decimal string) → "2025-01-31 12:34:56.123456789" (UTC), exact to the nanosecond. */
export function formatEpochNs(ns: string): string {
  const total = BigInt(ns);
  const ms = total / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2025-01-31T12:34:56.123Z
  const frac = (total % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac}`;
}

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export const STATUS_LABELS = ['unset', 'ok', 'error'] as const;

export function kindLabel(kind: number): string {
  return SPAN_KINDS[kind] ?? `kind ${kind}`;
}

export function statusLabel(code: number): string {
  return STATUS_LABELS[code] ?? `status ${code}`;
}

/** The error text of a span: its status message, else its `error.message` / `exception.message` attribute. */
export function errorMessage(span: {
  status: { code: number; message: string | null };
  attributes: Record<string, unknown>;
  events?: { name: string; attributes: Record<string, unknown> }[];
}): string | null {
  if (span.status.message) return span.status.message;
  for (const key of ['error.message', 'exception.message']) {
    const v = span.attributes[key];
    if (v && typeof v === 'object' && 'stringValue' in v && typeof v.stringValue === 'string' && v.stringValue !== '') return v.stringValue;
  }
  for (const e of span.events ?? []) {
    if (e.name !== 'exception') continue;
    const v = e.attributes['exception.message'];
    if (v && typeof v === 'object' && 'stringValue' in v && typeof v.stringValue === 'string' && v.stringValue !== '') return v.stringValue;
  }
  return null;
}
