import { relative } from 'node:path';
import { type CiProvider, type InitFile, initOperation } from '../../operations/init.js';
import { catalogFileOf } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeLine } from '../output.js';

export interface InitOptions {
  file?: string;
  ci?: CiProvider;
  schema?: string;
}

/** `init`: creates what is missing of a catalog, its .gitignore and a CI recipe, and says what it did per file. */
export async function initCommand(options: InitOptions, io: Io): Promise<number> {
  const { path } = catalogFileOf(options, io);
  const request = { catalogPath: path, ...(options.ci ? { ci: options.ci } : {}) };
  const result = await initOperation(options.schema ? { ...request, schema: options.schema } : request);
  for (const file of result.files) writeLine(io.stdout, describe(file, relative(io.cwd, file.path) || file.path));
  if (result.files[0]?.action === 'created') {
    writeLine(io.stdout, `\nThe catalog's first line names its schema for editors: ${result.schema}`);
    writeLine(io.stdout, 'Next: add a tag, then plan and apply:');
    writeLine(io.stdout, '  imagestreams import-image app:1.0 --from quay.io/org/app:1.0 --confirm');
  }
  return EXIT_OK;
}

function describe(file: InitFile, shown: string): string {
  switch (file.action) {
    case 'created':
      return `created ${shown}`;
    case 'kept':
      return `kept ${shown} (it exists; init replaces no file)`;
    case 'extended':
      return `added ${file.added?.length} line${file.added?.length === 1 ? '' : 's'} to ${shown}`;
  }
}
