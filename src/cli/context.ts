import { resolve } from 'node:path';
import { loadCatalog } from '../config/index.js';
import type { Catalog } from '../core/catalog.js';
import type { CatalogRepositoriesOptions } from '../operations/repositories.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions, statePathOption } from './catalog-options.js';
import { type Io, useColor, writeLine } from './output.js';
import { collectParseGarbage } from './parse-garbage.js';

export interface CatalogOptions extends CatalogPathOptions {
  authfile?: string;
}

/** The catalog the command line names, loaded. */
export async function loadCatalogOf(options: CatalogPathOptions, io: Io): Promise<Catalog> {
  const catalog = await loadCatalog(catalogFileOf(options, io).path, catalogLoadOptions(options, io));
  collectParseGarbage(catalog.tags.length);
  return catalog;
}

/** Where credentials come from: the environment, and `--authfile`; warnings go to stderr. */
export function repositoryOptionsOf(options: { authfile?: string }, io: Io): CatalogRepositoriesOptions {
  const out: CatalogRepositoriesOptions = { env: io.env, warn: stderrWarning(io) };
  if (options.authfile) out.authFile = resolve(io.cwd, options.authfile);
  return out;
}

/** A problem the work goes on despite, as a `warning: …` line on stderr. */
export function stderrWarning(io: Io): (message: string) => void {
  return (message) => writeLine(io.stderr, `warning: ${message}`);
}

/** The state path: --state, else the catalog's `state:` setting. */
export async function statePathOf(options: CatalogPathOptions, io: Io): Promise<string> {
  if (options.state) return statePathOption(options.state, io);
  return (await loadCatalog(catalogFileOf(options, io).path, catalogLoadOptions(options, io))).statePath;
}

/** Whether text output is coloured and digests abbreviated, as the flags and the terminal say. */
export function textStyle(io: Io, options: { color?: boolean; abbrev?: boolean }): { color: boolean; abbrev: boolean } {
  return { color: useColor(io, options.color === false), abbrev: options.abbrev !== false };
}
