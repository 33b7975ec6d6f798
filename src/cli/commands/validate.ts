import { relative, resolve } from 'node:path';
import { loadCatalog } from '../../config/index.js';
import { EXIT_OK } from '../exit.js';
import type { Io } from '../output.js';

/** `validate`: schema and semantic checks, offline. */
export async function validateCommand(options: { file?: string }, io: Io): Promise<number> {
  const path = resolve(io.cwd, options.file ?? 'imagestreams.yaml');
  const displayPath = relative(io.cwd, path) || path;
  const catalog = await loadCatalog(path, { displayPath });
  const streams = new Set(catalog.tags.map((t) => t.stream)).size;
  io.stdout.write(
    `${displayPath} is valid: ${streams} stream${streams === 1 ? '' : 's'}, ${catalog.tags.length} tag${catalog.tags.length === 1 ? '' : 's'}.\n`,
  );
  return EXIT_OK;
}
