import { loadCatalog } from '../../config/index.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

/** `validate`: schema and semantic checks, offline. */
export async function validateCommand(options: Omit<CatalogPathOptions, 'state'>, io: Io): Promise<number> {
  const { path, displayPath } = catalogFileOf(options, io);
  const catalog = await loadCatalog(path, catalogLoadOptions(options, io));
  const streams = new Set(catalog.tags.map((t) => t.stream)).size;
  io.stdout.write(
    `${displayPath} is valid: ${streams} stream${streams === 1 ? '' : 's'}, ${catalog.tags.length} tag${catalog.tags.length === 1 ? '' : 's'}.\n`,
  );
  return EXIT_OK;
}
