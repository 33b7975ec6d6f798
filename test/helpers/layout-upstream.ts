import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Catalog } from '../../src/core/catalog.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { type TempDir, tempDir } from './cli.js';
import { writeVersionTags } from './images.js';

/**
 * A temporary catalog directory per test, with an image layout `upstream` beside the catalog and the repositories
 * opened on it closed after the test. Registers its own beforeEach/afterEach.
 */
export function useLayoutUpstream(prefix: string) {
  let temp: TempDir;
  const opened: CatalogRepositories[] = [];
  beforeEach(() => {
    temp = tempDir(prefix);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
    temp.remove();
  });
  return {
    /** The catalog directory. */
    get path(): string {
      return temp.path;
    },
    /** The image layout `upstream` holds these tags (each its own image). */
    upstream(tags: string[]): void {
      writeVersionTags(join(temp.path, 'upstream'), tags);
    },
    /** The repositories of `catalog`, with no credentials from the environment; closed after the test. */
    open(catalog: Catalog): CatalogRepositories {
      const repositories = catalogRepositories(catalog, { env: {}, homeDir: temp.path });
      opened.push(repositories);
      return repositories;
    },
    /** The repositories opened first in this test. */
    get first(): CatalogRepositories {
      return opened[0]!;
    },
  };
}
