import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseImageSource } from '../../src/core/reference.js';
import { Repositories } from '../../src/registry/repositories.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';
import { Workspace } from '../helpers/workspace.js';

const work = tempDir('imagestreams-limits-');
const TAGS = ['t1', 't2', 't3'];
const { registry, proxy } = useRegistry({ faultProxy: true });

beforeAll(async () => {
  const layout = writeImageLayout(join(work.path, 'layout'), { tags: { app: { platforms: ['linux/amd64'] } } });
  for (const repository of ['team/app', 'other/app']) {
    for (const tag of TAGS) await pushLayout(layout.dir, 'app', registry, `${repository}:${tag}`);
  }
});

afterEach(() => proxy.reset());

afterAll(async () => {
  work.remove();
});

const MANIFEST_HEAD = { method: 'HEAD', path: /\/manifests\// };

describe('requestsPerSecond', () => {
  it('spaces request starts: 10 HEADs at 5 per second take at least 1.6 s from first to last', async () => {
    const repositories = new Repositories({
      env: {},
      settingsFor: () => ({ key: proxy.host, insecure: true, requestsPerSecond: 5 }),
    });
    const repo = repositories.open(parseImageSource(`${proxy.host}/team/app:t1`));
    try {
      await Promise.all(Array.from({ length: 10 }, () => repo.head('t1')));
    } finally {
      await repositories.close();
    }
    const starts = proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.at);
    expect(starts).toHaveLength(10);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1600);
  });
});

describe('maxConcurrency of one registry host reached through two catalog keys', () => {
  const workspace = new Workspace('imagestreams-limits-e2e-');

  beforeAll(async () => {
    const tags = (repository: string) =>
      Object.fromEntries(TAGS.map((tag) => [tag, { from: `${proxy.host}/${repository}:${tag}`, scheduled: true }]));
    workspace.writeCatalog({
      registries: {
        [proxy.host]: { insecure: true, maxConcurrency: 2 },
        [`${proxy.host}/team`]: { insecure: true, maxConcurrency: 2 },
      },
      streams: { team: tags('team/app'), other: tags('other/app') },
    });
    await workspace.expectRun(['apply', '--auto-approve'], 0);
  });

  it('never has more than 2 requests in flight at the registry, whichever key a tag matches', async () => {
    proxy.reset();
    proxy.inject({ kind: 'delay', ms: 150 }, { ...MANIFEST_HEAD, times: 100 });
    const result = await workspace.expectRun(['plan', '--concurrency', '16'], 0);
    expect(result.stdout).toBe('No changes. 6 tags up to date.\n');
    const heads = proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.path.split('/manifests/')[0]);
    expect(heads.sort()).toEqual([...Array(3).fill('/v2/other/app'), ...Array(3).fill('/v2/team/app')]);
    expect(proxy.peakInFlight()).toBe(2);
  });
});
