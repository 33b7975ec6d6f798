import type { Descriptor } from '../../core/manifest.js';
import { fetchDescribed } from '../../registry/described.js';
import type { BlobTransfer, ImageDestination } from '../../registry/destination.js';
import type { RequestLimiter } from '../../registry/http/limiter.js';
import type { FetchedManifest, ImageRepository, RegistryLocation } from '../../registry/repository.js';
import { mapConcurrent } from '../concurrency.js';
import { countedBlobReads } from './counted-reads.js';
import { inTurn, MirrorRun } from './run.js';

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

export interface MirrorOptions {
  /** The copies this one runs beside (those of one apply); a run of its own when not given. */
  run?: MirrorRun;
  /** Other repositories of the destination's registry that probably hold the image's blobs, best first. */
  mountFrom?: readonly RegistryLocation[];
  /** Told the bytes copied as they pass: blobs as they are read from the source, manifests as they are stored. */
  onBytes?: (bytes: number) => void;
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
  options: MirrorOptions = {},
): Promise<CopyStats> {
  const stats: CopyStats = { manifests: 0, blobs: { present: 0, mounted: 0, uploaded: 0 }, bytes: 0 };
  if ((await target.tagDigest(image.tag)) === image.digest) return stats;
  const top = await source.getManifest(image.digest);
  const read = options.onBytes ? countedBlobReads(source, options.onBytes) : source;
  const copy = new Copy(read, target, transfers, stats, options);
  if (!(await target.hasManifest(top.digest))) await copy.contents(top);
  await copy.store(top, image.tag);
  return stats;
}

/** One copy in progress. */
class Copy {
  private readonly run: MirrorRun;

  constructor(
    private readonly source: ImageRepository,
    private readonly target: ImageDestination,
    private readonly transfers: RequestLimiter,
    private readonly stats: CopyStats,
    private readonly options: MirrorOptions,
  ) {
    this.run = options.run ?? new MirrorRun();
  }

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

  /**
   * Manifests go into one repository one at a time: storing a manifest rewrites the repository's link to it, and a
   * registry checking a list against its children at that moment may read a half-written link and refuse the list.
   */
  store(fetched: FetchedManifest, tag?: string): Promise<void> {
    return inTurn(this.transfers, `manifest ${fetched.digest}`, () =>
      inTurn(this.target, 'manifests', async () => {
        const bytes = fetched.bytes;
        await this.target.putManifest({ digest: fetched.digest, mediaType: fetched.mediaType, bytes }, tag);
        this.stats.manifests++;
        this.stats.bytes += bytes.length;
        this.options.onBytes?.(bytes.length);
      }),
    );
  }

  private child(descriptor: Descriptor): Promise<void> {
    return this.run.once(this.target, `child ${descriptor.digest}`, async () => {
      if (await this.target.hasManifest(descriptor.digest)) return;
      const child = await fetchDescribed(this.source, descriptor);
      await this.contents(child);
      await this.store(child);
    });
  }

  private blob(blob: Descriptor): Promise<void> {
    return this.run.once(this.target, `blob ${blob.digest}`, () =>
      inTurn(this.transfers, `blob ${blob.digest}`, () =>
        this.transfers.run(async () => {
          const transfer = await this.target.putBlob(blob, this.source, this.mountFrom(blob.digest));
          this.run.stored(blob.digest, this.target);
          this.stats.blobs[transfer]++;
          if (transfer === 'uploaded') this.stats.bytes += blob.size;
        }),
      ),
    );
  }

  /** Where the blob may be mounted from: the repository this run stored it in, then the likely ones given. */
  private mountFrom(digest: string): RegistryLocation[] {
    const stored = this.run.holder(digest);
    return [...(stored ? [stored] : []), ...(this.options.mountFrom ?? [])];
  }
}
