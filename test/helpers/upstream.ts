import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';
import { type GeneratedImage, type GeneratedManifest, type ImageSpec, writeImageLayout } from './images.js';
import { reachableBlobs } from './layout-content.js';
import type { RegistryHandle } from './registry.js';
import { pushLayout } from './skopeo.js';

/**
 * The upstream that catalogs import from: deterministic images generated into one OCI layout and pushed to a
 * test registry. Pushing a tag again with other seeds moves it.
 */
export class Upstream {
  private readonly layoutDir = join(tempDir('imagestreams-e2e-layout-').path, 'layout');

  constructor(readonly registry: RegistryHandle) {}

  /**
   * Generates `image` and pushes it as `repository:tag`. Its content is seeded by repository and tag unless
   * `image.seed` says otherwise, so equal specs pushed to different repositories differ.
   */
  async push(repository: string, tag: string, image: ImageSpec): Promise<GeneratedImage> {
    const layoutTag = `${repository.replaceAll('/', '-')}-${tag}`;
    const generated = writeImageLayout(this.layoutDir, { tags: { [layoutTag]: image } }).tags[layoutTag]!;
    await pushLayout(this.layoutDir, layoutTag, this.registry, `${repository}:${tag}`);
    return generated;
  }

  /** The blobs `digest` (a manifest or index pushed here) reaches, by digest: what a whole copy of it holds. */
  blobs(digest: string): Map<string, Buffer> {
    return reachableBlobs(this.layoutDir, digest);
  }

  /** Size of an image as the state records it: its config plus its layers, in bytes. */
  imageSize(manifest: GeneratedManifest): number {
    return [manifest.configDigest, ...manifest.layerDigests].reduce((sum, digest) => sum + this.blobSize(digest), 0);
  }

  /** The layers of an image as the state records them: digest and size, in order. */
  layerSizes(manifest: GeneratedManifest): { digest: string; size: number }[] {
    return manifest.layerDigests.map((digest) => ({ digest, size: this.blobSize(digest) }));
  }

  private blobSize(digest: string): number {
    return statSync(join(this.layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length))).size;
  }
}

/** The image manifest of `image` for `platform`, failing when it has none. */
export function platformOf(image: GeneratedImage, platform: string): GeneratedManifest {
  const manifest = image.platforms[platform];
  if (!manifest) throw new Error(`image ${image.tag} has no ${platform} manifest`);
  return manifest;
}
