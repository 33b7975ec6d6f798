import { resolve } from 'node:path';
import type { UpdatePolicy } from '../../core/update-policy.js';
import { writeFileAtomic } from '../../files/atomic-file.js';
import { type UpdateReport, updateOperation } from '../../operations/update.js';
import { renderUpdateBody } from '../../render/update-markdown.js';
import { allowedPathsOf, type CatalogPathOptions, catalogFileOf } from '../catalog-options.js';
import { repositoryOptionsOf } from '../context.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

export interface UpdateCommandOptions extends Omit<CatalogPathOptions, 'state'> {
  authfile?: string;
  policy: UpdatePolicy;
  target?: string[];
  dryRun?: boolean;
  output?: string;
}

/** `update`: rewrites the catalog's pinned tags and prints a pull-request body; 2 when the catalog changed. */
export async function updateCommand(options: UpdateCommandOptions, io: Io): Promise<number> {
  const allowedPaths = allowedPathsOf(options, io);
  const report = await updateOperation({
    ...repositoryOptionsOf(options, io),
    catalog: { ...catalogFileOf(options, io), ...(allowedPaths && { allowedPaths }) },
    policy: options.policy,
    targets: options.target ?? [],
    dryRun: Boolean(options.dryRun),
  });
  const body = renderUpdateBody(report);
  if (options.output) await writeFileAtomic(resolve(io.cwd, options.output), body);
  else io.stdout.write(body);
  io.stderr.write(outcomeLine(report));
  return report.changed ? EXIT_CHANGES : EXIT_OK;
}

function outcomeLine(report: UpdateReport): string {
  const tags = `${report.moves.length} tag${report.moves.length === 1 ? '' : 's'}`;
  if (!report.changed) return `${report.catalog} is up to date.\n`;
  if (!report.written) return `${report.catalog} was not written (--dry-run): ${tags} would move.\n`;
  return `${report.catalog}: ${tags} moved.\n`;
}
