import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { Descriptor } from '../core/manifest.js';
import { MAX_MANIFEST_BYTES, OCI_INDEX } from '../core/media-types.js';
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

/** Runs `update` on the entries of `<dir>/index.json` and replaces the file atomically with the result. */
export function updateLayoutIndex(dir: string, update: (entries: Descriptor[]) => Descriptor[]): Promise<void> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const next = previous.then(async () => {
    const doc = await readIndexDocument(dir);
    await writeIndexDocument(dir, { ...doc, manifests: update(doc.manifests) });
  });
  const settled = next.catch(() => {});
  queues.set(dir, settled);
  void settled.then(() => {
    if (queues.get(dir) === settled) queues.delete(dir);
  });
  return next;
}

/** The entries of `<dir>/index.json`; none when the layout has no index yet. */
export async function readLayoutIndex(dir: string): Promise<Descriptor[]> {
  return (await readIndexDocument(dir)).manifests;
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

async function readIndexDocument(dir: string): Promise<IndexDocument> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
    throw new RegistryError(
      'InternalError',
      `cannot read ${join(dir, 'index.json')}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  if (text.length > MAX_MANIFEST_BYTES)
    throw new RegistryError('InvalidManifest', `${join(dir, 'index.json')} is over the 4 MiB limit`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RegistryError('InvalidManifest', `${join(dir, 'index.json')} is not valid JSON`);
  }
  const manifests = (doc as { manifests?: unknown })?.manifests ?? [];
  if (typeof doc !== 'object' || doc === null || !Array.isArray(manifests) || !manifests.every(isEntry)) {
    throw new RegistryError('InvalidManifest', `${join(dir, 'index.json')} is not an OCI image index`);
  }
  return { ...(doc as object), schemaVersion: 2, manifests } as IndexDocument;
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
async function writeIndexDocument(dir: string, doc: IndexDocument): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.index.json.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(doc)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, 'index.json'));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new RegistryError(
      'InternalError',
      `cannot write ${join(dir, 'index.json')}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  await syncDirectory(dir);
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
