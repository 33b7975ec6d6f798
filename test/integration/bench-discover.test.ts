import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverBound, discoverCatalog, discoverDataset } from '../../bench/lib/discover.mjs';
import { measureDiscover } from '../../bench/lib/discover-run.mjs';
import { CLI_PATH, callerEnv, tempDir } from '../helpers/cli.js';

describe("the bench's discover scenario", () => {
  const dir = tempDir('bench-discover-');
  afterAll(() => dir.remove());

  it('follows each repository with a semver policy keeping the greatest three versions', () => {
    const dataset = discoverDataset(2, 30);
    expect(dataset.kept).toEqual(['1.0.29', '1.0.28', '1.0.27']);
    const catalog = discoverCatalog(dataset, '127.0.0.1:5000');
    expect(catalog.streams['app-001']).toEqual({
      discover: { from: '127.0.0.1:5000/discover/app-001', policy: { semver: '>=0' }, keep: 3 },
    });
    expect(discoverBound(discoverDataset(100, 2000))).toEqual({ pages: 200, heads: 300, limit: 550 });
  });

  it('writes 2 × 30 tags the registry lists, plans the three greatest of each, then a no-op plan of one page and three HEADs per stream', async () => {
    const scratchDir = join(dir.path, 'scratch');
    mkdirSync(scratchDir);
    const env = { ...callerEnv(), DOCKER_CONFIG: scratchDir, NO_COLOR: '1' };
    const ctx = { cliPath: CLI_PATH, env, scratchDir, discoverStreams: 2, discoverTags: 30, discoverSmallTags: 0 };
    const result = await measureDiscover(ctx, join(dir.path, 'run'), () => {});

    expect(result.sizes).toHaveLength(1);
    const [size] = result.sizes;
    expect(size!.bound).toEqual({ pages: 2, heads: 6, limit: 8.8 });
    expect(size!.noopPlan).toMatchObject({ pages: 2, heads: 6 });
    expect(size!.noopPlan.byKind).toEqual({ 'GET /v2/': 1, 'GET tags': 2, 'HEAD manifest': 6 });
    expect(size!.firstPlan.pages).toBe(2);
  });
});
