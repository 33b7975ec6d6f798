import { dirname } from 'node:path';
import { deleteCatalogTag, findTag, setCatalogTag, type TagChanges } from '../config/catalog-edit.js';
import { writeCatalogText } from '../config/catalog-file-text.js';
import { parseCatalog } from '../config/index.js';
import { parseTagAddress, type TagAddress } from '../config/tag-address.js';
import { sourceAsWritten } from '../config/written-source.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import { type CatalogFileRef, type CatalogFileText, readCatalogFile } from './catalog-file.js';
import { settingChanges, type TagSettings } from './tag-changes.js';

export interface TagRequest extends TagSettings {
  /** `STREAM:TAG` addresses to delete; no import setting may be given with them. */
  delete?: string[];
  /** SOURCE (an image reference, or a tag of the catalog whose source and spec are copied) and destinations. */
  set?: { source: string | undefined; destinations: string[] };
  /** The destinations track SOURCE, a tag of the same stream. */
  alias?: boolean;
}

/** What happened to one destination. */
export type TagEdit =
  | { kind: 'deleted'; address: TagAddress }
  | { kind: 'set'; address: TagAddress; tag: CatalogTag; source: TagSource; alias: boolean };

/** Where a tag's settings come from: an image reference, or another tag of the catalog. */
export interface TagSource {
  /** As typed. */
  text: string;
  changes: TagChanges;
  /** Set when SOURCE is a tag of the catalog. */
  tag?: CatalogTag;
}

/** Sets or deletes tags in the catalog file, as `oc tag` does; nothing is imported. */
export async function tagOperation(ref: CatalogFileRef, request: TagRequest, cwd: string): Promise<TagEdit[]> {
  const file = await readCatalogFile(ref, 'error');
  const { text, edits } = request.delete ? deleteTags(file, request) : setTags(file, request, cwd);
  if (text !== file.text) await writeCatalogText(file.path, text);
  return edits;
}

function deleteTags(file: CatalogFileText, request: TagRequest): { text: string; edits: TagEdit[] } {
  checkDeleteFlags(request);
  let text = file.text;
  const edits: TagEdit[] = [];
  for (const address of (request.delete ?? []).map((a) => parseTagAddress(a))) {
    text = deleteCatalogTag({ ...file, text }, address.stream, address.tag).after;
    edits.push({ kind: 'deleted', address });
  }
  return { text, edits };
}

function setTags(file: CatalogFileText, request: TagRequest, cwd: string): { text: string; edits: TagEdit[] } {
  const set = request.set;
  if (set?.source === undefined || set.destinations.length === 0) {
    throw new UsageError('you must specify a source and at least one destination or one or more tags to delete');
  }
  const catalog = parseCatalog(file.text, file.path, {
    displayPath: file.displayPath,
    ...(file.allowedPaths && { allowedPaths: file.allowedPaths }),
  });
  const source = tagSource(set.source, catalog, cwd);
  const dests = set.destinations.map((a) => parseTagAddress(a));
  checkAlias(request, source, dests);
  const changes = { ...source.changes, ...settingChanges(request) };
  let text = file.text;
  const edits: TagEdit[] = [];
  for (const address of dests) {
    const edit = setCatalogTag({ ...file, text }, address.stream, address.tag, changes);
    text = edit.after;
    const tag = findTag(edit.catalog, address.stream, address.tag)!;
    edits.push({ kind: 'set', address, tag, source, alias: Boolean(request.alias) });
  }
  return { text, edits };
}

function tagSource(text: string, catalog: Catalog, cwd: string): TagSource {
  const tag = catalog.tags.find((t) => t.address === text);
  if (tag) {
    const { from, importMode, referencePolicy, scheduled, insecure, preferPlatform } = tag.spec;
    return { text, tag, changes: { from, importMode, referencePolicy, scheduled, insecure, preferPlatform } };
  }
  const colon = text.indexOf(':');
  const stream = text.slice(0, colon);
  if (colon > 0 && !text.includes('/') && catalog.tags.some((t) => t.stream === stream)) {
    throw new UsageError(
      `SOURCE ${text}: the image stream "${stream}" has no tag "${text.slice(colon + 1)}" (for an image of Docker Hub, write docker.io/library/${text})`,
    );
  }
  return { text, changes: { from: sourceAsWritten(text, cwd, dirname(catalog.path)) } };
}

function checkDeleteFlags(request: TagRequest): void {
  if (request.alias) throw new UsageError('--alias and --delete may not be both specified');
  const importFlags = [request.scheduled, request.insecure, request.importMode, request.referencePolicy];
  if (importFlags.some((flag) => flag !== undefined)) {
    throw new UsageError('cannot set flags for importing images when deleting a tag');
  }
}

/** oc's rules for an alias: a tag of the same stream, with no import flags of its own. */
function checkAlias(request: TagRequest, source: TagSource, dests: TagAddress[]): void {
  if (!request.alias) return;
  if (!source.tag)
    throw new UsageError(`--alias needs a SOURCE that is a tag of the catalog (STREAM:TAG), not ${source.text}`);
  if (request.scheduled !== undefined || request.insecure !== undefined) {
    throw new UsageError('cannot set a container image tag as an alias and also set import flags');
  }
  if (dests.some((d) => d.stream !== source.tag!.stream)) {
    throw new UsageError('cannot set alias across different Image Streams');
  }
}
