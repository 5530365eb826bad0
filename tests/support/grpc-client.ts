/** A raw grpc-js client for the OTLP/gRPC listener: one unary Export call, bytes in, bytes (or a status) out. */
import { Client, Metadata, type ServiceError, compressionAlgorithms, credentials } from '@grpc/grpc-js';
import { EXPORT_METHOD_PATH } from '../../server/grpc/server';

export function rawExport(address: string, body: Buffer, options: { gzip?: boolean; metadata?: Metadata } = {}): Promise<Buffer> {
  const client = new Client(address, credentials.createInsecure(), options.gzip ? { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip } : {});
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      EXPORT_METHOD_PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      options.metadata ?? new Metadata(),
      (err: ServiceError | null, value?: Buffer) => (err ? reject(err) : resolve(value ?? Buffer.alloc(0))),
    );
  }).finally(() => client.close());
}
