import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAlgorithm, digestHex, isDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { type Descriptor, parseManifest } from '../core/manifest.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX } from '../core/media-types.js';
import { verifyDigest } from './body.js';
import type { BlobReader, FetchedManifest, ImageRepository, ManifestHead } from './repository.js';

/** `oci-layout` holds one small JSON object. */
const MAX_LAYOUT_FILE_BYTES = 64 * 1024;

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
    const path = join(this.dir, 'blobs', digestAlgorithm(digest), digestHex(digest));
    const { handle, size } = await this.openRegular(path, `blob ${digest}`);
    return { body: handle.createReadStream(), size };
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
    const bytes = await this.readRegular(join(this.dir, 'index.json'), MAX_MANIFEST_BYTES, 'index.json');
    const index = parseManifest(bytes, OCI_INDEX, `${this.name}/index.json`);
    if (index.kind !== 'index')
      throw new RegistryError('InvalidManifest', `${this.name}/index.json is not an image index`);
    return index.manifests;
  }

  private async checkLayoutFile(): Promise<void> {
    const text = Buffer.from(
      await this.readRegular(join(this.dir, 'oci-layout'), MAX_LAYOUT_FILE_BYTES, 'oci-layout'),
    ).toString('utf8');
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
    const bytes = await this.readRegular(path, maxBytes, `blob ${digest}`, what);
    verifyDigest(bytes, digest, what);
    return bytes;
  }

  /** Reads a whole regular file of the layout, refusing more than `maxBytes`. */
  private async readRegular(
    path: string,
    maxBytes: number,
    name: string,
    what = `${this.name}/${name}`,
  ): Promise<Uint8Array> {
    const { handle, size } = await this.openRegular(path, name);
    try {
      if (size > maxBytes) {
        throw new RegistryError(
          'InvalidManifest',
          `${what} is ${size} bytes, over the ${maxBytes}-byte limit; refused`,
        );
      }
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /**
   * Opens a file of the layout without blocking and refuses anything but a regular file: a layout from a pull request
   * may hold a FIFO or a link to a device, which must not hang or exhaust a CI job.
   */
  private async openRegular(path: string, name: string): Promise<{ handle: FileHandle; size: number }> {
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw this.missing(error, name);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile())
        throw new RegistryError('InvalidManifest', `${this.name}: ${name} is not a regular file; refused`);
      return { handle, size: stats.size };
    } catch (error) {
      await handle.close();
      throw error instanceof RegistryError ? error : this.missing(error, name);
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
