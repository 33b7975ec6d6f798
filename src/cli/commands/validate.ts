import { validateOperation } from '../../operations/validate.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

/** `validate`: schema and semantic checks, offline. */
export async function validateCommand(options: Omit<CatalogPathOptions, 'state'>, io: Io): Promise<number> {
  const { path, displayPath } = catalogFileOf(options, io);
  const { streams, tags } = await validateOperation(path, catalogLoadOptions(options, io));
  io.stdout.write(
    `${displayPath} is valid: ${streams} stream${streams === 1 ? '' : 's'}, ${tags} tag${tags === 1 ? '' : 's'}.\n`,
  );
  return EXIT_OK;
}
