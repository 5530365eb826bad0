/**
 * The endless ingest workload of bench/load.ts: the cached protobuf batches of
 * bench/workload-files.ts, sent round-robin, with the trace ids rewritten on every
 * pass over the files so each request stores new spans (not duplicates). Also tells
 * which trace ids (and how many spans of each) batch number `i` carried, so the
 * benchmark can check every acknowledged span was stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExportTraceServiceRequest } from '../lib/otlp/proto';

export type Template = { body: Buffer; traceIdOffsets: number[] };

/**
 * Where the span trace ids sit in an encoded batch. protobufjs decodes `bytes` fields as
 * views of the input, so a decoded id's byteOffset is its place in the body.
 */
function template(file: string): Template {
  const body = fs.readFileSync(file);
  const request = ExportTraceServiceRequest.decode(body);
  const traceIdOffsets: number[] = [];
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const id = span.traceId as Uint8Array;
        const offset = id.byteOffset - body.byteOffset;
        if (id.buffer !== body.buffer || offset < 0 || !body.subarray(offset, offset + 16).equals(id)) {
          throw new Error(`${file}: trace id bytes are not a view of the body; cannot rewrite ids in place`);
        }
        traceIdOffsets.push(offset);
      }
    }
  }
  return { body, traceIdOffsets };
}

/** The batches of a workload folder (the first `limit` of them: a 10M-span workload would not fit in memory whole). */
export function loadTemplates(dir: string, limit = Infinity): Template[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pb'))
    .sort()
    .slice(0, limit)
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new Error(`no .pb files in ${dir}`);
  return files.map(template);
}

/** Batch `i` of the endless sequence: pass 0 is the files as they are, pass p XORs p into bytes 12–15 of every trace id. */
export function bodyFor(templates: Template[], i: number): Buffer {
  const t = templates[i % templates.length];
  const pass = Math.floor(i / templates.length);
  if (pass === 0) return t.body;
  const body = Buffer.from(t.body);
  for (const offset of t.traceIdOffsets) body.writeUInt32BE((body.readUInt32BE(offset + 12) ^ pass) >>> 0, offset + 12);
  return body;
}

/** Spans per trace id (hex) in batch `i`. */
export function spansPerTrace(templates: Template[], i: number): Map<string, number> {
  const t = templates[i % templates.length];
  const pass = Math.floor(i / templates.length);
  const counts = new Map<string, number>();
  for (const offset of t.traceIdOffsets) {
    const id = Buffer.from(t.body.subarray(offset, offset + 16));
    id.writeUInt32BE((id.readUInt32BE(12) ^ pass) >>> 0, 12);
    const hex = id.toString('hex');
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return counts;
}
