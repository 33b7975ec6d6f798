import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import type { Catalog } from '../../src/core/catalog.js';
import { type CatalogRepositories, catalogRepositories } from '../../src/engine/catalog-repositories.js';
import { tempDir } from './cli.js';
import { writeImageLayout } from './images.js';

export interface LayoutCatalog {
  catalog(): Catalog;
  repositories(): CatalogRepositories;
}

/**
 * For each test, a catalog of stream `app` with tags a, b and c, each imported from its own tag of an OCI layout
 * beside the catalog (one linux/amd64 image each), and the repositories to read them.
 */
export function useLayoutCatalog(prefix: string): LayoutCatalog {
  let catalog: Catalog | undefined;
  let repositories: CatalogRepositories | undefined;
  beforeEach(() => {
    const temp = tempDir(prefix);
    writeImageLayout(join(temp.path, 'upstream'), {
      tags: { a: { platforms: ['linux/amd64'] }, b: { platforms: ['linux/amd64'] }, c: { platforms: ['linux/amd64'] } },
    });
    const tags = ['a', 'b', 'c'].map((t) => `      ${t}: { from: "oci:upstream:${t}" }`).join('\n');
    const text = `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n${tags}\n`;
    catalog = parseCatalog(text, join(temp.path, 'imagestreams.yaml'));
    repositories = catalogRepositories(catalog, { env: {}, homeDir: temp.path });
  });
  afterEach(() => repositories?.close());
  return { catalog: () => catalog!, repositories: () => repositories! };
}
