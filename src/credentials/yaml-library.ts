import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/**
 * The YAML library, loaded only when a credentials file needs it (most are JSON), so that commands reading none pay
 * nothing for it. Loading it ahead with `loadYamlLibrary` shares the copy the catalog's YAML path loads.
 */
let library: typeof Yaml | undefined;

export async function loadYamlLibrary(): Promise<void> {
  library ??= await import('yaml');
}

/** The library, loaded now if it was not loaded ahead (a file read synchronously). */
export function yamlLibrary(): typeof Yaml {
  library ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return library;
}
