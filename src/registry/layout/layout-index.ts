import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { isDigest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import type { Descriptor } from '../../core/manifest.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX } from '../../core/media-types.js';
import type { NoFollowPaths } from './layout-paths.js';
import { REF_NAME_ANNOTATION } from './layout-repository.js';

/** index.json as read: its entries, and the rest of the document (kept as it was when the file is rewritten). */
interface IndexDocument {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  [key: string]: unknown;
}

/** The temporary file a new index.json is written to before it replaces the old one. */
export const INDEX_TEMP = /^\.index\.json\.[0-9a-f]+\.tmp$/;

/** Changes to index.json of one layout are made one at a time (per process; other processes hold the state lock). */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `update` on the entries of the layout's index.json and replaces the file atomically with the result. The
 * layout's directory must exist; `paths` reach it without following links. `name` names the file in messages.
 */
export function updateLayoutIndex(
  paths: NoFollowPaths,
  name: string,
  update: (entries: Descriptor[]) => Descriptor[],
): Promise<void> {
  const key = paths.path([]);
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(async () => {
    const doc = await readIndexDocument(paths, name);
    await writeIndexDocument(paths, name, { ...doc, manifests: update(doc.manifests) });
  });
  const settled = next.catch(() => {});
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

/** The entries of the layout's index.json; none when the layout has no index yet. */
export async function readLayoutIndex(paths: NoFollowPaths, name: string): Promise<Descriptor[]> {
  return (await readIndexDocument(paths, name)).manifests;
}

/** Points `tag` at `descriptor`, dropping whatever entry had that name. */
export function tagEntries(
  entries: Descriptor[],
  tag: string,
  descriptor: Omit<Descriptor, 'annotations'>,
): Descriptor[] {
  const others = entries.filter((e) => e.annotations?.[REF_NAME_ANNOTATION] !== tag);
  return [...others, { ...descriptor, annotations: { [REF_NAME_ANNOTATION]: tag } }];
}

async function readIndexDocument(paths: NoFollowPaths, name: string): Promise<IndexDocument> {
  const text = await readIndexText(paths, name);
  if (text === undefined) return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RegistryError('InvalidManifest', `${name} is not valid JSON`);
  }
  const manifests = (doc as { manifests?: unknown })?.manifests ?? [];
  if (typeof doc !== 'object' || doc === null || !Array.isArray(manifests) || !manifests.every(isEntry)) {
    throw new RegistryError('InvalidManifest', `${name} is not an OCI image index`);
  }
  return { ...(doc as object), schemaVersion: 2, manifests } as IndexDocument;
}

/** index.json's text, read without following a link and refused over 4 MiB; undefined when there is none. */
async function readIndexText(paths: NoFollowPaths, name: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await paths.open(['index.json'], constants.O_RDONLY | constants.O_NONBLOCK, undefined, name);
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new RegistryError('InternalError', `cannot read ${name}: ${code ?? 'error'}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new RegistryError('InvalidManifest', `${name} is not a regular file; refused`);
    if (stats.size > MAX_MANIFEST_BYTES)
      throw new RegistryError('InvalidManifest', `${name} is over the 4 MiB limit; refused`);
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(
      'InternalError',
      `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  } finally {
    await handle.close();
  }
}

function isEntry(value: unknown): value is Descriptor {
  const entry = value as Partial<Descriptor> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.mediaType === 'string' &&
    typeof entry.digest === 'string' &&
    isDigest(entry.digest) &&
    typeof entry.size === 'number'
  );
}

/** Temporary file, fsync, rename over index.json, fsync the directory: readers see the old or the new index. */
async function writeIndexDocument(paths: NoFollowPaths, name: string, doc: IndexDocument): Promise<void> {
  const temp = `.index.json.${randomBytes(6).toString('hex')}.tmp`;
  let created = false;
  try {
    const handle = await paths.open([temp], constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    created = true;
    try {
      await handle.writeFile(`${JSON.stringify(doc)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(paths.path([temp]), paths.path(['index.json']));
  } catch (error) {
    if (created) await unlink(paths.path([temp])).catch(() => {});
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(
      'InternalError',
      `cannot write ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  await syncDirectory(paths.path([])).catch((error: unknown) => {
    throw new RegistryError(
      'InternalError',
      `cannot sync ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  });
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    await handle.close();
  }
}
