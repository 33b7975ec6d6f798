import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../files/atomic-file.js';
import { exportOperation, exportText, writeSplitExport } from '../../operations/export.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeLine } from '../output.js';

export interface ExportOptions extends CatalogPathOptions {
  namespace?: string;
  output?: string;
  split?: boolean;
  sourceTags?: boolean;
}

/** `export`: the catalog as ImageStream manifests, on stdout, into a file, or one file a stream into a directory. */
export async function exportCommand(options: ExportOptions, io: Io): Promise<number> {
  if (options.split && !options.output) throw new UsageError('--split needs -o DIR: the directory to write into');
  const exported = await exportOperation({
    catalogPath: catalogFileOf(options, io).path,
    load: catalogLoadOptions(options, io),
    ...(options.namespace && { namespace: options.namespace }),
    ...(options.sourceTags && { sourceTags: true }),
  });
  for (const note of exported.notes) writeLine(io.stderr, `warning: ${note.address}: ${note.message}`);
  for (const need of exported.pullSecrets) {
    writeLine(io.stderr, `note: ${need.registry} needs a pull secret in the namespace (see ${need.secretFile})`);
  }
  if (!options.output) {
    io.stdout.write(exportText(exported));
    return EXIT_OK;
  }
  const output = resolve(io.cwd, options.output);
  if (options.split) {
    const written = await writeSplitExport(exported, output, options.namespace);
    writeLine(io.stderr, `Wrote ${written.length} files to ${options.output}`);
  } else {
    await writeFileAtomic(output, exportText(exported));
    writeLine(io.stderr, `Wrote ${exported.objects.length} ImageStreams to ${options.output}`);
  }
  return EXIT_OK;
}
