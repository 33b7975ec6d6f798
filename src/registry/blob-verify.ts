import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { digestAlgorithm } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { BlobReader } from './repository.js';
import { errorCode } from './retry.js';

/** The blob a stream must carry: its digest and exact size. */
export interface ExpectedBlob {
  digest: string;
  size: number;
}

/**
 * Passes bytes through while hashing them; fails the stream (before it ends) when more bytes than `size` arrive, or
 * when, at the end, the size or the digest differ. A consumer of the stream never sees a wrong blob end cleanly.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private received = 0;

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
    callback(null, chunk);
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
    callback();
  }

  private mismatch(detail: string): RegistryError {
    return new RegistryError('InvalidManifest', `${this.what}: ${detail}; refused`);
  }
}

/**
 * The blob's bytes, verified while they stream. A declared size that differs from the expected one fails at once;
 * a failure of the source (a reset connection) fails the returned stream with a RegistryError naming the blob, and
 * destroying the returned stream releases the source.
 */
export function verifiedBlob(reader: BlobReader, expected: ExpectedBlob, what: string): Readable {
  // Destroying an unread response body makes it emit an error: expected, so listened to.
  reader.body.on('error', () => {});
  if (reader.size !== undefined && reader.size !== expected.size) {
    reader.body.destroy();
    throw new RegistryError('InvalidManifest', `${what}: ${reader.size} bytes, expected ${expected.size}; refused`);
  }
  const verifier = new DigestVerifier(expected, what);
  reader.body.on('error', (error) => verifier.destroy(sourceError(error, what)));
  verifier.once('close', () => {
    if (!reader.body.readableEnded) reader.body.destroy();
  });
  reader.body.pipe(verifier);
  return verifier;
}

function sourceError(error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error) ?? (error as Error)?.message ?? 'error';
  return new RegistryError('Unreachable', `${what}: reading it was interrupted (${code})`, { cause: error });
}
