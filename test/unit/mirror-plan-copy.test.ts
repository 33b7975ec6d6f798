import { describe, expect, it } from 'vitest';
import type { Descriptor, Manifest } from '../../src/core/manifest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/media-types.js';
import { planCopy } from '../../src/engine/mirror/plan.js';
import type { ImageDestination } from '../../src/registry/destination.js';
import type { FetchedManifest, ImageRepository } from '../../src/registry/repository.js';

/** What a copy into an empty destination plans for an image whose lists name the same manifest more than once. */
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const SIZE = 100;

function descriptor(n: number, mediaType: string): Descriptor {
  return { mediaType, digest: digest(n), size: SIZE };
}

/**
 * A source whose index `levels` names the index below it twice, down to index 1, which names one image: without
 * taking each manifest once, planning its copy visits the image 2^levels times (2^40 never ends).
 */
function diamondSource(levels: number) {
  const manifests = new Map<string, Manifest>();
  const layer = descriptor(1_000_001, 'application/vnd.oci.image.layer.v1.tar+gzip');
  manifests.set(digest(0), {
    kind: 'image',
    mediaType: OCI_MANIFEST,
    config: descriptor(1_000_000, 'x'),
    layers: [layer],
  });
  for (let level = 1; level <= levels; level++) {
    const below = descriptor(level - 1, level === 1 ? OCI_MANIFEST : OCI_INDEX);
    manifests.set(digest(level), { kind: 'index', mediaType: OCI_INDEX, manifests: [below, { ...below }] });
  }
  let reads = 0;
  const source = {
    name: 'hostile.example/app',
    async getManifest(reference: string): Promise<FetchedManifest> {
      reads++;
      const manifest = manifests.get(reference)!;
      return { digest: reference, mediaType: manifest.mediaType, size: SIZE, bytes: new Uint8Array(), manifest };
    },
  } as unknown as ImageRepository;
  return { source, top: digest(levels), reads: () => reads };
}

const emptyDestination = {
  name: 'registry.local:5000/mirror/app',
  tagDigest: async () => undefined,
  hasManifest: async () => false,
  hasBlob: async () => false,
} as unknown as ImageDestination;

describe('planning the copy of an image whose lists name a manifest more than once', () => {
  it('reads and counts each manifest once, however often the lists name it', async () => {
    const { source, top, reads } = diamondSource(16);
    const copy = await planCopy(source, emptyDestination, { digest: top, tag: 'edge' });
    expect(copy.manifests).toHaveLength(17);
    expect(new Set(copy.manifests.map((m) => m.digest)).size).toBe(17);
    expect(copy.blobs.map((b) => b.digest)).toEqual([digest(1_000_000), digest(1_000_001)]);
    expect(reads()).toBe(17);
  }, 10_000);
});
