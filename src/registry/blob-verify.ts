import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { digestAlgorithm } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { BlobReader } from './repository.js';
import { interruptedRead } from './wording/reads.js';

/** The blob a stream must carry: its digest and exact size. */
export interface ExpectedBlob {
  digest: string;
  size: number;
}

/**
 * Passes bytes through while hashing them; fails the stream when more bytes than `size` arrive, or when, at the end,
 * the size or the digest differ. The last chunk is held back until the digest is verified, so a consumer never
 * receives the whole of a wrong blob (an upload of it cannot complete).
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private received = 0;
  private held: Buffer | undefined;

  constructor(
    private readonly expected: ExpectedBlob,
    private readonly what: string,
  ) {
    super();
    this.hash = createHash(digestAlgorithm(expected.digest));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expected.size) {
      callback(this.mismatch(`more than the expected ${this.expected.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received !== this.expected.size) {
      callback(this.mismatch(`${this.received} bytes, expected ${this.expected.size}`));
      return;
    }
    const actual = `${digestAlgorithm(this.expected.digest)}:${this.hash.digest('hex')}`;
    if (actual !== this.expected.digest) {
      callback(this.mismatch(`content digest ${actual}, expected ${this.expected.digest}`));
      return;
    }
    callback(null, this.held);
  }

  private mismatch(detail: string): RegistryError {
    return new RegistryError('InvalidManifest', `${this.what}: ${detail}; refused`);
  }
}

/**
 * The blob's bytes, verified while they stream. A declared size that differs from the expected one fails at once.
 * The source is joined to the verifier by a pipeline, which listens to both from the start: a failure (a reset
 * connection, a wrong digest) before anyone reads is kept and reaches the reader as a RegistryError naming the blob,
 * never as an unhandled error. Destroying the returned stream releases the source.
 */
export function verifiedBlob(reader: BlobReader, expected: ExpectedBlob, what: string): Readable {
  // A response body destroyed unread may emit an error after the pipeline is over: expected, so listened to.
  reader.body.on('error', () => {});
  if (reader.size !== undefined && reader.size !== expected.size) {
    reader.body.destroy();
    throw new RegistryError('InvalidManifest', `${what}: ${reader.size} bytes, expected ${expected.size}; refused`);
  }
  const verifier = new DigestVerifier(expected, what);
  // Listened to before the pipeline is: the verifier fails with this error (naming the blob), not the raw one.
  reader.body.once('error', (error) => verifier.destroy(interruptedRead(error, what)));
  // The reader of `verifier` gets its error; the pipeline's own report of it is redundant.
  pipeline(reader.body, verifier, () => {});
  return verifier;
}
