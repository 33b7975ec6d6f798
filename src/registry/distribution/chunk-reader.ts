import { Readable } from 'node:stream';
import { RegistryError } from '../../core/errors.js';

/**
 * Cuts one stream into consecutive slices, each a stream of its own, without holding more than the chunk the
 * source last produced: a chunked upload of any size runs in constant memory.
 */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private leftover: Buffer | undefined;

  constructor(private readonly source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next `length` bytes as a stream; read each slice to its end before asking for the next. */
  next(length: number): Readable {
    const slice = Readable.from(this.take(length), { objectMode: false });
    // The request sending the slice fails with its error; once that request is over, nobody else needs it.
    slice.on('error', () => {});
    return slice;
  }

  /** Reads the source to its end, failing if bytes are left or the source fails there (a digest check, say). */
  async end(): Promise<void> {
    const rest = this.leftover ?? (await this.iterator.next()).value;
    if (rest !== undefined && rest.length > 0)
      throw new RegistryError('InvalidManifest', 'the blob is longer than its declared size; refused');
  }

  destroy(): void {
    this.source.destroy();
  }

  private async *take(length: number): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      let chunk = this.leftover ?? (await this.pull());
      this.leftover = undefined;
      if (chunk.length > remaining) {
        this.leftover = chunk.subarray(remaining);
        chunk = chunk.subarray(0, remaining);
      }
      remaining -= chunk.length;
      yield chunk;
    }
  }

  private async pull(): Promise<Buffer> {
    const result = await this.iterator.next();
    if (result.done) throw new RegistryError('InvalidManifest', 'the blob ended before its declared size; refused');
    return result.value;
  }
}
