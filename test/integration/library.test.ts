import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apply,
  formatPlatform,
  loadCatalog,
  PlanMismatchError,
  parsePlatform,
  parseReference,
  plan,
} from '../../src/index.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const work = tempDir('imagestreams-library-');
afterAll(() => work.remove());

const layouts = join(REPO_ROOT, 'examples', 'images');

function writeCatalog(tags: string): string {
  const path = join(work.path, 'imagestreams.yaml');
  writeFileSync(
    path,
    `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  demo:\n    tags:\n${tags.replaceAll('LAYOUTS', layouts)}`,
  );
  return path;
}

describe('the library API', () => {
  it('parses references and platforms', () => {
    expect(parseReference('alpine')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: 'latest' });
    expect(formatPlatform(parsePlatform('linux/aarch64'))).toBe('linux/arm64');
  });

  it('plans and applies a catalog, then finds nothing to do', async () => {
    const catalog = await loadCatalog(writeCatalog('      "1.0":\n        from: oci:LAYOUTS/demo:1.0\n'), {
      allowedPaths: [layouts],
    });
    const first = await plan(catalog);
    expect(first.summary).toMatchObject({ create: 1, update: 0, delete: 0 });
    const result = await apply(first, catalog);
    expect(result).toEqual({ imported: ['demo:1.0'], removed: [], failed: [] });
    expect((await plan(catalog)).summary).toMatchObject({ create: 0, update: 0, noop: 1 });
    await expect(apply(first, catalog)).rejects.toThrow(PlanMismatchError);
  });
});
