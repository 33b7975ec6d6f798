import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobReader, ImageRepository } from '../../registry/repository.js';

/** `source`, with the bytes of every blob streamed from it reported to `onBytes` as they pass (the amount read). */
export function countedBlobReads(source: ImageRepository, onBytes: (bytes: number) => void): ImageRepository {
  const { openBlob, headUnlessAt } = source;
  if (!openBlob) return source;
  return {
    name: source.name,
    ...(source.location && { location: source.location }),
    head: (reference) => source.head(reference),
    ...(headUnlessAt && {
      headUnlessAt: (reference: string, digest: string) => headUnlessAt.call(source, reference, digest),
    }),
    getManifest: (reference) => source.getManifest(reference),
    getBlob: (digest, maxBytes) => source.getBlob(digest, maxBytes),
    openBlob: async (digest) => counted(await openBlob.call(source, digest), onBytes),
    pullSpec: (digest) => source.pullSpec(digest),
  };
}

function counted(reader: BlobReader, onBytes: (bytes: number) => void): BlobReader {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  // The pipeline destroys the counter with the body's error, so that whoever reads the counter sees it.
  pipeline(reader.body, counter).catch(() => undefined);
  return { body: counter, size: reader.size };
}
