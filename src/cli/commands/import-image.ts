import { dirname, resolve } from 'node:path';
import {
  type CatalogEdit,
  type CatalogText,
  catalogDiff,
  findTag,
  setCatalogTag,
  type TagChanges,
} from '../../config/catalog-edit.js';
import { EMPTY_CATALOG_TEXT, readCatalogText, writeCatalogText } from '../../config/catalog-file-text.js';
import { type LoadCatalogOptions, parseCatalog } from '../../config/index.js';
import { parseTagAddress, type TagAddress } from '../../config/tag-address.js';
import { sameSource, sourceAsWritten } from '../../config/written-source.js';
import type { Catalog, CatalogTag } from '../../core/catalog.js';
import type { ImportReason } from '../../core/errors.js';
import { NotConfirmedError, UsageError } from '../../core/errors.js';
import type { Plan } from '../../core/plan-model.js';
import { recordedTag } from '../../core/state-lookup.js';
import type { State, TagItem } from '../../core/state-model.js';
import { applyPlan } from '../../engine/apply.js';
import { type CatalogRepositories, catalogRepositories } from '../../engine/catalog-repositories.js';
import { previewImport } from '../../engine/import-preview.js';
import { catalogLocalStore } from '../../engine/mirror-target.js';
import { planCatalog } from '../../engine/plan.js';
import { failedTagState } from '../../engine/tag-outcome.js';
import {
  type DescribeTextOptions,
  describeStream,
  renderImage,
  renderStreamSummary,
} from '../../render/describe-text.js';
import { acquireLock, planningState, StateStore } from '../../state/index.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';
import { createProgress } from '../progress.js';
import { flagChanges } from './tag.js';

export interface ImportImageOptions extends CatalogPathOptions {
  authfile?: string;
  from?: string;
  confirm?: boolean;
  importMode?: string;
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
  dryRun?: boolean;
  lockTimeout: number;
  showAttestations?: boolean;
}

interface ImportFailure {
  reason: ImportReason;
  message: string;
}

/**
 * `import-image STREAM[:TAG]`, as `oc import-image`: writes the tag's spec into the catalog (creating the stream or
 * tag, or changing its source, only with --confirm), then imports exactly that tag under the state lock and shows
 * the stream and the image. A failed import keeps the catalog edit, records a condition and exits 1.
 */
export async function importImageCommand(target: string, options: ImportImageOptions, io: Io): Promise<number> {
  const address = parseTagAddress(target, 'latest');
  const flags = flagChanges(options);
  const file = await openCatalogText(options, io);
  const request = importRequest(file, address, target, options.from, io.cwd);
  if (request.needsConfirm && !options.confirm && !options.dryRun) {
    throw new NotConfirmedError(`${request.needsConfirm} (nothing was written)`);
  }
  const edit = setCatalogTag(file, address.stream, address.tag, { ...request.changes, ...flags });
  const tag = findTag(edit.catalog, address.stream, address.tag)!;
  const repositories = catalogRepositories(edit.catalog, repositoryOptions(options, io));
  try {
    if (options.dryRun) return await dryRun(file, edit, tag, repositories, options, io);
    return await importNow(file, edit, tag, repositories, options, io);
  } finally {
    await repositories.close();
  }
}

interface FileText extends CatalogText {
  exists: boolean;
}

interface ImportRequest {
  changes: TagChanges;
  /** Why the request needs --confirm; undefined when it does not. */
  needsConfirm?: string;
}

/** What the catalog must say for the import, and whether saying it needs --confirm (oc's rules, made stricter). */
function importRequest(
  file: FileText,
  { stream, tag }: TagAddress,
  target: string,
  fromOption: string | undefined,
  cwd: string,
): ImportRequest {
  const catalogDir = dirname(file.path);
  const from = fromOption === undefined ? undefined : sourceAsWritten(fromOption, cwd, catalogDir);
  const catalog = parseCatalog(file.text, file.path, catalogOptions(file));
  if (!catalog.tags.some((t) => t.stream === stream)) {
    const needsConfirm = file.exists
      ? `no image stream named "${stream}" exists, pass --confirm to create and import`
      : `${file.displayPath} does not exist, pass --confirm to create it with the image stream "${stream}" and import`;
    return { changes: { from: from ?? sourceAsWritten(target, cwd, catalogDir) }, needsConfirm };
  }
  const current = findTag(catalog, stream, tag);
  if (!current) {
    if (from === undefined) {
      throw new UsageError(
        `the tag "${tag}" does not exist on the image stream "${stream}" - pass --from=IMAGE and --confirm to create it, or use the 'tag' command`,
      );
    }
    return {
      changes: { from },
      needsConfirm: `the tag "${tag}" does not exist on the image stream "${stream}", pass --confirm to create and import it`,
    };
  }
  if (from !== undefined && !sameSource(from, current.spec.from, catalogDir)) {
    return {
      changes: { from },
      needsConfirm: `the tag "${tag}" points to "${current.spec.from}", pass --confirm to change its source to "${from}"`,
    };
  }
  return { changes: {} };
}

