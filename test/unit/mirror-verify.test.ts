import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { verifiedBlob } from '../../src/registry/blob-verify.js';
import { ChunkReader } from '../../src/registry/distribution/chunk-reader.js';

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const BLOB = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const EXPECTED = { digest: digestOf(BLOB), size: BLOB.length };

/** A stream of `bytes` in chunks of `chunk` bytes. */
function streamOf(bytes: Buffer, chunk = 5): Readable {
  const parts = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

/** Reads `bytes` through the verifier; `declared` is the size the source announces (none: unknown). */
const read = (bytes: Buffer, declared?: number) =>
  buffer(verifiedBlob({ body: streamOf(bytes), size: declared }, EXPECTED, 'blob test@x'));

describe('a blob read through verifiedBlob', () => {
  it('passes the exact bytes through when they hash to the digest', async () => {
    expect(await read(BLOB, BLOB.length)).toEqual(BLOB);
    expect(await read(BLOB)).toEqual(BLOB);
  });

  it.each([
    [
      'other bytes of the same length',
      Buffer.from(BLOB).fill(0x61, 0, 1),
      /content digest sha256:\w+, expected sha256:/,
    ],
    ['fewer bytes', BLOB.subarray(1), /35 bytes, expected 36/],
    ['more bytes', Buffer.concat([BLOB, Buffer.from('!')]), /more than the expected 36 bytes/],
  ])('fails the stream on %s, with an InvalidManifest error naming the blob', async (_what, bytes, message) => {
    const failure = read(bytes);
    await expect(failure).rejects.toThrow(RegistryError);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toMatchObject({
      reason: 'InvalidManifest',
      message: expect.stringContaining('blob test@x'),
    });
  });

  it('refuses at once a source that declares another size', () => {
    expect(() => verifiedBlob({ body: streamOf(BLOB), size: 99 }, EXPECTED, 'blob test@x')).toThrow(
      /99 bytes, expected 36/,
    );
  });

  it('turns a failure of the source into an Unreachable error that names the blob', async () => {
    const source = new Readable({ read() {} });
    const verified = verifiedBlob({ body: source, size: undefined }, EXPECTED, 'blob test@x');
    const reading = buffer(verified);
    source.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(reading).rejects.toMatchObject({
      reason: 'Unreachable',
      message: 'blob test@x: reading it was interrupted (ECONNRESET)',
    });
  });

  it('keeps a failure that comes before anyone reads for the reader: nothing is left unhandled', async () => {
    const verified = verifiedBlob({ body: streamOf(BLOB.subarray(1)), size: undefined }, EXPECTED, 'blob test@x');
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(verified.destroyed).toBe(true);
    await expect(buffer(verified)).rejects.toMatchObject({
      reason: 'InvalidManifest',
      message: 'blob test@x: 35 bytes, expected 36; refused',
    });
  });

  it('keeps a failure of the source that comes before anyone reads for the reader, as Unreachable', async () => {
    const source = new Readable({ read() {} });
    const verified = verifiedBlob({ body: source, size: 36 }, EXPECTED, 'blob test@x');
    source.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    await expect(buffer(verified)).rejects.toMatchObject({ reason: 'Unreachable' });
  });

  it('holds the last chunk back until the digest is verified: a reader never gets all of a wrong blob', async () => {
    const wrong = Buffer.from(BLOB).fill(0x61, 35);
    const received: Buffer[] = [];
    const verified = verifiedBlob({ body: streamOf(wrong), size: 36 }, EXPECTED, 'blob test@x');
    const reading = (async () => {
      for await (const chunk of verified) received.push(chunk as Buffer);
    })();
    await expect(reading).rejects.toThrow(/content digest/);
    expect(Buffer.concat(received).length).toBeLessThan(BLOB.length);
  });

  it('releases the source when the reader gives up', async () => {
    const source = streamOf(BLOB);
    verifiedBlob({ body: source, size: BLOB.length }, EXPECTED, 'blob test@x').destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });
});

describe('a ChunkReader', () => {
  it.each([
    [36, 10],
    [36, 36],
    [36, 7],
    [0, 8],
  ])('cuts %i bytes into consecutive slices of %i', async (size, chunk) => {
    const reader = new ChunkReader(streamOf(BLOB.subarray(0, size), 3));
    const slices: Buffer[] = [];
    for (let start = 0; start < size; start += chunk)
      slices.push(await buffer(reader.next(Math.min(chunk, size - start))));
    await reader.end();
    expect(slices.slice(0, -1).every((s) => s.length === chunk)).toBe(true);
    expect(Buffer.concat(slices)).toEqual(BLOB.subarray(0, size));
  });

  it('fails a slice when the source ends before it', async () => {
    const reader = new ChunkReader(streamOf(BLOB));
    await expect(buffer(reader.next(40))).rejects.toThrow('the blob ended before its declared size; refused');
  });

  it('fails the end when bytes are left over', async () => {
    const reader = new ChunkReader(streamOf(BLOB));
    await buffer(reader.next(30));
    await expect(reader.end()).rejects.toThrow('the blob is longer than its declared size; refused');
  });

  it('fails the last slice or the end when the source fails there: a digest mismatch caught while streaming', async () => {
    const wrong = Buffer.from(BLOB).fill(0x61, 35);
    const reader = new ChunkReader(verifiedBlob({ body: streamOf(wrong), size: 36 }, EXPECTED, 'blob test@x'));
    const upload = async () => {
      await buffer(reader.next(20));
      await buffer(reader.next(16));
      await reader.end();
    };
    await expect(upload()).rejects.toThrow(/content digest/);
  });
});
