import { dirname } from 'node:path';
import { deleteCatalogTag, validated } from '../config/catalog-edit.js';
import { writeCatalogText } from '../config/catalog-file-text.js';
import { replaceCatalogTag } from '../config/catalog-replace.js';
import { parseTagAddress, type TagAddress } from '../config/tag-address.js';
import { sourceAsWritten } from '../config/written-source.js';
import { allCatalogTags, type Catalog, type ImportMode } from '../core/catalog.js';
import { UsageError } from '../core/errors.js';
import { StateStore } from '../state/index.js';
import { type CatalogFileRef, type CatalogFileText, readCatalogFile } from './catalog-file.js';
import { importModeOf, referencePolicyOf, type TagSettings } from './tag-changes.js';
import {
  parseTagSource,
  type ResolvedSource,
  resolveTagSource,
  sourceStreamName,
  type TagSourceArgument,
  writtenFrom,
} from './tag-source.js';

export interface TagRequest extends TagSettings {
  /** `STREAM:TAG` addresses to delete; no import setting may be given with them. */
  delete?: string[];
  /** SOURCE (an image, `STREAM:TAG` or `STREAM@sha256:…`) and the destinations. */
  set?: { source: string | undefined; destinations: string[] };
  /** The destinations follow SOURCE, a tag of the same stream. */
  alias?: boolean;
}

/** What happened to one destination. */
export type TagEdit =
  | { kind: 'deleted'; address: TagAddress }
  | {
      kind: 'set';
      address: TagAddress;
      /** What the destination was set to, as oc prints it: the image, `stream:tag` or `stream@sha256:…`. */
      source: string;
      alias: boolean;
      scheduled: boolean;
      /** Set when an omitted --import-mode (Legacy, as oc) changed the destination's import mode. */
      importModeChange?: { from: ImportMode; to: ImportMode };
    };

/** Sets or deletes tags in the catalog file as `oc tag` does: a destination's spec is replaced; nothing is imported. */
export async function tagOperation(ref: CatalogFileRef, request: TagRequest, cwd: string): Promise<TagEdit[]> {
  const file = await readCatalogFile(ref, 'error');
  const { text, edits } = request.delete ? deleteTags(file, request) : await setTags(file, request, cwd);
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

async function setTags(
  file: CatalogFileText,
  request: TagRequest,
  cwd: string,
): Promise<{ text: string; edits: TagEdit[] }> {
  const set = request.set;
  if (set?.source === undefined || set.destinations.length === 0) {
    throw new UsageError('you must specify a source and at least one destination or one or more tags to delete');
  }
  const source = parseTagSource(set.source);
  const dests = set.destinations.map((a) => parseTagAddress(a));
  const settings = checkedSettings(request, source, dests);
  const catalog = validated(file, file.text);
  const resolved = await resolvedSource(source, Boolean(request.alias), catalog, cwd);
  let text = file.text;
  const edits: TagEdit[] = [];
  for (const address of dests) {
    const dest = `${address.stream}:${address.tag}`;
    const from = writtenFrom(resolved, dest, catalog);
    const replacement = { ...settings, from, follows: resolved.kind === 'reference' };
    const edit = replaceCatalogTag({ ...file, text }, address.stream, address.tag, replacement);
    const before = allCatalogTags(validated(file, text)).find((t) => t.address === dest);
    text = edit.after;
    edits.push({
      kind: 'set',
      address,
      source: shownSource(resolved, source),
      alias: Boolean(request.alias),
      scheduled: settings.scheduled,
      ...(!importModeNamed(request) &&
        before &&
        before.spec.importMode !== settings.importMode && {
          importModeChange: { from: before.spec.importMode, to: settings.importMode },
        }),
    });
  }
  return { text, edits };
}

/** oc's checks of the flags against SOURCE and the destinations, and the spec they give (oc's defaults). */
function checkedSettings(request: TagRequest, source: TagSourceArgument, dests: TagAddress[]) {
  const importing = request.scheduled === true || request.insecure === true;
  if (source.kind !== 'DockerImage' && importing)
    throw new UsageError('only container images can have importing flags set');
  if (request.alias) {
    if (importing) throw new UsageError('cannot set a container image tag as an alias and also set import flags');
    const name = sourceStreamName(source);
    if (dests.some((d) => d.stream !== name)) throw new UsageError('cannot set alias across different Image Streams');
  }
  return {
    importMode: importModeNamed(request) ? importModeOf(request.importMode!) : ('Legacy' as const),
    referencePolicy:
      request.referencePolicy === undefined ? ('Source' as const) : referencePolicyOf(request.referencePolicy),
    scheduled: request.scheduled ?? false,
    insecure: request.insecure ?? false,
  };
}

async function resolvedSource(
  source: TagSourceArgument,
  alias: boolean,
  catalog: Catalog,
  cwd: string,
): Promise<ResolvedSource> {
  if (source.kind === 'DockerImage') {
    return { kind: 'DockerImage', text: sourceAsWritten(source.text, cwd, dirname(catalog.path)) };
  }
  const snapshot = source.kind === 'ImageStreamTag' && !alias;
  const state = snapshot ? (await StateStore.open(catalog.statePath)).state : null;
  return resolveTagSource(source, alias, catalog, state);
}

function shownSource(resolved: ResolvedSource, source: TagSourceArgument): string {
  if (resolved.kind === 'DockerImage') return source.text;
  const { target } = resolved;
  return target.kind === 'ImageStreamTag' ? `${target.stream}:${target.tag}` : `${target.stream}@${target.digest}`;
}

function checkDeleteFlags(request: TagRequest): void {
  if (request.alias) throw new UsageError('--alias and --delete may not be both specified');
  if (request.scheduled || request.insecure) {
    throw new UsageError('cannot set flags for importing images when deleting a tag');
  }
  if (importModeNamed(request)) throw new UsageError('cannot specify an import mode when deleting');
}

/** oc reads an empty --import-mode as none: Legacy. */
function importModeNamed(request: TagRequest): boolean {
  return request.importMode !== undefined && request.importMode !== '';
}
