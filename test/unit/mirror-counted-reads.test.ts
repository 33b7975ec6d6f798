import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { countedBlobReads } from '../../src/engine/mirror/counted-reads.js';
import type { ImageRepository } from '../../src/registry/repository.js';

function repository(body: () => Readable): ImageRepository {
  return {
    name: 'oci:source',
    head: async () => ({ digest: 'sha256:0', mediaType: 'x', size: 0 }),
    getManifest: async () => {
      throw new Error('not used');
    },
    getBlob: async () => new Uint8Array(),
    openBlob: async () => ({ body: body(), size: 6 }),
    pullSpec: (digest) => `oci:source@${digest}`,
  };
}

describe('countedBlobReads', () => {
  it('reports the bytes of a streamed blob as they pass, and passes them on unchanged', async () => {
    const seen: number[] = [];
    const counted = countedBlobReads(
      repository(() => Readable.from([Buffer.from('abc'), Buffer.from('def')])),
      (n) => seen.push(n),
    );
    const reader = await counted.openBlob!('sha256:1');
    expect(reader.size).toBe(6);
    expect((await buffer(reader.body)).toString()).toBe('abcdef');
    expect(seen).toEqual([3, 3]);
  });

  it("hands the source's read error to whoever reads the blob", async () => {
    const failing = () =>
      new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
    const reader = await countedBlobReads(repository(failing), () => {}).openBlob!('sha256:1');
    await expect(buffer(reader.body)).rejects.toThrow('connection reset');
  });

  it('leaves a source that cannot stream blobs as it is', () => {
    const { openBlob: _, ...withoutStreams } = repository(() => Readable.from([]));
    expect(countedBlobReads(withoutStreams, () => {})).toBe(withoutStreams);
  });
});
