import { dirname } from 'node:path';
import { type CatalogEdit, catalogDiff, findTag, setCatalogTag, type TagChanges } from '../config/catalog-edit.js';
import { writeCatalogText } from '../config/catalog-file-text.js';
import { parseCatalog } from '../config/parse-catalog.js';
import { sourceAsWritten } from '../config/written-source.js';
import { mergeYamlValue } from '../config/yaml-merge.js';
import { type AnyCatalogTag, allCatalogTags, type Catalog, type CatalogTag, isReferenceTag } from '../core/catalog.js';
import { NotConfirmedError } from '../core/errors.js';
import type { State } from '../core/state-model.js';
import type { Interruption } from '../engine/interruption.js';
import { StateStore } from '../state/index.js';
import { type CatalogFileRef, type CatalogFileText, readCatalogFile } from './catalog-file.js';
import { type AllSource, allSource, DEFAULT_MAX_TAGS, listRepositoryTags } from './import-image-all-source.js';
import { catalogOptions, importTags, withLockedStateAfter } from './import-image-steps.js';
import { type ImportFlags, type ImportNote, importChanges, importFlagsOf } from './import-settings.js';
import { hasStream } from './import-target.js';
import type { ImportProgress } from './progress.js';
import { type CatalogRepositories, type CatalogRepositoriesOptions, withRepositories } from './repositories.js';
import type { TagSettings } from './tag-changes.js';
import type { ImportFailure } from './tag-import.js';

export { DEFAULT_MAX_TAGS };

export interface ImportAllRequest extends TagSettings, CatalogRepositoriesOptions {
  stream: string;
  /** A repository (no tag, no digest); without it, a new stream imports the repository of its own name. */
  from?: string;
  confirm?: boolean;
  /** The most tags imported from the repository; OpenShift's 50 by default. */
  maxTags?: number;
  dryRun?: boolean;
  lockTimeoutMs: number;
  cwd: string;
  /** Told once the catalog file was written, before the imports. */
  onCatalogWritten?(file: CatalogFileRef): void;
  progress?: ImportProgress;
  /** Stops the imports: what completed is committed, and the command fails with an InterruptedError. */
  interruption?: Interruption;
}

export interface ImportAllResult {
  catalog: Catalog;
  /** The state after the imports (with --dry-run, as it is). */
  state: State;
  stream: string;
  /** The tags imported, in the order OpenShift takes them. */
  tags: CatalogTag[];
  failures: { tag: CatalogTag; failure: ImportFailure }[];
  /** The repository's tags left out over the limit, in the same order. */
  additionalTags: string[];
  notes: ImportNote[];
  /** With --dry-run: the catalog edit as a diff ('' when there is none); nothing was imported. */
  dryRun?: { diff: string };
}

/** The catalog edit `--all` makes and what it leaves out. */
interface AllEdit {
  edit: CatalogEdit;
  tags: CatalogTag[];
  additionalTags: string[];
  notes: ImportNote[];
}

/**
 * `import-image STREAM --all`, as `oc import-image --all`: lists the repository, takes its first `maxTags` tags in
 * OpenShift's order, writes each into the catalog as an explicit tag of the stream (`from: REPOSITORY:TAG`), then
 * imports them under the state lock. Without --from, an existing stream's tags are imported again instead.
 */
export async function importAllOperation(ref: CatalogFileRef, request: ImportAllRequest): Promise<ImportAllResult> {
  const flags = importFlagsOf(request);
  const file = await readCatalogFile(ref, 'empty');
  const catalog = parseCatalog(file.text, file.path, catalogOptions(file));
  const source = allSource(catalog, sourceRequest(file, catalog, request));
  if (source.kind === 'repository' && source.needsConfirm && !request.confirm && !request.dryRun) {
    throw new NotConfirmedError(`${source.needsConfirm} (nothing was written)`);
  }
  return withRepositories(catalog, request, async (repositories) => {
    const planned = await allEdit(file, catalog, source, flags, repositories, request);
    const done = request.dryRun ? await dryRun(file, planned) : await importNow(file, planned, repositories, request);
    const { additionalTags, notes, tags } = planned;
    return { ...done, stream: request.stream, tags, additionalTags, notes };
  });
}

function sourceRequest(file: CatalogFileText, catalog: Catalog, request: ImportAllRequest) {
  const exists = hasStream(catalog, request.stream);
  const createNeedsConfirm = file.exists
    ? `no image stream named "${request.stream}" exists, pass --confirm to create and import`
    : `${file.displayPath} does not exist, pass --confirm to create it with the image stream "${request.stream}" and import`;
  const from =
    request.from === undefined
      ? undefined
      : { typed: request.from, written: sourceAsWritten(request.from, request.cwd, dirname(file.path)) };
  return { stream: request.stream, exists, createNeedsConfirm, ...(from && { from }) };
}