async function importNow(
  file: FileText,
  edit: CatalogEdit,
  tag: CatalogTag,
  repositories: CatalogRepositories,
  options: ImportImageOptions,
  io: Io,
): Promise<number> {
  const lock = await acquireLock(edit.catalog.statePath, { operation: 'import-image', timeoutMs: options.lockTimeout });
  try {
    if (edit.changed) {
      await writeCatalogText(file.path, edit.after);
      io.stderr.write(`Wrote ${tag.address} to ${file.displayPath}.\n`);
    }
    const store = await StateStore.open(edit.catalog.statePath);
    const failure = await importTag(edit.catalog, tag, store, repositories, io);
    show(edit.catalog, store.state, tag, failure, 'imported', options, io);
    return failure ? EXIT_ERROR : EXIT_OK;
  } finally {
    await lock.release();
  }
}

/** Plans and applies the one tag, by the engine's rules; a source that cannot be resolved is recorded as a failure. */
async function importTag(
  catalog: Catalog,
  tag: CatalogTag,
  store: StateStore,
  repositories: CatalogRepositories,
  io: Io,
): Promise<ImportFailure | undefined> {
  const plan = await planTag(catalog, tag, store, repositories);
  const unresolved = plan.errors.find((e) => e.address === tag.address);
  if (unresolved) {
    const prior = recordedTag(store.state, tag.stream, tag.tag);
    const value = failedTagState(tag.spec, prior, unresolved, store.priorSerial + 1, new Date());
    await store.record({ op: 'setTag', stream: tag.stream, tag: tag.tag, value });
    await store.commit();
    return unresolved;
  }
  const progress = createProgress(plan.changes, io, false);
  try {
    const result = await applyPlan(plan, {
      store,
      openRepository: () => repositories.openTag(tag),
      local: catalogLocalStore(catalog, repositories.openTag),
      concurrency: 1,
      onEvent: (event) => progress.onEvent(event),
    });
    return result.failed[0];
  } finally {
    await progress.finish();
  }
}

/**
 * `--dry-run`: the catalog edit as a diff, then the stream as the import would leave it — the image resolved and its
 * metadata read, shown as not imported; nothing is written.
 */
async function dryRun(
  file: FileText,
  edit: CatalogEdit,
  tag: CatalogTag,
  repositories: CatalogRepositories,
  options: ImportImageOptions,
  io: Io,
): Promise<number> {
  const diff = catalogDiff(edit, file.displayPath);
  if (diff) io.stdout.write(`${diff}\n`);
  const store = await StateStore.open(edit.catalog.statePath);
  const plan = await planTag(edit.catalog, tag, store, repositories);
  const { state, failure, item } = await previewImport(plan, tag, store, () => repositories.openTag(tag));
  show(edit.catalog, state, tag, failure, 'imported (dry run)', { ...options, ...(item && { notImported: item }) }, io);
  return failure ? EXIT_ERROR : EXIT_OK;
}

function planTag(
  catalog: Catalog,
  tag: CatalogTag,
  store: StateStore,
  repositories: CatalogRepositories,
): Promise<Plan> {
  return planCatalog(catalog, planningState(store), {
    targets: [tag.address],
    reimport: [tag.address],
    refresh: true,
    concurrency: 1,
    openTag: repositories.openTag,
  });
}

/** oc's output: `imagestream/NAME imported`, the stream, then the image; a failure also on stderr. */
function show(
  catalog: Catalog,
  state: State,
  tag: CatalogTag,
  failure: ImportFailure | undefined,
  verb: string,
  options: ImportImageOptions & { notImported?: TagItem },
  io: Io,
): void {
  const stream = describeStream(catalog, state, tag.stream)!;
  const described = stream.tags.find((t) => t.tag === tag.tag)!;
  const textOptions: DescribeTextOptions = { now: new Date(), attestations: Boolean(options.showAttestations) };
  if (options.notImported) textOptions.notImported = options.notImported;
  const outcome = failure ? verb.replace('imported', 'imported with errors') : verb;
  io.stdout.write(`imagestream/${tag.stream} ${outcome}\n\n${renderStreamSummary(stream, textOptions)}`);
  if (described.items[0]) io.stdout.write(`\n${renderImage(described, textOptions)}`);
  if (failure) io.stderr.write(`error: ${tag.address}: Import failed (${failure.reason}): ${failure.message}\n`);
}

/** The catalog's text; a missing file reads as an empty catalog, which only --confirm lets this command create. */
async function openCatalogText(options: ImportImageOptions, io: Io): Promise<FileText> {
  const { path, displayPath } = catalogFileOf(options, io);
  const text = await readCatalogText(path, displayPath);
  const file: FileText = { text: text ?? EMPTY_CATALOG_TEXT, path, displayPath, exists: text !== undefined };
  if (options.state) file.statePathOverride = resolve(io.cwd, options.state);
  const allowedPaths = allowedPathsOf(options, io);
  if (allowedPaths) file.allowedPaths = allowedPaths;
  return file;
}

function catalogOptions(file: CatalogText): LoadCatalogOptions {
  return {
    displayPath: file.displayPath,
    ...(file.statePathOverride !== undefined && { statePathOverride: file.statePathOverride }),
    ...(file.allowedPaths !== undefined && { allowedPaths: file.allowedPaths }),
  };
}

function repositoryOptions(options: ImportImageOptions, io: Io): Parameters<typeof catalogRepositories>[1] {
  const out: Parameters<typeof catalogRepositories>[1] = { env: io.env };
  if (options.authfile) out.authFile = resolve(io.cwd, options.authfile);
  return out;
}
