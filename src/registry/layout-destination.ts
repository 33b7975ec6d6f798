import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestAlgorithm, digestHex, isDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { Descriptor } from '../core/manifest.js';
import { verifiedBlob } from './blob-verify.js';
import { verifyDigest } from './body.js';
import type { BlobDescriptor, BlobTransfer, ImageDestination, ManifestBytes } from './destination.js';
import { INDEX_TEMP, readLayoutIndex, syncDirectory, tagEntries, updateLayoutIndex } from './layout-index.js';
import { LayoutRepository, REF_NAME_ANNOTATION } from './layout-repository.js';
import type { FetchedManifest, ImageRepository } from './repository.js';

/** Blobs in the making are written under this prefix in `blobs/` and renamed once complete and verified. */
export const TEMP_PREFIX = '.tmp-';

/** A blob file of a layout. */
export interface LayoutBlob {
  digest: string;
  size: number;
}

/**
 * One OCI image layout written to: blobs are streamed into temporary files, verified, fsynced and renamed into
 * `blobs/<alg>/<hex>`; a tag is an `org.opencontainers.image.ref.name` entry of index.json, replaced atomically.
 * Digests are validated before any path is built from them.
 */
export class LayoutDestination implements ImageDestination {
  readonly name: string;
  private readonly reader: LayoutRepository;
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    displayPath: string,
  ) {
    this.reader = new LayoutRepository(dir, displayPath);
    this.name = this.reader.name;
  }

  pullSpec(digest: string): string {
    return `${this.name}@${digest}`;
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    const entries = await readLayoutIndex(this.dir);
    return entries.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === tag)?.digest;
  }

  hasManifest(digest: string): Promise<boolean> {
    return this.hasBlob(digest);
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      return (await stat(this.blobPath(digest))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.failure(error, `blob ${digest}`);
    }
  }

  getManifest(digest: string): Promise<FetchedManifest> {
    this.blobPath(digest);
    return this.reader.getManifest(digest);
  }

  async putBlob(blob: BlobDescriptor, source: ImageRepository): Promise<BlobTransfer> {
    if (await this.hasBlob(blob.digest)) return 'present';
    if (!source.openBlob) throw new RegistryError('InternalError', `${source.name} cannot stream blobs`);
    const body = verifiedBlob(await source.openBlob(blob.digest), blob, `blob ${source.name}@${blob.digest}`);
    await this.store(blob.digest, body);
    return 'uploaded';
  }

  async putManifest(manifest: ManifestBytes, tag?: string): Promise<void> {
    verifyDigest(manifest.bytes, manifest.digest, `manifest ${manifest.digest}`);
    if (!(await this.hasBlob(manifest.digest))) await this.storeBytes(manifest.digest, manifest.bytes);
    if (tag === undefined) return;
    const { digest, mediaType } = manifest;
    await updateLayoutIndex(this.dir, (entries) =>
      tagEntries(entries, tag, { mediaType, digest, size: manifest.bytes.length }),
    );
  }

  async listTags(): Promise<string[]> {
    const entries = await readLayoutIndex(this.dir);
    return entries.flatMap((e) => e.annotations?.[REF_NAME_ANNOTATION] ?? []);
  }

  /** The entries of index.json. */
  indexEntries(): Promise<Descriptor[]> {
    return readLayoutIndex(this.dir);
  }

  /** Drops the index.json entries `remove` selects. */
  async removeEntries(remove: (entry: Descriptor) => boolean): Promise<void> {
    await updateLayoutIndex(this.dir, (entries) => entries.filter((e) => !remove(e)));
  }

  /** Every complete blob of the layout (temporary files left by an interrupted copy are not listed). */
  async listBlobs(): Promise<LayoutBlob[]> {
    const blobs: LayoutBlob[] = [];
    for (const algorithm of ['sha256', 'sha512']) {
      for (const name of await this.names(join(this.dir, 'blobs', algorithm))) {
        const digest = `${algorithm}:${name}`;
        if (isDigest(digest)) blobs.push({ digest, size: (await stat(this.blobPath(digest))).size });
      }
    }
    return blobs;
  }

  /** Temporary files left by copies that were interrupted: blobs in `blobs/`, index.json updates beside it. */
  async listTemporaryFiles(): Promise<{ path: string; size: number }[]> {
    const found: { path: string; size: number }[] = [];
    const collect = async (dir: string, temporary: (name: string) => boolean) => {
      for (const name of (await this.names(dir)).filter(temporary)) {
        const path = join(dir, name);
        found.push({ path, size: (await stat(path)).size });
      }
    };
    await collect(this.dir, (name) => INDEX_TEMP.test(name));
    for (const algorithm of ['sha256', 'sha512'])
      await collect(join(this.dir, 'blobs', algorithm), (name) => name.startsWith(TEMP_PREFIX));
    return found;
  }

  async deleteBlob(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async deleteFile(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  private async names(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.failure(error, dir);
    }
  }

  private async storeBytes(digest: string, bytes: Uint8Array): Promise<void> {
    await this.writeBlob(digest, (temp) => writeFile(temp, bytes, { flag: 'wx' }));
  }

  private async store(digest: string, body: Readable): Promise<void> {
    await this.writeBlob(digest, (temp) => pipeline(body, createWriteStream(temp, { flags: 'wx' })));
  }

  /** Writes into a temporary file, fsyncs it and renames it to the blob's path: a blob file is always complete. */
  private async writeBlob(digest: string, write: (temp: string) => Promise<void>): Promise<void> {
    const path = this.blobPath(digest);
    await this.prepare();
    const dir = join(this.dir, 'blobs', digestAlgorithm(digest));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${digestHex(digest).slice(0, 12)}-${randomBytes(6).toString('hex')}`);
    try {
      await write(temp);
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw this.failure(error, `blob ${digest}`);
    }
    await syncDirectory(dir);
  }

  /** The layout's skeleton, so that it is a valid (maybe empty) layout from the first blob on. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
      const layoutFile = join(this.dir, 'oci-layout');
      await writeFile(layoutFile, '{"imageLayoutVersion":"1.0.0"}\n', { flag: 'wx' }).catch((error) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      if (!(await exists(join(this.dir, 'index.json')))) await updateLayoutIndex(this.dir, (entries) => entries);
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  private blobPath(digest: string): string {
    if (!isDigest(digest)) throw new RegistryError('InvalidManifest', `invalid digest ${JSON.stringify(digest)}`);
    return join(this.dir, 'blobs', digestAlgorithm(digest), digestHex(digest));
  }

  private failure(error: unknown, what: string): RegistryError {
    if (error instanceof RegistryError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return new RegistryError('InternalError', `${this.name}: cannot write ${what}: ${code}`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