async function allEdit(
  file: CatalogFileText,
  catalog: Catalog,
  source: AllSource,
  flags: ImportFlags,
  repositories: CatalogRepositories,
  request: ImportAllRequest,
): Promise<AllEdit> {
  const { stream } = request;
  if (source.kind === 'stream') {
    const wanted = source.tags.map((tag) => ({ name: tag.tag, ...importChanges(flags, tag) }));
    return editTags(file, stream, wanted, []);
  }
  const maxTags = request.maxTags ?? DEFAULT_MAX_TAGS;
  const options = { cwd: request.cwd, insecure: flags.insecure ?? false, maxTags };
  const listed = await listRepositoryTags(repositories, source.listed, options);
  const followers = new Map(
    allCatalogTags(catalog)
      .filter((t) => t.stream === stream && isReferenceTag(t))
      .map((t) => [t.tag, t]),
  );
  const wanted = listed.imported.map((name) => {
    const from = `${source.from}:${name}`;
    const follower = followers.get(name);
    const { changes, notes } = repositoryChanges(flags, findTag(catalog, stream, name) ?? follower, from);
    if (!follower) return { name, changes, notes };
    notes.push({ kind: 'follower-replaced', address: follower.address, followed: follower.spec.from, from });
    return { name, changes, notes, replacesFollower: true };
  });
  return editTags(file, stream, wanted, listed.additional);
}

/**
 * What OpenShift's repository import does to each tag it imports: the source becomes `REPOSITORY:TAG` (a tag that
 * followed another tag or image imports it from then on), the mode is the flag's, an existing tag's `scheduled` is
 * the flag's (OpenShift replaces its import policy, not merging it), and the reference policy is set only on a new
 * tag. A new tag takes the catalog's defaults for what no flag gives, and
 * `insecure` is written only when given: a registry's own `insecure: true` already covers its tags.
 */
function repositoryChanges(
  flags: ImportFlags,
  current: AnyCatalogTag | undefined,
  from: string,
): { changes: TagChanges; notes: ImportNote[] } {
  const changes: TagChanges = { from, importMode: flags.importMode };
  const scheduled = flags.scheduled ?? (current ? false : undefined);
  if (scheduled !== undefined) changes.scheduled = scheduled;
  if (flags.insecure !== undefined) changes.insecure = flags.insecure;
  if (!current && flags.referencePolicy) changes.referencePolicy = flags.referencePolicy;
  const notes: ImportNote[] = [];
  if (current && flags.importModeImplied && current.spec.importMode !== flags.importMode) {
    notes.push({ kind: 'import-mode', address: current.address, from: current.spec.importMode, to: flags.importMode });
  }
  return { changes, notes };
}

function editTags(
  file: CatalogFileText,
  stream: string,
  wanted: { name: string; changes: TagChanges; notes: ImportNote[]; replacesFollower?: boolean }[],
  additionalTags: string[],
): AllEdit {
  let text = file.text;
  let edit: CatalogEdit | undefined;
  for (const { name, changes, replacesFollower } of wanted) {
    // A follower's `from` may be OpenShift's `{kind, name}`: it is replaced whole before the tag's settings are set.
    if (replacesFollower) text = mergeYamlValue(text, ['streams', stream, 'tags', name, 'from'], changes.from!);
    edit = setCatalogTag({ ...file, text }, stream, name, changes);
    text = edit.after;
  }
  const final = { ...edit!, before: file.text, changed: text !== file.text };
  const tags = wanted.map(({ name }) => findTag(final.catalog, stream, name)!);
  return { edit: final, tags, additionalTags, notes: wanted.flatMap((w) => w.notes) };
}

async function importNow(
  file: CatalogFileText,
  planned: AllEdit,
  repositories: CatalogRepositories,
  request: ImportAllRequest,
): Promise<Pick<ImportAllResult, 'catalog' | 'state' | 'failures'>> {
  const { edit, tags } = planned;
  const write = async () => {
    if (!edit.changed) return;
    await writeCatalogText(file.path, edit.after);
    request.onCatalogWritten?.(file);
  };
  return withLockedStateAfter(edit.catalog.statePath, request.lockTimeoutMs, write, async (store) => {
    const failed = await importTags(edit.catalog, tags, store, repositories, request);
    const failures = tags.flatMap((tag) => {
      const failure = failed.get(tag.address);
      return failure ? [{ tag, failure }] : [];
    });
    return { catalog: edit.catalog, state: store.state, failures };
  });
}

async function dryRun(
  file: CatalogFileText,
  planned: AllEdit,
): Promise<Pick<ImportAllResult, 'catalog' | 'state' | 'failures' | 'dryRun'>> {
  const store = await StateStore.open(planned.edit.catalog.statePath);
  const diff = catalogDiff(planned.edit, file.displayPath);
  return { catalog: planned.edit.catalog, state: store.state, failures: [], dryRun: { diff } };
}
