import { dirname } from 'node:path';
import { type CatalogEdit, catalogDiff, findTag, setCatalogTag, type TagChanges } from '../config/catalog-edit.js';
import { writeCatalogText } from '../config/catalog-file-text.js';
import { parseCatalog } from '../config/parse-catalog.js';
import type { TagAddress } from '../config/tag-address.js';
import { sameSource, sourceAsWritten } from '../config/written-source.js';
import type { Catalog, CatalogTag } from '../core/catalog.js';
import { NotConfirmedError, UsageError } from '../core/errors.js';
import type { State, TagItem } from '../core/state-model.js';
import { previewImport } from '../engine/import-preview.js';
import type { Interruption } from '../engine/interruption.js';
import { StateStore } from '../state/index.js';
import { type CatalogFileRef, type CatalogFileText, readCatalogFile } from './catalog-file.js';
import { catalogOptions, importTags, planTags, withLockedStateAfter } from './import-image-steps.js';
import { type ImportFlags, type ImportNote, importChanges, importFlagsOf } from './import-settings.js';
import { hasStream, importTarget } from './import-target.js';
import type { ImportProgress } from './progress.js';
import { type CatalogRepositories, type CatalogRepositoriesOptions, withRepositories } from './repositories.js';
import type { TagSettings } from './tag-changes.js';
import type { ImportFailure } from './tag-import.js';

export interface ImportImageRequest extends TagSettings, CatalogRepositoriesOptions {
  address: TagAddress;
  /** STREAM[:TAG] as typed: the source of a stream that does not exist yet, unless `from` is given. */
  target: string;
  from?: string;
  /** Lets the import create the stream. */
  confirm?: boolean;
  /** Write nothing: show the catalog edit and what the import would record. */
  dryRun?: boolean;
  lockTimeoutMs: number;
  /** Relative sources are taken from here. */
  cwd: string;
  /** Told once the catalog file was written, before the import. */
  onCatalogWritten?(tag: CatalogTag, file: CatalogFileRef): void;
  progress?: ImportProgress;
  /** Stops the imports: what completed is committed, and the command fails with an InterruptedError. */
  interruption?: Interruption;
}

export interface ImportImageResult {
  catalog: Catalog;
  /** The state after the import (with --dry-run, as the import would leave it). */
  state: State;
  tag: CatalogTag;
  failure?: ImportFailure;
  /** What the import changes in the tag that the flags did not name. */
  notes: ImportNote[];
  /** With --dry-run: the catalog edit as a diff ('' when there is none), and the item the import would add. */
  dryRun?: { diff: string; item?: TagItem };
}

/**
 * `import-image`, as `oc import-image`: writes the tag's spec into the catalog (a new stream only when confirmed;
 * never a new source for an existing tag), then imports exactly that tag under the state lock. A failed import
 * keeps the catalog edit and records a condition.
 */
export async function importImageOperation(
  ref: CatalogFileRef,
  request: ImportImageRequest,
): Promise<ImportImageResult> {
  const flags = importFlagsOf(request);
  const file = await readCatalogFile(ref, 'empty');
  const wanted = importRequest(file, request, flags);
  if (wanted.needsConfirm && !request.confirm && !request.dryRun) {
    throw new NotConfirmedError(`${wanted.needsConfirm} (nothing was written)`);
  }
  const { stream, tag: tagName } = wanted.address;
  const edit = setCatalogTag(file, stream, tagName, wanted.changes);
  const tag = findTag(edit.catalog, stream, tagName)!;
  const done = await withRepositories(edit.catalog, request, (repositories) =>
    request.dryRun ? dryRun(file, edit, tag, repositories) : importNow(file, edit, tag, repositories, request),
  );
  return { ...done, notes: wanted.notes };
}

type Imported = Omit<ImportImageResult, 'notes'>;

interface ImportRequest {
  /** The tag imported: the one asked for, or the tag of the same stream its references lead to (as oc). */
  address: TagAddress;
  changes: TagChanges;
  notes: ImportNote[];
  /** Why the request needs --confirm; undefined when it does not. */
  needsConfirm?: string;
}

/**
 * What the catalog must say for the import, and whether saying it needs --confirm, by oc's rules: --confirm
 * creates a stream; a new tag of an existing stream needs only --from; an existing tag keeps its source; a tag
 * following another tag of its stream imports that tag; one following another stream's tag or an image is refused.
 */
function importRequest(file: CatalogFileText, request: ImportImageRequest, flags: ImportFlags): ImportRequest {
  const { address } = request;
  const { stream, tag } = address;
  const catalogDir = dirname(file.path);
  const from = request.from === undefined ? undefined : sourceAsWritten(request.from, request.cwd, catalogDir);
  const catalog = parseCatalog(file.text, file.path, catalogOptions(file));
  if (!hasStream(catalog, stream)) {
    const needsConfirm = file.exists
      ? `no image stream named "${stream}" exists, pass --confirm to create and import`
      : `${file.displayPath} does not exist, pass --confirm to create it with the image stream "${stream}" and import`;
    const source = from ?? sourceAsWritten(request.target, request.cwd, catalogDir);
    return { address, ...withSource(importChanges(flags, undefined), source), needsConfirm };
  }
  const { tag: current, followed } = importTarget(catalog, stream, tag);
  if (!current) {
    if (from === undefined) {
      throw new UsageError(
        `the tag "${tag}" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
      );
    }
    return { address, ...withSource(importChanges(flags, undefined), from) };
  }
  if (from !== undefined && !sameSource(from, current.spec.from, catalogDir)) {
    const pointsTo = followed ? `the tag "${current.tag}" which points to ` : '';
    throw new UsageError(
      `the tag "${tag}" points to ${pointsTo}"${current.spec.from}" - use the 'tag' command if you want to change the source to "${from}"`,
    );
  }
  return { address: { stream, tag: current.tag }, ...importChanges(flags, current) };
}

function withSource<T extends { changes: TagChanges }>(request: T, from: string): T {
  return { ...request, changes: { ...request.changes, from } };
}

function importNow(
  file: CatalogFileText,
  edit: CatalogEdit,
  tag: CatalogTag,
  repositories: CatalogRepositories,
  request: ImportImageRequest,
): Promise<Imported> {
  const statePath = edit.catalog.statePath;
  return withLockedStateAfter(
    statePath,
    request.lockTimeoutMs,
    async () => {
      if (edit.changed) {
        await writeCatalogText(file.path, edit.after);
        request.onCatalogWritten?.(tag, file);
      }
    },
    async (store) => {
      const failure = (await importTags(edit.catalog, [tag], store, repositories, request)).get(tag.address);
      return { catalog: edit.catalog, state: store.state, tag, ...(failure && { failure }) };
    },
  );
}

/** The catalog edit as a diff, then the state as the import would leave it; nothing is written. */
async function dryRun(
  file: CatalogFileText,
  edit: CatalogEdit,
  tag: CatalogTag,
  repositories: CatalogRepositories,
): Promise<Imported> {
  const diff = catalogDiff(edit, file.displayPath);
  const store = await StateStore.open(edit.catalog.statePath);
  const plan = await planTags(edit.catalog, [tag], store, repositories);
  const { state, failure, item } = await previewImport(plan, tag, store, () => repositories.openTag(tag));
  return {
    catalog: edit.catalog,
    state,
    tag,
    ...(failure && { failure }),
    dryRun: { diff, ...(item && { item }) },
  };
}
