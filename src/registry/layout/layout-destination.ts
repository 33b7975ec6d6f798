import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { digestHex, isDigest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import type { Descriptor } from '../../core/manifest.js';
import { verifiedBlob } from '../blob-verify.js';
import { verifyDigest } from '../body.js';
import type { BlobDescriptor, BlobTransfer, ImageDestination, ManifestBytes } from '../destination.js';
import type { FetchedManifest, ImageRepository } from '../repository.js';
import { INDEX_TEMP, readLayoutIndex, syncDirectory, tagEntries, updateLayoutIndex } from './layout-index.js';
import { NoFollowPaths, type Refusal } from './layout-paths.js';
import { blobParts, LayoutRepository, REF_NAME_ANNOTATION } from './layout-repository.js';

/** Blobs in the making are written under this prefix in `blobs/` and renamed once complete and verified. */
export const TEMP_PREFIX = '.tmp-';

const ALGORITHMS = ['sha256', 'sha512'] as const;

/** A blob file of a layout. */
export interface LayoutBlob {
  digest: string;
  size: number;
}

/**
 * One OCI image layout of a local store (`<store>/<stream>`), written to: blobs are streamed into temporary files,
 * verified, fsynced and renamed into `blobs/<alg>/<hex>`; a tag is an `org.opencontainers.image.ref.name` entry of
 * index.json, replaced atomically. Digests are validated before any path is built from them, and nothing in the
 * store is read, written or deleted through a symbolic link: a link below the store's directory (the layout's own
 * directory included) is an error naming it.
 */
export class LayoutDestination implements ImageDestination {
  readonly name: string;
  private readonly paths: NoFollowPaths;
  private readonly reader: LayoutRepository;
  private readonly indexName: string;
  private ready: Promise<void> | undefined;

  /**
   * `dir` is `<store>/<stream>`; `displayPath` names it in messages and pull specs (`store/app`). Links are refused
   * below the store's directory, or below `noLinksBelow` (a directory above it) when given.
   */
  constructor(
    readonly dir: string,
    displayPath: string,
    noLinksBelow = dirname(dir),
  ) {
    const prefix = relative(noLinksBelow, dir).split(sep);
    this.paths = new NoFollowPaths(noLinksBelow, prefix, storeRefusal(dirname(displayPath)));
    this.reader = new LayoutRepository(dir, displayPath, this.paths);
    this.name = this.reader.name;
    this.indexName = `${this.name}/index.json`;
  }

  pullSpec(digest: string): string {
    return `${this.name}@${digest}`;
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    const entries = await this.indexEntries();
    return entries.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === tag)?.digest;
  }

  hasManifest(digest: string): Promise<boolean> {
    return this.hasBlob(digest);
  }

  async hasBlob(digest: string): Promise<boolean> {
    const parts = blobParts(digest, this.name);
    return (await this.attempt(`blob ${digest}`, () => this.paths.regularFile(parts))) !== undefined;
  }

  async getManifest(digest: string): Promise<FetchedManifest> {
    blobParts(digest, this.name);
    return this.reader.getManifest(digest);
  }

  /** The source is opened only once the temporary file is ready: a stream is never left waiting for its reader. */
  async putBlob(blob: BlobDescriptor, source: ImageRepository): Promise<BlobTransfer> {
    if (await this.hasBlob(blob.digest)) return 'present';
    const openBlob = source.openBlob?.bind(source);
    if (!openBlob) throw new RegistryError('InternalError', `${source.name} cannot stream blobs`);
    await this.writeBlob(blob.digest, async (file) => {
      const body = verifiedBlob(await openBlob(blob.digest), blob, `blob ${source.name}@${blob.digest}`);
      // Read to its end (which verifies it) or to its error; leaving the loop early destroys the stream.
      for await (const chunk of body) await file.writeFile(chunk as Buffer);
    });
    return 'uploaded';
  }

  async putManifest(manifest: ManifestBytes, tag?: string): Promise<void> {
    verifyDigest(manifest.bytes, manifest.digest, `manifest ${manifest.digest}`);
    if (!(await this.hasBlob(manifest.digest)))
      await this.writeBlob(manifest.digest, (file) => file.writeFile(manifest.bytes));
    if (tag === undefined) return;
    const { digest, mediaType } = manifest;
    await this.updateIndex((entries) => tagEntries(entries, tag, { mediaType, digest, size: manifest.bytes.length }));
  }

  async listTags(): Promise<string[]> {
    const entries = await this.indexEntries();
    return entries.flatMap((e) => e.annotations?.[REF_NAME_ANNOTATION] ?? []);
  }

  /** The entries of index.json. */
  indexEntries(): Promise<Descriptor[]> {
    return readLayoutIndex(this.paths, this.indexName);
  }

  /** Drops the index.json entries `remove` selects. */
  async removeEntries(remove: (entry: Descriptor) => boolean): Promise<void> {
    await this.updateIndex((entries) => entries.filter((e) => !remove(e)));
  }

  /** Every complete blob of the layout (temporary files left by an interrupted copy are not listed). */
  async listBlobs(): Promise<LayoutBlob[]> {
    const blobs: LayoutBlob[] = [];
    for (const algorithm of ALGORITHMS) {
      for (const name of await this.names(['blobs', algorithm])) {
        const digest = `${algorithm}:${name}`;
        if (!isDigest(digest)) continue;
        const stats = await this.attempt(`blob ${digest}`, () => this.paths.regularFile(['blobs', algorithm, name]));
        if (stats) blobs.push({ digest, size: stats.size });
      }
    }
    return blobs;
  }

  /** Temporary files left by copies that were interrupted: blobs in `blobs/`, index.json updates beside it. */
  async listTemporaryFiles(): Promise<{ path: string; size: number }[]> {
    const found: { path: string; size: number }[] = [];
    const collect = async (dir: string[], temporary: (name: string) => boolean) => {
      for (const name of (await this.names(dir)).filter(temporary)) {
        const stats = await this.attempt(name, () => this.paths.regularFile([...dir, name]));
        if (stats) found.push({ path: this.paths.path([...dir, name]), size: stats.size });
      }
    };
    await collect([], (name) => INDEX_TEMP.test(name));
    for (const algorithm of ALGORITHMS) await collect(['blobs', algorithm], (name) => name.startsWith(TEMP_PREFIX));
    return found;
  }

  async deleteBlob(digest: string): Promise<void> {
    await this.deleteEntry(blobParts(digest, this.name), `blob ${digest}`);
  }

  /** Deletes a file `listTemporaryFiles` listed. */
  async deleteFile(path: string): Promise<void> {
    const parts = relative(this.dir, path).split(sep);
    if (
      parts.some((part) => part === '..' || part === '') ||
      !/^(blobs\/sha(256|512)\/)?\.[^/]+$/.test(parts.join('/'))
    )
      throw new RegistryError('InternalError', `${this.name}: ${path} is not a temporary file of the layout`);
    await this.deleteEntry(parts, parts.join('/'));
  }

  /** Deletes a regular file of the layout; a link (or a link on the way) is refused, never followed. */
  private async deleteEntry(parts: string[], name: string): Promise<void> {
    await this.attempt(name, async () => {
      if (await this.paths.regularFile(parts)) await rm(this.paths.path(parts), { force: true });
    });
  }

  private async names(dir: string[]): Promise<string[]> {
    return this.attempt(dir.join('/'), () => this.paths.list(dir));
  }

  private async updateIndex(update: (entries: Descriptor[]) => Descriptor[]): Promise<void> {
    await this.attempt('index.json', () => this.paths.directories([]));
    await updateLayoutIndex(this.paths, this.indexName, update);
  }

  /**
   * Creates a temporary file in `blobs/<alg>/`, has `write` fill it, fsyncs it and renames it to the blob's path: a
   * blob file is always complete. The temporary file is created exclusively (never through a link) and the rename
   * replaces an entry rather than following it.
   */
  private async writeBlob(digest: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
    const parts = blobParts(digest, this.name);
    await this.prepare();
    const dir = parts.slice(0, 2);
    const temp = [...dir, `${TEMP_PREFIX}${digestHex(digest).slice(0, 12)}-${randomBytes(6).toString('hex')}`];
    let created = false;
    try {
      await this.paths.directories(dir, true);
      const file = await this.paths.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      created = true;
      try {
        await write(file);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(this.paths.path(temp), this.paths.path(parts));
    } catch (error) {
      if (created) await unlink(this.paths.path(temp)).catch(() => {});
      throw this.failure(error, `blob ${digest}`, 'write');
    }
    await this.attempt(`blob ${digest}`, () => syncDirectory(this.paths.path(dir)));
  }

  /** The layout's skeleton, so that it is a valid (maybe empty) layout from the first blob on. */
  private prepare(): Promise<void> {
    this.ready ??= this.attempt('the layout', async () => {
      await mkdir(this.paths.root, { recursive: true });
      await this.paths.directories(['blobs', 'sha256'], true);
      if (!(await this.paths.regularFile(['oci-layout']))) await this.createLayoutFile();
      if (!(await this.paths.regularFile(['index.json'])))
        await updateLayoutIndex(this.paths, this.indexName, (entries) => entries);
    });
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** Writes `oci-layout`, unless another copy just did. */
  private async createLayoutFile(): Promise<void> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    const file = await this.paths.open(['oci-layout'], flags, 0o644).catch(ignoreExisting);
    if (!file) return;
    try {
      await file.writeFile('{"imageLayoutVersion":"1.0.0"}\n');
    } finally {
      await file.close();
    }
  }

  /** Runs a file operation; a failure of the file system becomes a RegistryError naming `what`. */
  private async attempt<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.failure(error, what);
    }
  }

  private failure(error: unknown, what: string, doing = 'access'): RegistryError {
    if (error instanceof RegistryError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return new RegistryError('InternalError', `${this.name}: cannot ${doing} ${what}: ${code}`, { cause: error });
  }
}

/** A file the layout was to create exclusively that another copy created first: no file to write. */
function ignoreExisting(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
  throw error;
}

/** How the store refuses an entry: by its path in the store, and why nothing goes through it. */
function storeRefusal(store: string): Refusal {
  return (problem, path) =>
    new RegistryError(
      'InternalError',
      problem === 'link'
        ? `local store ${store}: ${path} is a symbolic link; refused: nothing in the store is read, written or deleted through a link (remove it)`
        : `local store ${store}: ${path} is ${problem}; refused`,
    );
}
