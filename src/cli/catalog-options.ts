import { relative, resolve } from 'node:path';
import type { LoadCatalogOptions } from '../config/index.js';
import { realPathOf } from '../files/real-path.js';
import type { Io } from './output.js';

/** What the command line says about the catalog a command reads. */
export interface CatalogPathOptions {
  file?: string;
  state?: string;
  /** `--allow-path DIR` (global, repeatable): directories the catalog's paths may lead into besides its own. */
  allowPath?: string[];
}

/** The catalog file's absolute path and the path shown in messages (relative to the working directory). */
export function catalogFileOf(options: CatalogPathOptions, io: Io): { path: string; displayPath: string } {
  const path = resolve(io.cwd, options.file ?? 'imagestreams.yaml');
  return { path, displayPath: relative(io.cwd, path) || path };
}

/** How to load the catalog as the command line asks: `--state`, `--allow-path`, names as the user typed them. */
export function catalogLoadOptions(options: CatalogPathOptions, io: Io): LoadCatalogOptions {
  const loadOptions: LoadCatalogOptions = { displayPath: catalogFileOf(options, io).displayPath };
  if (options.state) loadOptions.statePathOverride = resolve(io.cwd, options.state);
  const allowed = allowedPathsOf(options, io);
  if (allowed) loadOptions.allowedPaths = allowed;
  return loadOptions;
}

/** `--allow-path` made absolute from the working directory; undefined when none was given. */
export function allowedPathsOf(options: CatalogPathOptions, io: Io): string[] | undefined {
  return options.allowPath?.length ? options.allowPath.map((dir) => resolve(io.cwd, dir)) : undefined;
}

/** `--state` where it really is (a link to it is another name for it); as typed when it cannot be followed. */
export function statePathOption(state: string, io: Io): string {
  const path = resolve(io.cwd, state);
  try {
    return realPathOf(path);
  } catch {
    return path;
  }
}
