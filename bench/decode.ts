/**
 * Decode throughput of lib/otlp for a 512-span batch built with the official
 * OpenTelemetry serializers. Run: npx tsx bench/decode.ts [spansPerBatch] [seconds]
 */
import { gzipSync } from 'node:zlib';
import { decodeExportRequest } from '../lib/otlp';
import { ExportTraceServiceRequest } from '../lib/otlp/proto';
import { makeManySpans, toJson, toProtobuf } from '../tests/unit/otlp/fixtures';

const perBatch = Number(process.argv[2] ?? 512);
const seconds = Number(process.argv[3] ?? 2);

function bench(label: string, spansPerRun: number, run: () => void): void {
  // Warm up, then run for `seconds`.
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) run();
  let runs = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    run();
    runs++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const spansPerSec = (runs * spansPerRun) / elapsed;
  const msPerBatch = (elapsed * 1000) / runs;
  console.log(`${label.padEnd(34)} ${Math.round(spansPerSec).toLocaleString('en-US').padStart(12)} spans/s  ${msPerBatch.toFixed(3)} ms/batch`);
}

async function main() {
  const spans = await makeManySpans(perBatch);
  const pb = toProtobuf(spans);
  const json = toJson(spans);
  const pbGz = gzipSync(pb);
  const jsonGz = gzipSync(json);
  const limits = { maxBodyBytes: 64 << 20 };
  console.log(
    `node ${process.version}; batch of ${perBatch} spans: protobuf ${pb.length} B (gzip ${pbGz.length} B), JSON ${json.length} B (gzip ${jsonGz.length} B)`,
  );

  const check = decodeExportRequest(pb, { contentType: 'application/x-protobuf', ...limits });
  if (!check.ok || check.spans.length !== perBatch) throw new Error('protobuf batch did not decode');

  bench('protobufjs decode only', perBatch, () => {
    ExportTraceServiceRequest.decode(pb);
  });
  bench('decodeExportRequest protobuf', perBatch, () => {
    decodeExportRequest(pb, { contentType: 'application/x-protobuf', ...limits });
  });
  bench('decodeExportRequest protobuf+gzip', perBatch, () => {
    decodeExportRequest(pbGz, { contentType: 'application/x-protobuf', contentEncoding: 'gzip', ...limits });
  });
  bench('decodeExportRequest json', perBatch, () => {
    decodeExportRequest(json, { contentType: 'application/json', ...limits });
  });
  bench('decodeExportRequest json+gzip', perBatch, () => {
    decodeExportRequest(jsonGz, { contentType: 'application/json', contentEncoding: 'gzip', ...limits });
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
