import { describe, expect, it } from 'vitest';
import type { CatalogTag } from '../../src/core/catalog.js';
import { ProvenSources } from '../../src/engine/saved-plan/proven-sources.js';
import type { FetchedManifest, ImageRepository } from '../../src/registry/repository.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A source that counts the manifests and blobs it is asked for. */
function countingSource(counts: { manifests: number; blobs: number; opened: number }): ImageRepository {
  counts.opened++;
  return {
    name: 'registry.example/app',
    head: () => Promise.reject(new Error('not used')),
    async getManifest(reference) {
      counts.manifests++;
      return { digest: reference, mediaType: 'm', size: 2, bytes: new Uint8Array(2) } as unknown as FetchedManifest;
    },
    async getBlob() {
      counts.blobs++;
      return new Uint8Array(1);
    },
    pullSpec: (digest) => `registry.example/app@${digest}`,
  };
}

const tag = { address: 'app:latest' } as CatalogTag;

describe('ProvenSources', () => {
  it('hands what proving read of a tag to its import, which reads it again for free', async () => {
    const counts = { manifests: 0, blobs: 0, opened: 0 };
    const sources = new ProvenSources(() => countingSource(counts));
    await sources.openTag(tag).getManifest(DIGEST);
    await sources.openTag(tag).getBlob(DIGEST, 100);
    const source = sources.take(tag);
    await source.getManifest(DIGEST);
    await source.getBlob(DIGEST, 100);
    expect(counts).toEqual({ manifests: 1, blobs: 1, opened: 1 });
  });

  it('forgets what it kept for a tag once its import took it', async () => {
    const counts = { manifests: 0, blobs: 0, opened: 0 };
    const sources = new ProvenSources(() => countingSource(counts));
    await sources.openTag(tag).getManifest(DIGEST);
    sources.take(tag);
    await sources.take(tag).getManifest(DIGEST);
    expect(counts).toEqual({ manifests: 2, blobs: 0, opened: 2 });
  });
});
