import { resolve } from 'node:path';
import { parseTagAddress } from '../../config/tag-address.js';
import type { CatalogTag } from '../../core/catalog.js';
import { UsageError } from '../../core/errors.js';
import { type ImportImageResult, importImageOperation } from '../../operations/import-image.js';
import type { ImportNote } from '../../operations/import-settings.js';
import {
  type DescribeTextOptions,
  describeStream,
  renderImage,
  renderStreamSummary,
} from '../../render/describe-text.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { repositoryOptionsOf } from '../context.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';
import { importProgress } from '../progress.js';

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

/**
 * `import-image STREAM[:TAG]`, as `oc import-image`: writes the tag's spec into the catalog (creating the stream only
 * with --confirm), then imports exactly that tag under the state lock and shows the stream and the image. A failed
 * import keeps the catalog edit, records a condition and exits 1.
 */
export async function importImageCommand(target: string, options: ImportImageOptions, io: Io): Promise<number> {
  if (target.includes('@')) throw new UsageError("to import images by ID, use the 'tag' command");
  const address = parseTagAddress(target, 'latest');
  const allowedPaths = allowedPathsOf(options, io);
  const ref = {
    ...catalogFileOf(options, io),
    ...(options.state && { statePathOverride: resolve(io.cwd, options.state) }),
    ...(allowedPaths && { allowedPaths }),
  };
  const result = await importImageOperation(ref, {
    ...options,
    ...repositoryOptionsOf(options, io),
    address,
    target,
    lockTimeoutMs: options.lockTimeout,
    cwd: io.cwd,
    onCatalogWritten: (tag: CatalogTag, file) => io.stderr.write(`Wrote ${tag.address} to ${file.displayPath}.\n`),
    progress: importProgress(io, false),
  });
  if (result.dryRun?.diff) io.stdout.write(`${result.dryRun.diff}\n`);
  for (const note of result.notes) io.stderr.write(`${noteText(note)}\n`);
  show(result, io);
  return result.failure ? EXIT_ERROR : EXIT_OK;
}

function noteText(note: ImportNote): string {
  if (note.kind === 'import-mode') {
    return `import mode of ${note.address} changes from ${note.from} to ${note.to} (pass --import-mode=${note.from} to keep it)`;
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
