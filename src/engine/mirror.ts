import type { Descriptor } from '../core/manifest.js';
import type { BlobTransfer, ImageDestination } from '../registry/destination.js';
import type { RequestLimiter } from '../registry/limiter.js';
import type { FetchedManifest, ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';

/** What one copy did. */
export interface CopyStats {
  /** Manifests stored (the tag's own included). */
  manifests: number;
  blobs: Record<BlobTransfer, number>;
  /** Bytes sent: blobs uploaded and manifests stored. */
  bytes: number;
}

/** The image to mirror: a digest of the source, and the tag it gets in the destination. */
export interface MirroredImage {
  digest: string;
  tag: string;
}

/** Child manifests copied at once within one list (their blobs share the store's transfer limit). */
const CHILDREN_AT_ONCE = 4;

/** Blobs that registries do not distribute (Windows foreign layers): a manifest may name them, nobody copies them. */
const NON_DISTRIBUTABLE = /\.(foreign|nondistributable)\./;

export function isDistributable(blob: Descriptor): boolean {
  return !NON_DISTRIBUTABLE.test(blob.mediaType);
}

/**
 * Copies the image `digest` of `source` into `target` and points `tag` at it, digests preserved and bytes unchanged:
 * a list with every child (attestations included), an image with its config and layers. Blobs and manifests already
 * in the destination are skipped; children are stored before the list that names them, and the tag is set last, so
 * a failure at any point leaves the tag where it was.
 */
export async function mirrorImage(
  source: ImageRepository,
  target: ImageDestination,
  image: MirroredImage,
  transfers: RequestLimiter,
): Promise<CopyStats> {
  const stats: CopyStats = { manifests: 0, blobs: { present: 0, mounted: 0, uploaded: 0 }, bytes: 0 };
  if ((await target.tagDigest(image.tag)) === image.digest) return stats;
  const top = await source.getManifest(image.digest);
  const copy = new Copy(source, target, transfers, stats);
  if (!(await target.hasManifest(top.digest))) await copy.contents(top);
  await copy.store(top, image.tag);
  return stats;
}

/** One copy in progress: blobs being copied are shared by the manifests that name them. */
class Copy {
  private readonly blobs = new Map<string, Promise<void>>();

  constructor(
    private readonly source: ImageRepository,
    private readonly target: ImageDestination,
    private readonly transfers: RequestLimiter,
    private readonly stats: CopyStats,
  ) {}

  /** What a manifest names: the children of a list (each stored), or the blobs of an image. */
  async contents(fetched: FetchedManifest): Promise<void> {
    const { manifest } = fetched;
    if (manifest.kind === 'index') {
      await mapConcurrent(manifest.manifests, CHILDREN_AT_ONCE, (child) => this.child(child));
      return;
    }
    const blobs = [manifest.config, ...manifest.layers].filter(isDistributable);
    await Promise.all(blobs.map((blob) => this.blob(blob)));
  }

  async store(fetched: FetchedManifest, tag?: string): Promise<void> {
    await this.target.putManifest({ digest: fetched.digest, mediaType: fetched.mediaType, bytes: fetched.bytes }, tag);
    this.stats.manifests++;
    this.stats.bytes += fetched.bytes.length;
  }

  private async child(descriptor: Descriptor): Promise<void> {
    if (await this.target.hasManifest(descriptor.digest)) return;
    const child = await this.source.getManifest(descriptor.digest);
    await this.contents(child);
    await this.store(child);
  }

  private blob(blob: Descriptor): Promise<void> {
    let copied = this.blobs.get(blob.digest);
    if (!copied) {
      copied = this.transfers.run(async () => {
        const transfer = await this.target.putBlob(blob, this.source);
        this.stats.blobs[transfer]++;
        if (transfer === 'uploaded') this.stats.bytes += blob.size;
      });
      this.blobs.set(blob.digest, copied);
    }
    return copied;
  }
}
