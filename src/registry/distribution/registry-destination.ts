import { isDigest } from '../../core/digest.js';
import { clipped } from '../../core/echoed-text.js';
import { RegistryError } from '../../core/errors.js';
import { MANIFEST_ACCEPT } from '../../core/media-types.js';
import { verifiedBlob } from '../blob-verify.js';
import { drain } from '../body.js';
import type {
  BlobDescriptor,
  BlobTransfer,
  DestinationAccess,
  ImageDestination,
  ManifestBytes,
} from '../destination.js';
import { type HttpResponse, headerValue } from '../http/transport.js';
import type { FetchedManifest, ImageRepository, RegistryLocation } from '../repository.js';
import { BlobUpload, type BlobUploadOptions, pushScope } from './blob-upload.js';
import type { RegistryClient } from './client.js';
import { RegistryRepository } from './registry-repository.js';
import { tagPages } from './tag-pages.js';

/** A registry repository images are pushed into (and, for prune, deleted from). */
export class RegistryDestination implements ImageDestination {
  readonly name: string;
  readonly location: RegistryLocation;
  private readonly reader: RegistryRepository;
  private readonly uploads: BlobUpload;

  constructor(
    private readonly client: RegistryClient,
    readonly repository: string,
    uploadOptions: BlobUploadOptions = {},
  ) {
    this.reader = new RegistryRepository(client, repository);
    this.name = this.reader.name;
    this.location = this.reader.location;
    this.uploads = new BlobUpload(client, repository, uploadOptions);
  }

  pullSpec(digest: string): string {
    return `${this.name}@${digest}`;
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    const res = await this.head(`manifests/${tag}`, MANIFEST_ACCEPT);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.client.statusError(res, `${this.name}:${tag}`, this.repository);
    const digest = headerValue(res.headers, 'docker-content-digest');
    return digest && isDigest(digest) ? digest : (await this.reader.getManifest(tag)).digest;
  }

  hasManifest(digest: string): Promise<boolean> {
    return this.exists(`manifests/${checked(digest)}`, `${this.name}@${digest}`, MANIFEST_ACCEPT);
  }

  hasBlob(digest: string): Promise<boolean> {
    return this.exists(`blobs/${checked(digest)}`, `blob ${this.name}@${digest}`);
  }

  getManifest(digest: string): Promise<FetchedManifest> {
    return this.reader.getManifest(checked(digest));
  }

  /**
   * One mount is tried, from the likeliest repository: a registry that does not hold the blob there answers with an
   * ordinary upload session, which the upload then uses, so a mount that misses costs no request.
   */
  async putBlob(
    blob: BlobDescriptor,
    source: ImageRepository,
    mountFrom: readonly RegistryLocation[] = [],
  ): Promise<BlobTransfer> {
    if (await this.hasBlob(blob.digest)) return 'present';
    const open = async () => {
      if (!source.openBlob) throw new RegistryError('InternalError', `${source.name} cannot stream blobs`);
      return verifiedBlob(await source.openBlob(blob.digest), blob, `blob ${source.name}@${blob.digest}`);
    };
    const from = this.mountSource([...(source.location ? [source.location] : []), ...mountFrom]);
    if (from) return this.uploads.mount(blob, from, open);
    await this.uploads.upload(blob, open);
    return 'uploaded';
  }

  async putManifest(manifest: ManifestBytes, tag?: string): Promise<void> {
    const reference = tag ?? manifest.digest;
    const res = await this.client.request({
      method: 'PUT',
      path: `/v2/${this.repository}/manifests/${tag ?? checked(manifest.digest)}`,
      repository: this.repository,
      scope: pushScope(this.repository),
      headers: { 'content-type': manifest.mediaType, 'content-length': String(manifest.bytes.length) },
      body: manifest.bytes,
    });
    if (res.status !== 201) {
      throw await this.client.statusError(res, `manifest push to ${this.name}:${reference}`, this.repository);
    }
    await drain(res);
    const stored = headerValue(res.headers, 'docker-content-digest');
    if (stored && stored !== manifest.digest) {
      throw new RegistryError(
        'InvalidManifest',
        `${this.name} stored manifest ${manifest.digest} under the digest ${clipped(stored)}: digests must be preserved`,
      );
    }
  }

  prepareFor(access: DestinationAccess): Promise<void> {
    return access === 'write'
      ? this.client.prepare(this.repository, pushScope(this.repository))
      : this.reader.prepare();
  }

  /** Every tag of the repository; none when it does not exist yet. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    for await (const page of tagPages(this.client, this.repository, { missing: 'empty' })) tags.push(...page);
    return tags;
  }

  /** Deletes a manifest by digest (a registry drops the tags pointing at it); false when it was not there. */
  async deleteManifest(digest: string): Promise<boolean> {
    const res = await this.client.request({
      method: 'DELETE',
      path: `/v2/${this.repository}/manifests/${checked(digest)}`,
      repository: this.repository,
      scope: `repository:${this.repository}:delete`,
    });
    await drain(res);
    if (res.status === 202 || res.status === 200) return true;
    if (res.status === 404) return false;
    if (res.status === 405) {
      throw new RegistryError(
        'Forbidden',
        `${this.client.options.registry} does not allow deleting manifests (HTTP 405); distribution needs storage.delete.enabled: true`,
        { status: 405 },
      );
    }
    throw await this.client.statusError(res, `deleting ${this.name}@${digest}`, this.repository);
  }

  /** The first of `candidates` that is another repository of this registry. */
  private mountSource(candidates: readonly RegistryLocation[]): string | undefined {
    const registry = this.client.options.registry;
    return candidates.find((c) => c.registry === registry && c.repository !== this.repository)?.repository;
  }

  private async exists(path: string, what: string, accept?: string): Promise<boolean> {
    const res = await this.head(path, accept);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.client.statusError(res, what, this.repository);
  }

  private async head(path: string, accept?: string): Promise<HttpResponse> {
    const res = await this.client.request({
      method: 'HEAD',
      path: `/v2/${this.repository}/${path}`,
      repository: this.repository,
      ...(accept && { accept }),
    });
    await drain(res);
    return res;
  }
}

/** Digests become URL paths only once validated. */
function checked(digest: string): string {
  if (!isDigest(digest)) throw new RegistryError('InvalidManifest', 'invalid digest; refused');
  return digest;
}
