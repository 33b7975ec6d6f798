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

/**
 * What is being stored in each destination by any copy of this run. Tags are copied at once and often share blobs,
 * children or the very same manifest: within a destination a blob or child is copied once and the others wait for it.
 * Across the destinations of one local store (the repositories of one registry), blobs and manifests of one digest
 * are stored one after another: a registry keeps one copy of each digest for all its repositories, and writing it
 * twice at once can let it see its own half-written content and refuse a manifest ("digest did not match").
 * The store's transfer limiter, shared by all its destinations, stands for the store.
 */
const inProgress = new WeakMap<object, Map<string, Promise<void>>>();

function pending(target: object): Map<string, Promise<void>> {
  let map = inProgress.get(target);
  if (!map) {
    map = new Map();
    inProgress.set(target, map);
  }
  return map;
}

/** Runs `work` once per key and destination; a failed attempt is forgotten so that a later copy tries again. */
function once(target: object, key: string, work: () => Promise<void>): Promise<void> {
  const map = pending(target);
  let running = map.get(key);
  if (!running) {
    running = work();
    map.set(key, running);
    running.catch(() => map.delete(key));
  }
  return running;
}

/** Runs `work` after whatever runs under the same key in the same destination has settled. */
function inTurn(target: object, key: string, work: () => Promise<void>): Promise<void> {
  const map = pending(target);
  const next = (map.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
  map.set(key, next);
  return next;
}

/** One copy in progress. */
class Copy {
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
      }),
    );
  }

  private child(descriptor: Descriptor): Promise<void> {
    return once(this.target, `child ${descriptor.digest}`, async () => {
      if (await this.target.hasManifest(descriptor.digest)) return;
      const child = await this.source.getManifest(descriptor.digest);
      await this.contents(child);
      await this.store(child);
    });
  }

  private blob(blob: Descriptor): Promise<void> {
    return once(this.target, `blob ${blob.digest}`, () =>
      inTurn(this.transfers, `blob ${blob.digest}`, () =>
        this.transfers.run(async () => {
          const transfer = await this.target.putBlob(blob, this.source);
          this.stats.blobs[transfer]++;
          if (transfer === 'uploaded') this.stats.bytes += blob.size;
        }),
      ),
    );
  }
}
