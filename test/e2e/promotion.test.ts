import { beforeAll, describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { Workspace } from '../helpers/workspace.js';

/** Promotion by pull request: `dev` imports from the registry; `staging` follows `dev`, `prod` follows `staging`. */
const { registry, upstream } = useRegistry();

const APP: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'] };
const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);

function promotionCatalog(extraStaging = ''): string {
  return `apiVersion: imagestreams/v1
kind: Catalog
registries:
  "${registry.host}": { insecure: true }
streams:
  dev:
    tags:
      latest:
        from: ${registry.host}/team/app:dev
        importMode: PreserveOriginal
        scheduled: true
  staging:
    tags:
      latest:
        from: dev:latest          # promoted from dev
${extraStaging}  prod:
    tags:
      latest:
        from: { kind: ImageStreamTag, name: "staging:latest" }
`;
}

describe('promotion: tags that follow other tags', () => {
  const work = new Workspace('imagestreams-promotion-');
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    v1 = await upstream.push('team/app', 'dev', { ...APP, seed: 'v1' });
    work.writeCatalog(promotionCatalog());
  });

  it('plans every follower of a new tag with its platforms, and apply gives them its image', async () => {
    const plan = await work.expectRun(['plan', '--no-color'], 0);
    expect(plan.stdout).toContain(`  + staging:latest  ${short(v1.digest)}  (from dev:latest)\n`);
    expect(plan.stdout).toContain(`  + prod:latest  ${short(v1.digest)}  (from staging:latest)\n`);
    expect(plan.stdout).toContain('Plan: 3 to import, 0 to re-import, 0 to remove.');
    await work.expectRun(['apply', '--auto-approve'], 0);
    const state = work.state();
    const dev = state.streams.dev!.tags.latest!.items[0]!;
    expect(dev.digest).toBe(v1.digest);
    for (const stream of ['staging', 'prod']) {
      const item = state.streams[stream]!.tags.latest!.items[0]!;
      expect(item).toMatchObject({ digest: v1.digest, dockerImageReference: dev.dockerImageReference });
      expect(item.manifests).toEqual(dev.manifests);
    }
    const described = await work.expectRun(['describe', 'prod'], 0);
    expect(described.stdout).toContain('latest\n  tagged from staging:latest\n');
  });

  it('moves dev and every tag tracking it in one plan; a snapshot stays; apply imports exactly the plan', async () => {
    work.writeCatalog(
      promotionCatalog(`      v1:\n        from: { kind: ImageStreamImage, name: "dev@${v1.digest}" }\n`),
    );
    await work.expectRun(['apply', '--auto-approve'], 0);
    v2 = await upstream.push('team/app', 'dev', { ...APP, seed: 'v2' });
    const json = parsePlanJson((await work.expectRun(['plan', '--json', '--out', 'promote.plan'], 0)).stdout);
    const byAddress = new Map(json.changes.map((c) => [c.address, c]));
    expect(byAddress.get('dev:latest')).toMatchObject({ action: 'update', reason: 'upstream_moved' });
    expect(byAddress.get('staging:latest')).toMatchObject({
      action: 'update',
      after: { digest: v2.digest },
      reference: { kind: 'ImageStreamTag', name: 'dev:latest', address: 'dev:latest' },
    });
    expect(byAddress.get('prod:latest')).toMatchObject({
      action: 'update',
      reference: { kind: 'ImageStreamTag', name: 'staging:latest', address: 'staging:latest' },
    });
    expect(byAddress.get('staging:v1')).toMatchObject({ action: 'noop', after: { digest: v1.digest } });
    expect(byAddress.get('prod:latest')!.platforms.map((p) => [p.platform, p.action])).toEqual([
      ['linux/amd64', 'update'],
      ['linux/arm64', 'update'],
    ]);

    const text = (await work.expectRun(['plan', '--no-color'], 0)).stdout;
    expect(text).toContain(`  ~ prod:latest  ${short(v1.digest)} → ${short(v2.digest)}  (from staging:latest)\n`);
    expect(text).toContain(`    ~ linux/arm64    ${short(v1.platforms['linux/arm64']!.digest)} → `);

    const scheduledOnly = (await work.expectRun(['plan', '--scheduled-only', '--no-color'], 0)).stdout;
    expect(scheduledOnly).toContain(
      `  ~ prod:latest  ${short(v1.digest)} → ${short(v2.digest)}  (from staging:latest)\n`,
    );

    // dev moves again after the plan: apply of the saved plan still lands what was reviewed.
    await upstream.push('team/app', 'dev', { ...APP, seed: 'v3' });
    await work.expectRun(['apply', '--auto-approve', 'promote.plan'], 0);
    const state = work.state();
    for (const stream of ['dev', 'staging', 'prod']) {
      expect(state.streams[stream]!.tags.latest!.items[0]!.digest).toBe(v2.digest);
    }
    expect(state.streams.staging!.tags.v1!.items[0]!.digest).toBe(v1.digest);
  });
});

describe('references that cannot be planned', () => {
  it('reports cycles and dangling references at file:line:col, changing nothing', async () => {
    const work = new Workspace('imagestreams-promotion-bad-');
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  a:
    tags:
      "1": { from: "b:2" }
      gone: { from: { kind: ImageStreamTag, name: "a:nope" } }
  b:
    tags:
      "2": { from: "a:1" }
`);
    const result = await work.expectRun(['plan'], 1);
    expect(result.stderr).toBe(
      [
        'imagestreams.yaml:6:20: error: the tags follow each other in a cycle: a:1 → b:2 → a:1',
        'imagestreams.yaml:7:51: error: ImageStreamTag a:nope: the image stream "a" has no tag "nope"',
        '',
      ].join('\n'),
    );
    expect(work.stateBytes()).toBeUndefined();
  });

  it('reports an image a stream does not hold as a plan error of that tag', async () => {
    const work = new Workspace('imagestreams-promotion-missing-');
    const digest = `sha256:${'0'.repeat(64)}`;
    await upstream.push('team/base', '1', APP);
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
registries: { "${registry.host}": { insecure: true } }
streams:
  base:
    tags:
      "1": { from: "${registry.host}/team/base:1" }
  pinned:
    tags:
      old: { from: "base@${digest}" }
`);
    const result = await work.expectRun(['plan', '--no-color'], 1);
    expect(result.stdout).toContain(
      `  ✗ pinned:old: follows base@${digest}: the image stream "base" holds no image ${digest} (in the state or in this plan)`,
    );
  });
});
