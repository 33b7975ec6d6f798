import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { digestAlgorithm, digestHex, isDigest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import { type Descriptor, expectDescribed, parseManifest } from '../../core/manifest.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX } from '../../core/media-types.js';
import { isTag } from '../../core/reference-grammar.js';
import { verifyDigest } from '../body.js';
import type { BlobReader, FetchedManifest, ImageRepository, ManifestHead } from '../repository.js';
import { NoFollowPaths, type Refusal } from './layout-paths.js';

/** `oci-layout` holds one small JSON object. */
const MAX_LAYOUT_FILE_BYTES = 64 * 1024;

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Tags are listed in a "not found" message only when they look like tags, and never more than ten. */
const LISTED_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The path of a blob of a layout, below its directory; the digest is validated before it becomes one. */
export function blobParts(digest: string, what: string): string[] {
  if (!isDigest(digest)) throw new RegistryError('InvalidManifest', `${what}: invalid digest; refused`);
  return ['blobs', digestAlgorithm(digest), digestHex(digest)];
}

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), read as skopeo's `oci:` transport does:
 * tags are `org.opencontainers.image.ref.name` annotations of index.json; an empty reference means the only image.
 * Nothing below the directory is read through a symbolic link, and what a file holds is never quoted in an error.
 */
export class LayoutRepository implements ImageRepository {
  readonly name: string;
  private readonly paths: NoFollowPaths;
  private index: Promise<Descriptor[]> | undefined;

  /** `paths` reach the layout's entries; by default from `dir` itself, refusing links as a source layout does. */
  constructor(dir: string, displayPath: string, paths?: NoFollowPaths) {
    this.name = `oci:${displayPath}`;
    this.paths = paths ?? new NoFollowPaths(dir, [], sourceRefusal(this.name));
  }

  async head(reference: string): Promise<ManifestHead> {
    const descriptor = await this.find(reference);
    return { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
  }

  /**
   * A manifest by tag or digest; one that index.json lists (a tag's, or a digest `head` resolved) must be what its
   * entries there say: the same media type and the exact size.
   */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const digest = isDigest(reference) ? reference : (await this.find(reference)).digest;
    const what = `manifest ${this.name}@${digest}`;
    const bytes = await this.readBlob(digest, MAX_MANIFEST_BYTES, what);
    const manifest = parseManifest(bytes, undefined, what);
    const fetched = { digest, mediaType: manifest.mediaType, size: bytes.length, bytes, manifest };
    for (const entry of await this.entriesOf(digest)) expectDescribed(fetched, entry, what, 'index.json');
    return fetched;
  }

  getBlob(digest: string, maxBytes: number): Promise<Uint8Array> {
    return this.readBlob(digest, maxBytes, `blob ${this.name}@${digest}`);
  }

  async openBlob(digest: string): Promise<BlobReader> {
    const parts = blobParts(digest, `blob ${this.name}`);
    const { handle, size } = await this.openRegular(parts, `blob ${digest}`);
    return { body: handle.createReadStream(), size };
  }

  /** The `org.opencontainers.image.ref.name` annotations of index.json that are valid tags, each once, as one page. */
  async *listTags(): AsyncGenerator<readonly string[]> {
    const names = (await this.readIndex()).map((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? '');
    yield [...new Set(names.filter(isTag))];
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
      const tags = manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? '').filter((t) => LISTED_TAG.test(t));
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

  /** The entries of index.json naming `digest`, once index.json has been read (a tag or a digest was looked up). */
  private async entriesOf(digest: string): Promise<Descriptor[]> {
    return this.index ? (await this.index).filter((d) => d.digest === digest) : [];
  }

  private readIndex(): Promise<Descriptor[]> {
    this.index ??= this.loadIndex();
    return this.index;
  }

  private async loadIndex(): Promise<Descriptor[]> {
    await this.checkLayoutFile();
    const bytes = await this.readRegular(['index.json'], MAX_MANIFEST_BYTES, 'index.json');
    const index = parseManifest(bytes, OCI_INDEX, `${this.name}/index.json`);
    if (index.kind !== 'index')
      throw new RegistryError('InvalidManifest', `${this.name}/index.json is not an image index`);
    return index.manifests;
  }

  private async checkLayoutFile(): Promise<void> {
    const text = Buffer.from(await this.readRegular(['oci-layout'], MAX_LAYOUT_FILE_BYTES, 'oci-layout')).toString(
      'utf8',
    );
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (version !== '1.0.0')
      throw new RegistryError('InvalidManifest', `${this.name}: oci-layout does not declare imageLayoutVersion 1.0.0`);
  }

  /** Reads `blobs/<alg>/<hex>`, verified against its digest. */
  private async readBlob(digest: string, maxBytes: number, what: string): Promise<Uint8Array> {
    const bytes = await this.readRegular(blobParts(digest, what), maxBytes, `blob ${digest}`, what);
    verifyDigest(bytes, digest, what);
    return bytes;
  }

  /** Reads a whole regular file of the layout, refusing more than `maxBytes`. */
  private async readRegular(
    parts: readonly string[],
    maxBytes: number,
    name: string,
    what = `${this.name}/${name}`,
  ): Promise<Uint8Array> {
    const { handle, size } = await this.openRegular(parts, name);
    try {
      if (size > maxBytes) {
        throw new RegistryError(
          'InvalidManifest',
          `${what} is ${size} bytes, over the ${maxBytes}-byte limit; refused`,
        );
      }
      return await handle.readFile();
    } catch (error) {
      throw error instanceof RegistryError ? error : this.missing(error, name);
    } finally {
      await handle.close();
    }
  }

  /**
   * Opens a file of the layout without blocking and without following a link, and refuses anything but a regular
   * file: a layout from a pull request may hold a FIFO, a link to a device or to a file outside the layout, which
   * must not hang or exhaust a CI job, nor show what the file outside holds.
   */
  private async openRegular(parts: readonly string[], name: string): Promise<{ handle: FileHandle; size: number }> {
    let handle: FileHandle;
    try {
      handle = await this.paths.open(parts, constants.O_RDONLY | constants.O_NONBLOCK, undefined, name);
    } catch (error) {
      throw error instanceof RegistryError ? error : this.missing(error, name);
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

/** How a source layout refuses an entry: a layout from a pull request may link to files of the machine reading it. */
function sourceRefusal(layout: string): Refusal {
  return (problem, _path, name) =>
    new RegistryError(
      'InvalidManifest',
      problem === 'link'
        ? `${layout}: ${name} is a symbolic link; refused (a layout is read without following links)`
        : `${layout}: ${name} is ${problem}; refused`,
    );
}
