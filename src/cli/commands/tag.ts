import { type TagEdit, tagOperation } from '../../operations/tag.js';
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
 * image, `STREAM:TAG` (snapshotted by digest, or followed with --alias) or `STREAM@sha256:…`. Nothing is imported.
 */
export async function tagCommand(args: string[], options: TagCommandOptions, io: Io): Promise<number> {
  const allowedPaths = allowedPathsOf(options, io);
  const ref = { ...catalogFileOf(options, io), ...(allowedPaths && { allowedPaths }) };
  const { alias, scheduled, insecure, referencePolicy, importMode } = options;
  const [source, ...destinations] = args;
  const target = options.delete ? { delete: args } : { set: { source, destinations } };
  const request = { alias, scheduled, insecure, referencePolicy, importMode, ...target };
  const edits = await tagOperation(ref, request, io.cwd);
  for (const edit of edits) io.stdout.write(`${message(edit)}\n`);
  return EXIT_OK;
}

function message(edit: TagEdit): string {
  const name = `${edit.address.stream}:${edit.address.tag}`;
  if (edit.kind === 'deleted') return `Deleted tag ${name}.`;
  const line = edit.alias
    ? `Tag ${name} set up to track ${edit.source}.`
    : edit.scheduled
      ? `Tag ${name} set to import ${edit.source} periodically.`
      : `Tag ${name} set to ${edit.source}.`;
  const change = edit.importModeChange;
  if (!change) return line;
  return `${line}\nTag ${name} had importMode ${change.from}; it is now ${change.to}, oc's default (pass --import-mode=${change.from} to keep it).`;
}
