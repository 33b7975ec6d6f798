import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAlgorithm, digestHex, isDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { type Descriptor, parseManifest } from '../core/manifest.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX } from '../core/media-types.js';
import { verifyDigest } from './body.js';
import type { BlobReader, FetchedManifest, ImageRepository, ManifestHead } from './repository.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), read as skopeo's `oci:` transport does:
 * tags are `org.opencontainers.image.ref.name` annotations of index.json; an empty reference means the only image.
 */
export class LayoutRepository implements ImageRepository {
  readonly name: string;
  private index: Promise<Descriptor[]> | undefined;

  constructor(
    private readonly dir: string,
    displayPath: string,
  ) {
    this.name = `oci:${displayPath}`;
  }

  async head(reference: string): Promise<ManifestHead> {
    const descriptor = await this.find(reference);
    return { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    const descriptor = isDigest(reference) ? { digest: reference } : await this.find(reference);
    const what = `manifest ${this.name}@${descriptor.digest}`;
    const bytes = await this.readBlob(descriptor.digest, MAX_MANIFEST_BYTES, what);
    const manifest = parseManifest(bytes, undefined, what);
    return { digest: descriptor.digest, mediaType: manifest.mediaType, size: bytes.length, bytes, manifest };
  }

  getBlob(digest: string, maxBytes: number): Promise<Uint8Array> {
    return this.readBlob(digest, maxBytes, `blob ${this.name}@${digest}`);
  }

  async openBlob(digest: string): Promise<BlobReader> {
    const what = `blob ${this.name}@${digest}`;
    if (!isDigest(digest))
      throw new RegistryError('InvalidManifest', `${what}: invalid digest ${JSON.stringify(digest)}`);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(join(this.dir, 'blobs', digestAlgorithm(digest), digestHex(digest)), 'r');
    } catch (error) {
      throw this.missing(error, `blob ${digest}`);
    }
    try {
      const { size } = await handle.stat();
      return { body: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw this.missing(error, `blob ${digest}`);
    }
  }

  pullSpec(digest: string): string {
    return `${this.name}@${digest}`;
  }

  private async find(reference: string): Promise<Descriptor> {
    const manifests = await this.readIndex();
    if (isDigest(reference)) {
      const listed = manifests.find((d) => d.digest === reference);
      if (listed) return listed;
      const fetched = await this.getManifest(reference);
      return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
    }
    if (reference === '') {
      if (manifests.length === 1) return manifests[0]!;
      throw new RegistryError('NotFound', `${this.name} holds ${manifests.length} images: name one with oci:PATH:TAG`);
    }
    const found = manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] === reference);
    if (found.length === 0) {
      const tags = manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION]).filter(Boolean);
      const known = tags.length > 0 ? ` (tags: ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', …' : ''})` : '';
      throw new RegistryError('NotFound', `${this.name}:${reference} not found: the layout has no such tag${known}`);
    }
    if (found.length > 1)
      throw new RegistryError(
        'InvalidManifest',
        `${this.name}: tag ${reference} is listed more than once in index.json`,
      );
    return found[0]!;
  }

  private readIndex(): Promise<Descriptor[]> {
    this.index ??= this.loadIndex();
    return this.index;
  }

  private async loadIndex(): Promise<Descriptor[]> {
    await this.checkLayoutFile();
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.dir, 'index.json'));
    } catch (error) {
      throw this.missing(error, 'index.json');
    }
    if (bytes.length > MAX_MANIFEST_BYTES)
      throw new RegistryError('InvalidManifest', `${this.name}/index.json is over the 4 MiB limit`);
    const index = parseManifest(bytes, OCI_INDEX, `${this.name}/index.json`);
    if (index.kind !== 'index')
      throw new RegistryError('InvalidManifest', `${this.name}/index.json is not an image index`);
    return index.manifests;
  }

  private async checkLayoutFile(): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'oci-layout'), 'utf8');
    } catch (error) {
      throw this.missing(error, 'oci-layout');
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (version !== '1.0.0')
      throw new RegistryError('InvalidManifest', `${this.name}: oci-layout does not declare imageLayoutVersion 1.0.0`);
  }

  /** Reads `blobs/<alg>/<hex>`; the digest is validated before it becomes a path. */
  private async readBlob(digest: string, maxBytes: number, what: string): Promise<Uint8Array> {
    if (!isDigest(digest))
      throw new RegistryError('InvalidManifest', `${what}: invalid digest ${JSON.stringify(digest)}`);
    const path = join(this.dir, 'blobs', digestAlgorithm(digest), digestHex(digest));
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw this.missing(error, `blob ${digest}`);
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes)
        throw new RegistryError(
          'InvalidManifest',
          `${what} is ${size} bytes, over the ${maxBytes}-byte limit; refused`,
        );
      const bytes = await handle.readFile();
      verifyDigest(bytes, digest, what);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  private missing(error: unknown, what: string): RegistryError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new RegistryError(
        'NotFound',
        `${this.name} is not an OCI image layout or is incomplete: ${what} is missing`,
      );
    }
    return new RegistryError('InternalError', `${this.name}: cannot read ${what}: ${code ?? 'error'}`);
  }
}
