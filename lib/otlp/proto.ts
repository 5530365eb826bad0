/**
 * Typed access to the protobufjs static code generated for OTLP, shipped in
 * `@opentelemetry/otlp-transformer@0.210` (installed under the alias
 * `otlp-generated`). Its own `root.d.ts` only says "a protobufjs Root", so the
 * shapes this layer relies on are declared here.
 *
 * Import notes:
 * - `root.js` is CommonJS and ends with `module.exports = $root`, so the module
 *   must be taken as a default import (Node's ESM loader cannot see named
 *   exports in it). Default import works under vitest, tsx and in Next.js, where
 *   `otlp-generated` and `protobufjs` are in `serverExternalPackages` and are
 *   therefore `require`d natively at runtime.
 * - The generated code uses its own nested `protobufjs@8` (held at ^8.8.1 by
 *   package.json `overrides`: the 8.0.0 that 0.210 pins has security advisories), which finds `long`
 *   with a runtime `require("long")`. Without it, 64-bit fields would silently
 *   decode as lossy JS numbers. That happens if the package gets bundled
 *   instead of loaded from node_modules. A self-test at load time makes that
 *   fail loudly instead.
 */
import generatedRoot from 'otlp-generated/build/src/generated/root.js';

/** A long.js `Long` (what protobufjs returns for 64-bit fields when `long` is available). */
export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** 64-bit field value as decoded by protobufjs: a Long, or a number (from `fromObject`/`create` input). */
export type PbInt64 = LongLike | number;

export interface PbAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: PbInt64 | null;
  doubleValue?: number | null;
  arrayValue?: PbArrayValue | null;
  kvlistValue?: PbKeyValueList | null;
  bytesValue?: Uint8Array | null;
}
export interface PbArrayValue {
  values?: PbAnyValue[] | null;
}
export interface PbKeyValueList {
  values?: PbKeyValue[] | null;
}
export interface PbKeyValue {
  key?: string | null;
  value?: PbAnyValue | null;
}
export interface PbResource {
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
}
export interface PbInstrumentationScope {
  name?: string | null;
  version?: string | null;
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
}
export interface PbStatus {
  message?: string | null;
  code?: number | null;
}
export interface PbEvent {
  timeUnixNano?: PbInt64 | null;
  name?: string | null;
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
}
export interface PbLink {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
}
export interface PbSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  parentSpanId?: Uint8Array | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: PbInt64 | null;
  endTimeUnixNano?: PbInt64 | null;
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
  events?: PbEvent[] | null;
  droppedEventsCount?: number | null;
  links?: PbLink[] | null;
  droppedLinksCount?: number | null;
  status?: PbStatus | null;
}
export interface PbScopeSpans {
  scope?: PbInstrumentationScope | null;
  spans?: PbSpan[] | null;
  schemaUrl?: string | null;
}
export interface PbResourceSpans {
  resource?: PbResource | null;
  scopeSpans?: PbScopeSpans[] | null;
  schemaUrl?: string | null;
}
export interface PbExportTraceServiceRequest {
  resourceSpans?: PbResourceSpans[] | null;
}
export interface PbExportTracePartialSuccess {
  rejectedSpans?: PbInt64 | null;
  errorMessage?: string | null;
}
export interface PbExportTraceServiceResponse {
  partialSuccess?: PbExportTracePartialSuccess | null;
}

/** protobufjs `IConversionOptions` (subset). */
export interface PbConversionOptions {
  longs?: typeof String | typeof Number;
  enums?: typeof String;
  bytes?: typeof String | typeof Array;
  defaults?: boolean;
  arrays?: boolean;
  objects?: boolean;
  oneofs?: boolean;
  json?: boolean;
}

/** The static-code API of one generated message class. */
export interface PbMessageType<T> {
  decode(reader: Uint8Array, length?: number): T;
  encode(message: T): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options?: PbConversionOptions): Record<string, unknown>;
  verify(message: Record<string, unknown>): string | null;
  create(properties?: T): T;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: PbMessageType<PbExportTraceServiceRequest>;
            ExportTraceServiceResponse: PbMessageType<PbExportTraceServiceResponse>;
          };
        };
      };
      trace: { v1: { Span: PbMessageType<PbSpan> } };
    };
  };
}

function loadRoot(): GeneratedRoot {
  // Some interop layers hand back `{ default: module.exports }` for a default import.
  const mod = generatedRoot as unknown as GeneratedRoot & { default?: GeneratedRoot };
  const root = mod.opentelemetry ? mod : mod.default;
  if (!root?.opentelemetry?.proto?.collector?.trace?.v1) {
    throw new Error('otlp-generated: generated OTLP protobuf root not found (unexpected module shape)');
  }
  return root;
}

const root = loadRoot();

export const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
/** Exposed for tests and tooling. */
export const SpanMessage = root.opentelemetry.proto.trace.v1.Span;

/** True when protobufjs decodes 64-bit fields to exact Long objects (checked at load). */
function longSupportWorks(): boolean {
  // fixed64 2^63 + 1: unrepresentable as a JS number.
  const probe = { startTimeUnixNano: { low: 1, high: 0x80000000 | 0, unsigned: true } } as PbSpan;
  const bytes = SpanMessage.encode(probe).finish();
  const back = SpanMessage.decode(bytes).startTimeUnixNano;
  return typeof back === 'object' && back !== null && back.low === 1 && back.high === (0x80000000 | 0);
}

if (!longSupportWorks()) {
  throw new Error(
    "otlp-generated: protobufjs has no Long support (the 'long' package was not found), so 64-bit " +
      'timestamps would lose precision. Load otlp-generated and protobufjs from node_modules ' +
      '(Next.js: keep them in serverExternalPackages) so that require("long") resolves.',
  );
}
