/**
 * What one span may carry, and the text clean-up every stored string gets.
 *
 * The limits follow OpenTelemetry's span limits (attribute count and value length,
 * events and links per span: extras are dropped and counted, long values truncated)
 * with server-side defaults well above the SDKs' (128 of each) so that only
 * pathological input is touched. The span itself is always kept; what was cut is
 * named in partial_success.error_message as a warning (rejected_spans stays 0 then,
 * as the OTLP spec allows).
 *
 * The clean-up is what Postgres needs: `text` and `jsonb` cannot hold U+0000, and
 * `jsonb` refuses an unpaired surrogate (`"\ud800"`). Both become U+FFFD, the same
 * character a protobuf string with invalid UTF-8 already decodes to.
 */

export type IngestLimits = {
  /** Attributes per map (span, resource, event, link); further new keys are dropped and counted. */
  maxAttributes: number;
  /**
   * Longest string value in UTF-16 code units (OTel's AttributeValueLengthLimit counts
   * characters), longest bytes value in bytes; longer ones are truncated. Applies inside
   * arrays and kvlists too, and to span names, event names and status messages.
   */
  maxValueLength: number;
  /** AnyValue nesting (arrays / kvlists inside each other) deeper than this rejects the span. */
  maxDepth: number;
  /** Events per span; later ones are dropped and counted in droppedEventsCount. */
  maxEvents: number;
  /** Links per span; later ones are dropped and counted in droppedLinksCount. */
  maxLinks: number;
  /**
   * How far in the future (beyond the server's clock) a span may end, in ms.
   * Later spans are rejected: they would sit on top of every newest-first list.
   */
  maxFutureSkewMs: number;
  /**
   * How old (before the server's clock) a span may start, in ms: the retention
   * (TRACEDECK_RETENTION). Older spans are rejected, named in partial_success: they would
   * land in a partition the next maintenance pass drops. null: no limit.
   */
  maxAgeMs: number | null;
};

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxAttributes: 1024,
  maxValueLength: 64 * 1024,
  maxDepth: 32,
  maxEvents: 1024,
  maxLinks: 1024,
  maxFutureSkewMs: 24 * 3600_000,
  maxAgeMs: null,
});

/**
 * Attribute keys longer than this (UTF-16 code units) are dropped and counted. Not
 * configurable: the catalog keeps keys in B-tree keys, whose entries must stay under
 * ~2.7 kB (512 units are at most 1.5 kB of UTF-8, leaving room for a 200-char value).
 */
export const MAX_ATTRIBUTE_KEY_LENGTH = 512;

/** Largest value a Postgres bigint (the nanosecond columns) can hold. */
export const MAX_STORABLE_NANOS = (1n << 63n) - 1n;

// One test over the whole string; most strings have neither and take the fast path.
const NEEDS_CLEANING = /[\u0000\ud800-\udfff]/;

/** The string with U+0000 and unpaired surrogates replaced by U+FFFD (same length). */
export function cleanText(s: string): string {
  if (!NEEDS_CLEANING.test(s)) return s;
  let out = '';
  let chunk = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0 && (c < 0xd800 || c > 0xdfff)) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair
        continue;
      }
    }
    out += s.slice(chunk, i) + '\ufffd';
    chunk = i + 1;
  }
  return out + s.slice(chunk);
}

/** The first `max` code units of `s`, never ending in half a surrogate pair. */
export function truncateText(s: string, max: number): string {
  let cut = max;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return s.slice(0, cut);
}

/** Thrown by SpanLimiter.nest past maxDepth; the attribute limiter turns it into a rejection that names the attribute. */
export const TOO_DEEP = new Error('too deep');

/**
 * Per-request conversion state: the limits, and what was cut from the span being
 * converted (reset per span, turned into a warning when anything was).
 */
export class SpanLimiter {
  /** Attributes dropped from the map built last (for its droppedAttributesCount). */
  mapDropped = 0;
  /** Over the count limit, summed over the span's maps. */
  overCount = 0;
  longKeys = 0;
  truncated = 0;
  droppedEvents = 0;
  droppedLinks = 0;
  unknownKind: number | null = null;
  unknownStatus: number | null = null;

  constructor(readonly limits: IngestLimits) {}

  reset(): void {
    this.mapDropped = 0;
    this.overCount = 0;
    this.longKeys = 0;
    this.truncated = 0;
    this.droppedEvents = 0;
    this.droppedLinks = 0;
    this.unknownKind = null;
    this.unknownStatus = null;
  }

  /** A string field or value: cleaned, and truncated past maxValueLength. */
  text(s: string): string {
    if (s.length > this.limits.maxValueLength) {
      this.truncated++;
      s = truncateText(s, this.limits.maxValueLength);
    }
    return cleanText(s);
  }

  /** Scope names and versions: cleaned and cut like values, without a warning (one scope serves many spans); '' → null. */
  scopeText(s: string | null | undefined): string | null {
    if (!s) return null;
    const max = this.limits.maxValueLength;
    return cleanText(s.length > max ? truncateText(s, max) : s);
  }

  /** A bytes value: truncated past maxValueLength bytes. */
  bytes(b: Uint8Array): Uint8Array {
    if (b.length <= this.limits.maxValueLength) return b;
    this.truncated++;
    return b.subarray(0, this.limits.maxValueLength);
  }

  /** Guards entering an array or kvlist at `depth` (top-level values are depth 1): past maxDepth the span is rejected. */
  nest(depth: number): void {
    if (depth >= this.limits.maxDepth) throw TOO_DEEP;
  }

  /** Whether a key is too long to keep (counted when it is). */
  keyTooLong(key: string): boolean {
    if (key.length <= MAX_ATTRIBUTE_KEY_LENGTH) return false;
    this.longKeys++;
    return true;
  }

  /** A SpanKind outside the enum becomes SPAN_KIND_UNSPECIFIED (the column is a smallint). */
  kind(k: number): number {
    if (k >= 0 && k <= 5) return k;
    this.unknownKind = k;
    return 0;
  }

  /** A StatusCode outside the enum becomes STATUS_CODE_UNSET. */
  status(c: number): number {
    if (c >= 0 && c <= 2) return c;
    this.unknownStatus = c;
    return 0;
  }

  /** Warning text for the span converted since the last reset, or null when nothing was cut. */
  warning(): string | null {
    const parts: string[] = [];
    const l = this.limits;
    if (this.overCount > 0) parts.push(`${this.overCount} attributes over the ${l.maxAttributes}-per-map limit dropped`);
    if (this.longKeys > 0) parts.push(`${this.longKeys} attributes with keys over ${MAX_ATTRIBUTE_KEY_LENGTH} characters dropped`);
    if (this.truncated > 0) parts.push(`${this.truncated} values truncated to ${l.maxValueLength} characters/bytes`);
    if (this.droppedEvents > 0) parts.push(`${this.droppedEvents} events over the ${l.maxEvents}-per-span limit dropped`);
    if (this.droppedLinks > 0) parts.push(`${this.droppedLinks} links over the ${l.maxLinks}-per-span limit dropped`);
    if (this.unknownKind !== null) parts.push(`unknown kind ${this.unknownKind} stored as SPAN_KIND_UNSPECIFIED`);
    if (this.unknownStatus !== null) parts.push(`unknown status code ${this.unknownStatus} stored as STATUS_CODE_UNSET`);
    return parts.length === 0 ? null : parts.join(', ');
  }
}

/** uint32 sum that saturates instead of overflowing the OTLP field. */
export function addCount(a: number, b: number): number {
  return Math.min(0xffffffff, a + b);
}
