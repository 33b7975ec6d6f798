import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import { platformOf } from '../helpers/upstream.js';
import { Workspace } from '../helpers/workspace.js';

const { proxy, upstream } = useRegistry({ faultProxy: true });
const MULTI: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'], index: true };

/** What the upstream holds, by `repository:tag`, once pushed. */
const pushed: Record<string, GeneratedImage> = {};
async function push(repository: string, tag: string, seed = tag): Promise<void> {
  pushed[`${repository}:${tag}`] = await upstream.push(repository, tag, { ...MULTI, seed });
}
const digestOf = (image: string) => pushed[image]!.digest;

interface Froms {
  postgres: string;
  stable: string;
  app: string;
  web: string;
}

/** A catalog as a team writes it — comments, quoting of several kinds, a flow mapping — with the four froms given. */
function teamCatalog(host: string, from: Froms): string {
  return `# Images we run; reviewed in pull requests.
apiVersion: imagestreams/v1
kind: Catalog
registries:
  "${host}": { insecure: true }   # the test registry speaks plain HTTP
streams:
  postgres:
    update: { policy: major }     # majors are reviewed with a migration
    tags:
      "16":
        from: ${from.postgres}   # the database
  app:
    tags:
      # pinned by digest, as Renovate writes it
      stable:
        from: '${from.stable}'
        importMode: PreserveOriginal
      "1.0": { from: "${from.app}" }
      pinned:
        from: ${host}/team/app@${digestOf('team/app:1.0')}
      edge:
        from: ${host}/team/app:edge
        scheduled: true
  web:
    tags:
      alpine:
        from: ${from.web}
`;
}

let host: string;
let before: Froms;
let pinnedStable: GeneratedImage;

beforeAll(async () => {
  host = proxy.host;
  for (const tag of ['16.2', '16.4', '17.1', '18.0-rc1', 'latest']) await push('library/postgres', tag);
  for (const tag of ['stable', '1.0', '1.3', '2.0', 'edge']) await push('team/app', tag);
  for (const tag of ['1.25-alpine', '1.27-alpine', '1.28', '2.0-alpine']) await push('team/web', tag);
  before = {
    postgres: `${host}/library/postgres:16.2`,
    stable: `${host}/team/app:stable@${digestOf('team/app:stable')}`,
    app: `${host}/team/app:1.0@${digestOf('team/app:1.0')}`,
    web: `${host}/team/web:1.25-alpine`,
  };
  pinnedStable = pushed['team/app:stable']!;
  await push('team/app', 'stable', 'stable moved');
}, 120_000);

function workspace(): Workspace {
  const ws = new Workspace('imagestreams-update-');
  ws.writeCatalog(teamCatalog(host, before));
  return ws;
}

describe('update', () => {
  it('moves pinned tags, keeps every other byte of the catalog, prints a pull-request body and exits 2', async () => {
    const ws = workspace();
    const result = await ws.run(['update']);
    expect(result.stderr).toBe('imagestreams.yaml: 4 tags moved.\n');
    expect(result.code).toBe(2);
    const after: Froms = {
      postgres: `${host}/library/postgres:17.1`,
      stable: `${host}/team/app:stable@${digestOf('team/app:stable')}`,
      app: `${host}/team/app:1.3@${digestOf('team/app:1.3')}`,
      web: `${host}/team/web:1.27-alpine`,
    };
    expect(readFileSync(ws.catalogPath, 'utf8')).toBe(teamCatalog(host, after));

    expect(result.stdout).toContain('<!-- imagestreams-update -->');
    expect(result.stdout).toContain(
      `| \`postgres:16\` | \`${before.postgres}\` | \`${after.postgres}\` | major (16.2 → 17.1) |`,
    );
    expect(result.stdout).toContain(`| \`app:stable\` | \`${before.stable}\` | \`${after.stable}\` | digest |`);
    expect(result.stdout).toContain(
      `| \`app:1.0\` | \`${before.app}\` | \`${after.app}\` | minor (1.0 → 1.3), digest |`,
    );
    expect(result.stdout).toContain(
      `| \`web:alpine\` | \`${before.web}\` | \`${after.web}\` | minor (1.25-alpine → 1.27-alpine) |`,
    );
    // PreserveOriginal: every platform of the list, before (the image pinned) and after.
    const rows = ['linux/amd64', 'linux/arm64'].map((platform) => {
      const was = platformOf(pinnedStable, platform).digest;
      const now = platformOf(pushed['team/app:stable']!, platform).digest;
      return `| \`${platform}\` | \`${was}\` | \`${now}\` |`;
    });
    expect(result.stdout).toContain(
      ['### app:stable', '', '| Platform | Before | After |', '| --- | --- | --- |', ...rows, ''].join('\n'),
    );
    expect(result.stdout).toContain(
      `- \`app:edge\` (\`${host}/team/app:edge\`): scheduled: it follows its upstream already`,
    );

    const again = await ws.run(['update']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('imagestreams.yaml is up to date.\n');
    expect(readFileSync(ws.catalogPath, 'utf8')).toBe(teamCatalog(host, after));
  }, 60_000);

  it('with --dry-run writes the body and exits as usual, leaving the catalog; a stream policy wins over --policy', async () => {
    const ws = workspace();
    const text = readFileSync(ws.catalogPath, 'utf8');
    const args = ['--dry-run', '--policy', 'patch', '--target', 'web', '--target', 'postgres', '-o', 'pr.md'];
    const result = await ws.run(['update', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('imagestreams.yaml was not written (--dry-run): 1 tag would move.\n');
    expect(result.stdout).toBe('');
    const body = readFileSync(ws.file('pr.md'), 'utf8');
    expect(body).toContain('| `postgres:16` |');
    expect(body).not.toContain('web:alpine');
    expect(readFileSync(ws.catalogPath, 'utf8')).toBe(text);
  }, 60_000);

  it('fails with exit 1 and leaves the catalog as it was when a registry fails', async () => {
    const ws = workspace();
    const text = readFileSync(ws.catalogPath, 'utf8');
    proxy.inject({ kind: 'status', status: 503, body: 'down' }, { path: /\/tags\/list$/, times: 50 });
    try {
      const result = await ws.run(['update', '-o', 'body.md']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*503/);
      expect(result.stdout).toBe('');
      expect(readFileSync(ws.catalogPath, 'utf8')).toBe(text);
    } finally {
      proxy.reset();
    }
  }, 60_000);
});
