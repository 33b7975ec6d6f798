import { Readable } from 'node:stream';
import { isDigest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import type {
  BlobReader,
  FetchedManifest,
  ImageRepository,
  ManifestHead,
  RegistryLocation,
} from '../../registry/repository.js';

/**
 * A source read once for an import and the copy that follows it: manifests fetched by digest and the small blobs
 * read into memory (image configs) are kept, so copying them costs no second request. Large blobs are streamed.
 */
export class CachingRepository implements ImageRepository {
  readonly name: string;
  readonly location?: RegistryLocation;
  private readonly manifests = new Map<string, Promise<FetchedManifest>>();
  private readonly blobs = new Map<string, Uint8Array>();

  constructor(private readonly inner: ImageRepository) {
    this.name = inner.name;
    if (inner.location) this.location = inner.location;
  }

  head(reference: string): Promise<ManifestHead> {
    return this.inner.head(reference);
  }

  getManifest(reference: string): Promise<FetchedManifest> {
    if (!isDigest(reference)) return this.inner.getManifest(reference);
    let fetched = this.manifests.get(reference);
    if (!fetched) {
      fetched = this.inner.getManifest(reference);
      this.manifests.set(reference, fetched);
      fetched.catch(() => this.manifests.delete(reference));
    }
    return fetched;
  }

  async getBlob(digest: string, maxBytes: number): Promise<Uint8Array> {
    const cached = this.blobs.get(digest);
    if (cached && cached.length <= maxBytes) return cached;
    const bytes = await this.inner.getBlob(digest, maxBytes);
    this.blobs.set(digest, bytes);
    return bytes;
  }

  async openBlob(digest: string): Promise<BlobReader> {
    const cached = this.blobs.get(digest);
    if (cached) return { body: Readable.from([Buffer.from(cached)], { objectMode: false }), size: cached.length };
    if (!this.inner.openBlob) throw new RegistryError('InternalError', `${this.name} cannot stream blobs`);
    return this.inner.openBlob(digest);
  }

  pullSpec(digest: string): string {
    return this.inner.pullSpec(digest);
  }
}
