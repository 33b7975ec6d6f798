import { appendFileSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCatalog, MAX_CATALOG_BYTES } from '../../src/config/index.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';
import { makeTempDir, removeTempDir } from '../helpers/cleanup.js';

/** What is appended to the catalog once its size has been taken: an edit being written while the catalog is read. */
let appendAfterStat: string | undefined;

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
    const handle = await fs.open(...args);
    const stat = handle.stat.bind(handle);
    return Object.assign(handle, {
      stat: async () => {
        const stats = await stat();
        if (appendAfterStat !== undefined) appendFileSync(String(args[0]), appendAfterStat);
        return stats;
      },
    });
  };
  return { ...fs, open };
});

const dir = makeTempDir('imagestreams-catalog-growth-');
afterAll(() => removeTempDir(dir));
const CATALOG =
  'apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n      v1:\n        from: quay.io/a/b:1\n';

async function problemsLoading(path: string): Promise<string[]> {
  try {
    await loadCatalog(path, { displayPath: 'c.yaml' });
    return [];
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
}

describe('a catalog that grows while it is read', () => {
  it('is read to its end: an edit appended after its size was taken is read whole, not cut after one byte', async () => {
    const path = join(dir, 'edited.yaml');
    writeFileSync(path, CATALOG);
    appendAfterStat = 'bogus: true\n';
    expect(await problemsLoading(path)).toEqual([expect.stringMatching(/^c\.yaml:8:1: error: .*"bogus"/)]);
  });

  it('is refused once it grows past the limit', async () => {
    const path = join(dir, 'grown.yaml');
    writeFileSync(path, CATALOG);
    appendAfterStat = `#${'x'.repeat(MAX_CATALOG_BYTES)}\n`;
    expect(await problemsLoading(path)).toEqual([
      `c.yaml:1:1: error: the catalog is too large (${MAX_CATALOG_BYTES + 1} bytes; at most 4194304 are read)`,
    ]);
  });
});
