import { join, relative } from 'node:path';
import { CI_DIR, type CiProvider, type InitFile, type InitResult, initOperation } from '../../operations/init.js';
import { renderInitCiSteps } from '../../render/init-ci-steps.js';
import { catalogFileOf } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeLine } from '../output.js';
import { packageVersion } from '../version.js';

export interface InitOptions {
  file?: string;
  ci?: CiProvider;
  schema?: string;
}

/** `init`: creates what is missing of a catalog, its .gitignore and a CI recipe, and says what it did per file. */
export async function initCommand(options: InitOptions, io: Io): Promise<number> {
  const { path } = catalogFileOf(options, io);
  const request = { catalogPath: path, cwd: io.cwd, ...(options.ci ? { ci: options.ci } : {}) };
  const result = await initOperation(options.schema ? { ...request, schema: options.schema } : request);
  const shown = (file: string) => relative(io.cwd, file) || file;
  for (const file of result.files) writeLine(io.stdout, describe(file, shown(file.path)));
  if (result.files[0]?.action === 'created') {
    writeLine(io.stdout, `\nThe catalog's first line names its schema for editors: ${result.schema}`);
    writeLine(io.stdout, 'Next: add a tag, then plan and apply:');
    writeLine(io.stdout, '  imagestreams import-image app:1.0 --from quay.io/org/app:1.0 --confirm');
  }
  if (result.ci) io.stdout.write(ciSteps(result, path, shown));
  return EXIT_OK;
}

function ciSteps({ ci, files }: InitResult, catalogPath: string, shown: (file: string) => string): string {
  if (!ci) return '';
  return renderInitCiSteps({
    provider: ci.provider,
    packages: ci.packages,
    version: packageVersion(),
    catalog: relative(ci.root, catalogPath).split('\\').join('/'),
    ciDir: shown(join(ci.root, CI_DIR)),
    files: files.map((file) => shown(file.path)),
  });
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
