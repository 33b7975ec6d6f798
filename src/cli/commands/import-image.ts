import { resolve } from 'node:path';
import { parseTagAddress } from '../../config/tag-address.js';
import type { CatalogTag } from '../../core/catalog.js';
import { UsageError } from '../../core/errors.js';
import { type ImportImageResult, importImageOperation } from '../../operations/import-image.js';
import { type ImportAllResult, importAllOperation } from '../../operations/import-image-all.js';
import type { ImportNote } from '../../operations/import-settings.js';
import type { Interruption } from '../../operations/interruption.js';
import {
  type DescribeTextOptions,
  describeStream,
  renderImage,
  renderStreamSummary,
} from '../../render/describe-text.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { repositoryOptionsOf } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { interruptible } from '../interrupt.js';
import type { Io } from '../output.js';
import { importProgress } from '../progress.js';

export interface ImportImageOptions extends CatalogPathOptions {
  authfile?: string;
  from?: string;
  confirm?: boolean;
  all?: boolean;
  maxTags?: number;
  importMode?: string;
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
  dryRun?: boolean;
  lockTimeout: number;
  showAttestations?: boolean;
}

/**
 * `import-image STREAM[:TAG]`, as `oc import-image`: writes the tag's spec into the catalog (creating the stream only
 * with --confirm), then imports exactly that tag under the state lock and shows the stream and the image. A failed
 * import keeps the catalog edit, records a condition and exits 1.
 */
export function importImageCommand(target: string, options: ImportImageOptions, io: Io): Promise<number> {
  const finish = "run 'imagestreams apply' (or this import-image again)";
  return interruptible(io, finish, (interruption) =>
    options.all
      ? importAllCommand(target, options, io, interruption)
      : importTagCommand(target, options, io, interruption),
  );
}

async function importTagCommand(
  target: string,
  options: ImportImageOptions,
  io: Io,
  interruption: Interruption,
): Promise<number> {
  if (target.includes('@')) throw new UsageError("to import images by ID, use the 'tag' command");
  if (options.maxTags !== undefined) throw new UsageError('--max-tags applies only with --all');
  const address = parseTagAddress(target, 'latest');
  const ref = catalogRefOf(options, io);
  const result = await importImageOperation(ref, {
    ...operationOptions(options, io, interruption),
    address,
    target,
    onCatalogWritten: (tag: CatalogTag, file) => io.stderr.write(`Wrote ${tag.address} to ${file.displayPath}.\n`),
  });
  writeDiffAndNotes(result, io);
  show(result, io);
  return result.failure ? EXIT_ERROR : EXIT_OK;
}

/** `import-image STREAM --all`: the repository's tags (or the stream's own, again), as `oc import-image --all`. */
async function importAllCommand(
  target: string,
  options: ImportImageOptions,
  io: Io,
  interruption: Interruption,
): Promise<number> {
  if (target.includes('@')) throw new UsageError("to import images by ID, use the 'tag' command");
  if (target.includes(':')) throw new UsageError(`cannot specify a tag "${target}" as well as --all`);
  const { stream } = parseTagAddress(target, 'latest');
  const result = await importAllOperation(catalogRefOf(options, io), {
    ...operationOptions(options, io, interruption),
    stream,
    onCatalogWritten: (file) => io.stderr.write(`Wrote the tags of ${stream} to ${file.displayPath}.\n`),
  });
  writeDiffAndNotes(result, io);
  showAll(result, io);
  return result.failures.length > 0 ? EXIT_ERROR : EXIT_OK;
}

/** What both imports are given from the command line: its options, credentials, lock wait, progress and stop. */
function operationOptions(options: ImportImageOptions, io: Io, interruption: Interruption) {
  return {
    ...options,
    ...repositoryOptionsOf(options, io),
    lockTimeoutMs: options.lockTimeout,
    cwd: io.cwd,
    progress: importProgress(io, false),
    interruption,
  };
}

/** A dry run's catalog diff on stdout, then the notes on the settings on stderr. */
function writeDiffAndNotes(result: { dryRun?: { diff?: string } | undefined; notes: ImportNote[] }, io: Io): void {
  if (result.dryRun?.diff) io.stdout.write(`${result.dryRun.diff}\n`);
  for (const note of result.notes) io.stderr.write(`${noteText(note)}\n`);
}

function catalogRefOf(options: ImportImageOptions, io: Io) {
  const allowedPaths = allowedPathsOf(options, io);
  return {
    ...catalogFileOf(options, io),
    ...(options.state && { statePathOverride: resolve(io.cwd, options.state) }),
    ...(allowedPaths && { allowedPaths }),
  };
}

function noteText(note: ImportNote): string {
  if (note.kind === 'import-mode') {
    return `import mode of ${note.address} changes from ${note.from} to ${note.to} (pass --import-mode=${note.from} to keep it)`;
  }
  if (note.kind === 'follower-replaced') {
    return `${note.address} no longer follows ${note.followed}: it imports ${note.from}, as OpenShift's repository import replaces each tag it imports`;
  }
  return `${note.address} stays ${note.setting}: import-image only turns ${note.setting} on, as oc's does; use 'tag' to turn it off`;
}

/** oc's output: `imagestream/NAME imported`, the stream, then the image; a failure also on stderr. */
function show({ catalog, state, tag, failure, dryRun }: ImportImageResult, io: Io): void {
  const stream = describeStream(catalog, state, tag.stream)!;
  const described = stream.tags.find((t) => t.tag === tag.tag)!;
  const textOptions: DescribeTextOptions = { now: new Date() };
  if (dryRun?.item) textOptions.notImported = dryRun.item;
  const verb = dryRun ? 'imported (dry run)' : 'imported';
  const outcome = failure ? verb.replace('imported', 'imported with errors') : verb;
  io.stdout.write(`imagestream/${tag.stream} ${outcome}\n\n${renderStreamSummary(stream, textOptions)}`);
  if (described.items[0]) io.stdout.write(`\n${renderImage(described, textOptions)}`);
  if (failure) io.stderr.write(`error: ${tag.address}: Import failed (${failure.reason}): ${failure.message}\n`);
}

/**
 * oc's output for --all: `imagestream/NAME imported`, the stream, each imported tag's image, a line for each tag
 * that failed (on stderr), and the repository's tags left out over the limit.
 */
function showAll({ catalog, state, stream: name, tags, failures, additionalTags, dryRun }: ImportAllResult, io: Io) {
  const stream = describeStream(catalog, state, name)!;
  const textOptions: DescribeTextOptions = { now: new Date() };
  const verb = failures.length > 0 ? 'imported with errors' : 'imported';
  io.stdout.write(
    `imagestream/${name} ${verb}${dryRun ? ' (dry run)' : ''}\n\n${renderStreamSummary(stream, textOptions)}`,
  );
  const failed = new Set(failures.map((f) => f.tag.tag));
  for (const tag of tags) {
    const described = stream.tags.find((t) => t.tag === tag.tag);
    if (!dryRun && described?.items[0] && !failed.has(tag.tag))
      io.stdout.write(`\n${renderImage(described, textOptions)}`);
  }
  for (const { tag, failure } of failures) {
    io.stderr.write(`error: repository tag ${tag.tag} failed: Import failed (${failure.reason}): ${failure.message}\n`);
  }
  if (additionalTags.length > 0) {
    io.stdout.write(
      `\ninfo: The remote repository contained ${additionalTags.length} additional tags which were not imported: ${additionalTags.join(', ')}\n`,
    );
  }
}
