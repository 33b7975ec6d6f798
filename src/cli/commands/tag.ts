import { dirname } from 'node:path';
import {
  type CatalogText,
  deleteCatalogTag,
  findTag,
  setCatalogTag,
  type TagChanges,
} from '../../config/catalog-edit.js';
import { readCatalogText, writeCatalogText } from '../../config/catalog-file-text.js';
import { parseCatalog } from '../../config/index.js';
import { fileProblem } from '../../config/problems.js';
import { parseTagAddress, type TagAddress } from '../../config/tag-address.js';
import { sourceAsWritten } from '../../config/written-source.js';
import {
  type Catalog,
  type CatalogTag,
  IMPORT_MODE_MESSAGE,
  IMPORT_MODES,
  type ImportMode,
  type ReferencePolicy,
} from '../../core/catalog.js';
import { UsageError } from '../../core/errors.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

export interface TagCommandOptions extends Omit<CatalogPathOptions, 'state'> {
  alias?: boolean;
  delete?: boolean;
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
  importMode?: string;
}

/**
 * `tag SOURCE STREAM:TAG…` and `tag -d STREAM:TAG…`, as `oc tag`: sets or deletes tags in the catalog. SOURCE is an
 * image reference, or a tag of the catalog whose source and spec the new tag copies. Nothing is imported.
 */
export async function tagCommand(args: string[], options: TagCommandOptions, io: Io): Promise<number> {
  const file = await openCatalogText(options, io);
  const messages: string[] = [];
  let text = file.text;
  if (options.delete) {
    checkDeleteFlags(options);
    for (const dest of args.map((a) => parseTagAddress(a))) {
      text = deleteCatalogTag({ ...file, text }, dest.stream, dest.tag).after;
      messages.push(`Deleted tag ${dest.stream}:${dest.tag}.`);
    }
  } else {
    const [sourceArg, ...destArgs] = args;
    if (sourceArg === undefined || destArgs.length === 0) {
      throw new UsageError('you must specify a source and at least one destination or one or more tags to delete');
    }
    const catalog = parseCatalog(file.text, file.path, {
      displayPath: file.displayPath,
      ...(file.allowedPaths && { allowedPaths: file.allowedPaths }),
    });
    const source = tagSource(sourceArg, catalog, io.cwd);
    const dests = destArgs.map((a) => parseTagAddress(a));
    checkAlias(options, source, dests);
    const changes = { ...source.changes, ...flagChanges(options) };
    for (const dest of dests) {
      const edit = setCatalogTag({ ...file, text }, dest.stream, dest.tag, changes);
      text = edit.after;
      messages.push(setMessage(dest, findTag(edit.catalog, dest.stream, dest.tag)!, source, options));
    }
  }
  if (text !== file.text) await writeCatalogText(file.path, text);
  for (const message of messages) io.stdout.write(`${message}\n`);
  return EXIT_OK;
}

/** Where a tag's settings come from: an image reference, or another tag of the catalog. */
interface TagSource {
  /** As typed. */
  text: string;
  changes: TagChanges;
  /** Set when SOURCE is a tag of the catalog. */
  tag?: CatalogTag;
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

function checkDeleteFlags(options: TagCommandOptions): void {
  if (options.alias) throw new UsageError('--alias and --delete may not be both specified');
  const importFlags = [options.scheduled, options.insecure, options.importMode, options.referencePolicy];
  if (importFlags.some((flag) => flag !== undefined)) {
    throw new UsageError('cannot set flags for importing images when deleting a tag');
  }
}

/** oc's rules for an alias: a tag of the same stream, with no import flags of its own. */
function checkAlias(options: TagCommandOptions, source: TagSource, dests: TagAddress[]): void {
  if (!options.alias) return;
  if (!source.tag)
    throw new UsageError(`--alias needs a SOURCE that is a tag of the catalog (STREAM:TAG), not ${source.text}`);
  if (options.scheduled !== undefined || options.insecure !== undefined) {
    throw new UsageError('cannot set a container image tag as an alias and also set import flags');
  }
  if (dests.some((d) => d.stream !== source.tag!.stream)) {
    throw new UsageError('cannot set alias across different Image Streams');
  }
}

/** The settings given by flags; those not given are left as they are. */
export function flagChanges(options: {
  scheduled?: boolean;
  insecure?: boolean;
  importMode?: string;
  referencePolicy?: string;
}): TagChanges {
  const changes: TagChanges = {};
  if (options.importMode !== undefined) changes.importMode = importModeOption(options.importMode);
  if (options.referencePolicy !== undefined) changes.referencePolicy = referencePolicyOption(options.referencePolicy);
  if (options.scheduled !== undefined) changes.scheduled = options.scheduled;
  if (options.insecure !== undefined) changes.insecure = options.insecure;
  return changes;
}

export function importModeOption(value: string): ImportMode {
  const mode = IMPORT_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(IMPORT_MODE_MESSAGE);
  return mode;
}

/** `source` or `local`, as oc spells them (any case). */
export function referencePolicyOption(value: string): ReferencePolicy {
  const lower = value.toLowerCase();
  if (lower === 'source') return 'Source';
  if (lower === 'local') return 'Local';
  throw new UsageError("reference policy must be set to 'source' or 'local'");
}

function setMessage(dest: TagAddress, tag: CatalogTag, source: TagSource, options: TagCommandOptions): string {
  const name = `${dest.stream}:${dest.tag}`;
  if (options.alias) return `Tag ${name} set up to track ${source.text}.`;
  const copied = source.tag ? ` (from ${tag.spec.from})` : '';
  return tag.spec.scheduled
    ? `Tag ${name} set to import ${source.text} periodically${copied}.`
    : `Tag ${name} set to ${source.text}${copied}.`;
}

/** The catalog file's text; a missing file is an error (import-image --confirm creates one). */
async function openCatalogText(options: TagCommandOptions, io: Io): Promise<CatalogText> {
  const { path, displayPath } = catalogFileOf(options, io);
  const text = await readCatalogText(path, displayPath);
  if (text === undefined) throw fileProblem(displayPath, 'cannot read the catalog: no such file');
  const allowedPaths = allowedPathsOf(options, io);
  return { text, path, displayPath, ...(allowedPaths && { allowedPaths }) };
}
