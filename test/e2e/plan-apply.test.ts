import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import type { CliResult } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type GeneratedImage, type ImageSpec, MEDIA_TYPES } from '../helpers/images.js';
import { block, created, deleted, indexRow, parsePlanJson, unchanged, updated } from '../helpers/plan-text.js';
import { platformOf } from '../helpers/upstream.js';
import { type CatalogSpec, insecure, sortKeys, Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry();

const source = (repository: string, tag: string) => `${registry.host}/${repository}:${tag}`;

const IMAGE_CREATED = '2025-03-04T05:06:07Z';
const LABELS = { 'org.opencontainers.image.title': 'e2e' };
/** The environment every generated image's config sets. */
const ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

describe('a first plan and its apply', () => {
  const repo = 'e2e/first';
  const work = new Workspace();
  const images: Record<string, GeneratedImage> = {};
  let firstPlan: CliResult;
  let firstPlanJson: Plan;

  const catalog = (): CatalogSpec => ({
    defaults: { preferPlatform: 'linux/s390x' },
    registries: insecure(registry.host),
    streams: {
      app: {
        all: { from: source(repo, 'multi'), importMode: 'PreserveOriginal', scheduled: true },
        preferred: { from: source(repo, 'multi'), preferPlatform: 'linux/arm64' },
        annotated: {
          from: source(repo, 'multi'),
          annotations: { 'importer.image.openshift.io/prefer-arch': 'aarch64' },
        },
        default: { from: source(repo, 'multi') },
        fallback: { from: source(repo, 'amd-arm') },
        first: { from: source(repo, 'no-amd') },
        single: { from: source(repo, 'single') },
      },
    },
  });

  beforeAll(async () => {
    const specs: Record<string, ImageSpec> = {
      multi: {
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
        attestations: true,
        layers: 2,
        labels: LABELS,
        created: IMAGE_CREATED,
      },
      'amd-arm': { platforms: ['linux/amd64', 'linux/arm64'] },
      'no-amd': { platforms: ['linux/ppc64le', 'linux/arm64'] },
      single: { platforms: ['linux/arm64'], labels: LABELS },
    };
    for (const [tag, spec] of Object.entries(specs)) images[tag] = await upstream.push(repo, tag, spec);
    work.writeCatalog(catalog());
    const [text, json] = await Promise.all([work.run(['plan', '--detailed-exitcode']), work.run(['plan', '--json'])]);
    firstPlan = text;
    firstPlanJson = parsePlanJson(json.stdout);
  });

  it('exits 2 with --detailed-exitcode and shows a + row per platform, the index first for PreserveOriginal', () => {
    const multi = images.multi!;
    const child = (tag: string, platform: string) => platformOf(images[tag]!, platform).digest;
    expect(firstPlan.stderr).toBe('');
    expect(firstPlan.code).toBe(2);
    expect(firstPlan.stdout).toBe(
      `${block(
        `  + app:all  ${source(repo, 'multi')}  (PreserveOriginal, scheduled)`,
        indexRow(null, multi.digest),
        created('linux/amd64', child('multi', 'linux/amd64')),
        created('linux/arm64', child('multi', 'linux/arm64')),
        created('linux/s390x', child('multi', 'linux/s390x')),
        `  + app:preferred  ${source(repo, 'multi')}  (Legacy: linux/arm64 by tag preference)`,
        created('linux/arm64', child('multi', 'linux/arm64')),
        `  + app:annotated  ${source(repo, 'multi')}  (Legacy: linux/arm64 by tag preference)`,
        created('linux/arm64', child('multi', 'linux/arm64')),
        `  + app:default  ${source(repo, 'multi')}  (Legacy: linux/s390x by default platform)`,
        created('linux/s390x', child('multi', 'linux/s390x')),
        `  + app:fallback  ${source(repo, 'amd-arm')}  (Legacy: linux/amd64 by linux/amd64 fallback)`,
        created('linux/amd64', child('amd-arm', 'linux/amd64')),
        `  + app:first  ${source(repo, 'no-amd')}  (Legacy: linux/ppc64le as first child)`,
        created('linux/ppc64le', child('no-amd', 'linux/ppc64le')),
        `  + app:single  ${source(repo, 'single')}  (Legacy)`,
        created('linux/arm64', images.single!.digest),
        '',
        'Plan: 7 to import, 0 to re-import, 0 to remove. 0 unchanged.',
      )}\n`,
    );
  });

  it.each([
    ['the tag preferPlatform', 'preferred', 'tag preference'],
    ['the prefer-arch annotation', 'annotated', 'tag preference'],
    ['the catalog default', 'default', 'default platform'],
    ['linux/amd64 when the default is missing', 'fallback', 'linux/amd64'],
    ['the first child when neither is there', 'first', 'first child'],
    ['no rule for a single image', 'single', 'single manifest'],
  ])('Legacy follows %s and the JSON plan names the rule', (_rule, tag, selectedBy) => {
    const change = firstPlanJson.changes.find((c) => c.address === `app:${tag}`);
    expect([change?.action, change?.selectedBy]).toEqual(['create', selectedBy]);
  });

  it('hides attestations from the platform rows but plans to record them, flagged', () => {
    const multi = images.multi!;
    const change = firstPlanJson.changes.find((c) => c.address === 'app:all')!;
    expect(change.platforms.map((row) => row.platform)).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x']);
    expect(change.after?.manifests.filter((m) => m.attestation)).toEqual(
      multi.attestations.map((a) => ({
        platform: 'unknown/unknown',
        digest: a.digest,
        mediaType: a.mediaType,
        size: a.size,
        attestation: true,
      })),
    );
    expect(firstPlan.stdout).not.toContain('unknown');
  });

  it('apply without --auto-approve refuses when not on a terminal and creates no state', async () => {
    const result = await work.expectRun(['apply'], 1);
    expect(result.stderr).toContain('error: apply needs approval');
    expect(work.stateBytes()).toBeUndefined();
    expect(work.stateBytes(`${work.statePath}.lock`)).toBeUndefined();
  });

  it('apply --auto-approve imports every tag and says so', async () => {
    const result = await work.expectRun(['apply', '--auto-approve'], 0);
    expect(result.stdout).toContain('Apply complete! 7 imported, 0 re-imported, 0 removed, 0 failed.');
    expect(result.stderr).toContain(`app:all: imported ${images.multi!.digest.slice(0, 19)}`);
  });

  it('writes the state canonically: sorted keys, 2-space indent, trailing newline, a lineage, serial 1', () => {
    const text = work.stateBytes()!.toString('utf8');
    expect(text).toBe(`${JSON.stringify(sortKeys(JSON.parse(text)), null, 2)}\n`);
    const state = work.state();
    expect(state.version).toBe(1);
    expect(state.lineage).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(state.serial).toBe(1);
    expect(Object.keys(state.streams.app!.tags).sort()).toEqual(
      ['all', 'annotated', 'default', 'fallback', 'first', 'preferred', 'single'].sort(),
    );
  });

  it('records a PreserveOriginal tag as the index with every child, image metadata and flagged attestations', () => {
    const multi = images.multi!;
    const tag = work.state().streams.app!.tags.all!;
    expect(tag.spec).toEqual({
      from: source(repo, 'multi'),
      importMode: 'PreserveOriginal',
      referencePolicy: 'Source',
      scheduled: true,
      insecure: true,
      preferPlatform: null,
    });
    expect(tag.conditions).toEqual([]);
    expect(tag.items).toHaveLength(1);
    const item = tag.items[0]!;
    expect(item).toMatchObject({
      digest: multi.digest,
      sourceDigest: multi.digest,
      mediaType: MEDIA_TYPES.oci.index,
      dockerImageReference: `${registry.host}/${repo}@${multi.digest}`,
      generation: 1,
    });
    expect(new Date(item.created).toISOString()).toBe(item.created);
    expect(item.manifests).toEqual([
      ...multi.manifests.map((m) => ({
        platform: m.platform,
        digest: m.digest,
        mediaType: m.mediaType,
        size: m.size,
        image: {
          created: IMAGE_CREATED,
          labels: LABELS,
          env: ENV,
          layers: 2,
          layerSizes: upstream.layerSizes(m),
          size: upstream.imageSize(m),
        },
      })),
      ...multi.attestations.map((a) => ({
        platform: 'unknown/unknown',
        digest: a.digest,
        mediaType: a.mediaType,
        size: a.size,
        attestation: true,
      })),
    ]);
  });

  it.each([
    ['preferred', 'multi', 'linux/arm64', 'tag preference'],
    ['default', 'multi', 'linux/s390x', 'default platform'],
    ['fallback', 'amd-arm', 'linux/amd64', 'linux/amd64'],
    ['first', 'no-amd', 'linux/ppc64le', 'first child'],
  ])('records Legacy tag %s as the chosen child of %s (%s, by %s)', (tag, image, platform, rule) => {
    const list = images[image]!;
    const child = platformOf(list, platform);
    const item = work.state().streams.app!.tags[tag]!.items[0]!;
    expect(item).toMatchObject({
      digest: child.digest,
      sourceDigest: list.digest,
      mediaType: child.mediaType,
      dockerImageReference: `${registry.host}/${repo}@${child.digest}`,
      selectedBy: rule,
    });
    expect(item.manifests).toEqual([
      {
        platform,
        digest: child.digest,
        mediaType: child.mediaType,
        size: child.size,
        image: expect.objectContaining({ layers: child.layerDigests.length, size: upstream.imageSize(child) }),
      },
    ]);
  });

  it('records a single-platform image with its platform read from its config', () => {
    const single = images.single!;
    const item = work.state().streams.app!.tags.single!.items[0]!;
    expect(item.digest).toBe(single.digest);
    expect(item.sourceDigest).toBe(single.digest);
    expect(item.manifests).toEqual([
      {
        platform: 'linux/arm64',
        digest: single.digest,
        mediaType: single.mediaType,
        size: single.size,
        image: {
          created: '2024-01-01T00:00:00Z',
          labels: LABELS,
          env: ENV,
          layers: 1,
          layerSizes: upstream.layerSizes(single.manifests[0]!),
          size: upstream.imageSize(single.manifests[0]!),
        },
      },
    ]);
  });

  it('plans no changes right after apply: exit 0 with --detailed-exitcode', async () => {
    const result = await work.expectRun(['plan', '--detailed-exitcode'], 0);
    expect(result.stdout).toBe('No changes. 7 tags up to date.\n');
  });

  it('apply --json with nothing to do prints an empty result and writes nothing', async () => {
    const before = work.stateBytes();
    const result = await work.expectRun(['apply', '--auto-approve', '--json'], 0);
    expect(JSON.parse(result.stdout)).toEqual({
      imported: [],
      removed: [],
      failed: [],
      state: { lineage: work.state().lineage, serial: 1 },
    });
    expect(work.stateBytes()).toEqual(before);
  });

  it('apply without --auto-approve leaves an existing state byte for byte as it was', async () => {
    const before = work.stateBytes();
    const spec = catalog();
    spec.streams.app!.extra = { from: source(repo, 'single') };
    work.writeCatalog(spec);
    const result = await work.expectRun(['apply'], 1);
    expect(result.stdout).toContain('+ app:extra');
    expect(result.stderr).toContain('error: apply needs approval');
    expect(work.stateBytes()).toEqual(before);
  });
});

describe('a no-op plan', () => {
  let proxy: FaultProxy;
  const work = new Workspace();

  beforeAll(async () => {
    proxy = await startFaultProxy(registry.url);
    await upstream.push('e2e/noop-list', 'v1', { platforms: ['linux/amd64', 'linux/arm64'], attestations: true });
    await upstream.push('e2e/noop-single', 'v1', { platforms: ['linux/amd64'] });
    const from = (repository: string) => `${proxy.host}/${repository}:v1`;
    work.writeCatalog({
      registries: insecure(proxy.host),
      streams: {
        app: {
          preserved: { from: from('e2e/noop-list'), importMode: 'PreserveOriginal', scheduled: true },
          legacy: { from: from('e2e/noop-list') },
          single: { from: from('e2e/noop-single'), scheduled: true },
        },
      },
    });
    await work.expectRun(['apply', '--auto-approve'], 0);
  });

  afterAll(async () => {
    await proxy?.stop();
  });

  it('costs exactly one manifest HEAD per unchanged tag, no GET of a manifest or blob', async () => {
    proxy.reset();
    const result = await work.expectRun(['plan', '--detailed-exitcode'], 0);
    expect(result.stdout).toBe('No changes. 3 tags up to date.\n');
    // Besides the HEADs, only the registry's API version check (`GET /v2/`), once per registry.
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /v2/',
      'HEAD /v2/e2e/noop-list/manifests/v1',
      'HEAD /v2/e2e/noop-list/manifests/v1',
      'HEAD /v2/e2e/noop-single/manifests/v1',
    ]);
  });

  it('asks each HEAD only to confirm the digest in the state, which the registry does with a 304 and no headers', async () => {
    proxy.reset();
    await work.expectRun(['plan'], 0);
    const recorded = work.state().streams.app!.tags;
    const heads = proxy.requests.filter((r) => r.method === 'HEAD');
    expect(heads.map((r) => r.headers['if-none-match']).sort()).toEqual(
      ['preserved', 'legacy', 'single'].map((tag) => `"${recorded[tag]!.items[0]!.sourceDigest}"`).sort(),
    );
    expect(heads.map((r) => r.status)).toEqual([304, 304, 304]);
  });
});

describe('an upstream move', () => {
  const repo = 'e2e/move';
  const work = new Workspace();
  let latestV1: GeneratedImage;
  let latestV2: GeneratedImage;
  let pinnedV1: GeneratedImage;
  let pinnedV2: GeneratedImage;

  beforeAll(async () => {
    latestV1 = await upstream.push(repo, 'latest', {
      platforms: ['linux/amd64', 'linux/arm64', 'linux/ppc64le'],
      attestations: true,
    });
    pinnedV1 = await upstream.push(repo, 'pinned', { platforms: ['linux/amd64', 'linux/arm64'] });
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: {
        app: {
          latest: { from: source(repo, 'latest'), importMode: 'PreserveOriginal', scheduled: true },
          pinned: { from: source(repo, 'pinned') },
        },
      },
    });
    await work.expectRun(['apply', '--auto-approve'], 0);
    latestV2 = await upstream.push(repo, 'latest', {
      platforms: ['linux/amd64', 'linux/arm64', 'linux/riscv64'],
      attestations: true,
      platformSeeds: { 'linux/amd64': 'moved' },
    });
    pinnedV2 = await upstream.push(repo, 'pinned', { platforms: ['linux/amd64', 'linux/arm64'], seed: 'moved' });
  });

  const amd64 = (image: GeneratedImage) => platformOf(image, 'linux/amd64').digest;

  it('shows the scheduled tag as ~ with per-platform ~, +, - and (unchanged) rows', async () => {
    const result = await work.expectRun(['plan', '--detailed-exitcode'], 2);
    expect(platformOf(latestV2, 'linux/arm64').digest).toBe(platformOf(latestV1, 'linux/arm64').digest);
    expect(result.stdout).toContain(
      block(
        `  ~ app:latest  ${source(repo, 'latest')}  (PreserveOriginal, scheduled: upstream moved)`,
        indexRow(latestV1.digest, latestV2.digest),
        updated('linux/amd64', amd64(latestV1), amd64(latestV2)),
        unchanged('linux/arm64', platformOf(latestV1, 'linux/arm64').digest),
        created('linux/riscv64', platformOf(latestV2, 'linux/riscv64').digest),
        deleted('linux/ppc64le', platformOf(latestV1, 'linux/ppc64le').digest),
      ),
    );
  });

  it('lists the pinned tag only as drift', async () => {
    const result = await work.expectRun(['plan'], 0);
    expect(result.stdout).not.toMatch(/^ {2}[+~-] app:pinned/m);
    expect(result.stdout).toContain(
      block(
        'Drift (pinned tags whose upstream moved; run with --reimport ADDRESS to import):',
        `  ! app:pinned  ${source(repo, 'pinned')}  current ${amd64(pinnedV1).slice(0, 19)} → upstream ${amd64(pinnedV2).slice(0, 19)}`,
        updated('linux/amd64', amd64(pinnedV1), amd64(pinnedV2)),
        '',
        'Plan: 0 to import, 1 to re-import, 0 to remove. 1 unchanged. 1 pinned tag has upstream drift.',
      ),
    );
    const plan = parsePlanJson((await work.expectRun(['plan', '--json'], 0)).stdout);
    expect(plan.changes.map((c) => [c.address, c.action, c.reason])).toEqual([
      ['app:latest', 'update', 'upstream_moved'],
      ['app:pinned', 'noop', null],
    ]);
    expect(plan.drift).toEqual([
      {
        address: 'app:pinned',
        from: source(repo, 'pinned'),
        importMode: 'Legacy',
        current: amd64(pinnedV1),
        upstream: amd64(pinnedV2),
        platforms: [{ platform: 'linux/amd64', action: 'update', before: amd64(pinnedV1), after: amd64(pinnedV2) }],
      },
    ]);
  });

  it('turns the drift into a re-import with --reimport', async () => {
    const result = await work.expectRun(['plan', '--reimport', 'app:pinned'], 0);
    expect(result.stdout).toContain(
      block(
        `  ~ app:pinned  ${source(repo, 'pinned')}  (Legacy: linux/amd64 by default platform, pinned: re-import requested)`,
        updated('linux/amd64', amd64(pinnedV1), amd64(pinnedV2)),
        '',
        'Plan: 0 to import, 2 to re-import, 0 to remove. 0 unchanged.\n',
      ),
    );
    expect(result.stdout).not.toContain('Drift');
  });

  it("applies both, in the plan's words, after which a plan has no changes", async () => {
    const apply = await work.expectRun(['apply', '--auto-approve', '--reimport', 'app:pinned'], 0);
    expect(apply.stdout).toContain('Plan: 0 to import, 2 to re-import, 0 to remove.');
    expect(apply.stdout).toContain('Apply complete! 0 imported, 2 re-imported, 0 removed, 0 failed.');
    const result = await work.expectRun(['plan', '--detailed-exitcode'], 0);
    expect(result.stdout).toBe('No changes. 2 tags up to date.\n');
  });

  it('keeps each tag history newest first, one item per imported digest', () => {
    const tags = work.state().streams.app!.tags;
    expect(tags.latest!.items.map((i) => [i.digest, i.generation])).toEqual([
      [latestV2.digest, 2],
      [latestV1.digest, 1],
    ]);
    expect(tags.pinned!.items.map((i) => [i.digest, i.sourceDigest])).toEqual([
      [amd64(pinnedV2), pinnedV2.digest],
      [amd64(pinnedV1), pinnedV1.digest],
    ]);
  });
});

describe('a spec change', () => {
  const image: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'] };

  it.each([
    {
      name: 'importMode Legacy → PreserveOriginal',
      change: { importMode: 'PreserveOriginal' },
      expected: (from: string, list: GeneratedImage) => [
        `  ~ app:t  ${from}  (PreserveOriginal, pinned: spec changed)`,
        '      - importMode: Legacy',
        '      + importMode: PreserveOriginal',
        indexRow(null, list.digest),
        unchanged('linux/amd64', platformOf(list, 'linux/amd64').digest),
        created('linux/arm64', platformOf(list, 'linux/arm64').digest),
      ],
      recorded: (list: GeneratedImage) => list.digest,
    },
    {
      name: 'preferPlatform',
      change: { preferPlatform: 'linux/arm64' },
      expected: (from: string, list: GeneratedImage) => [
        `  ~ app:t  ${from}  (Legacy: linux/arm64 by tag preference, pinned: spec changed)`,
        '      - preferPlatform: null',
        '      + preferPlatform: linux/arm64',
        created('linux/arm64', platformOf(list, 'linux/arm64').digest),
        deleted('linux/amd64', platformOf(list, 'linux/amd64').digest),
      ],
      recorded: (list: GeneratedImage) => platformOf(list, 'linux/arm64').digest,
    },
  ])('$name re-imports an unmoved tag and shows the spec diff', async ({ name, change, expected, recorded }) => {
    const repo = `e2e/spec-${name.split(' ')[0]!.toLowerCase()}`;
    const list = await upstream.push(repo, '1', image);
    const from = source(repo, '1');
    const work = new Workspace();
    const catalog = (tag: Record<string, unknown>): CatalogSpec => ({
      registries: insecure(registry.host),
      streams: { app: { t: { from, ...tag } } },
    });
    work.writeCatalog(catalog({}));
    await work.expectRun(['apply', '--auto-approve'], 0);
    work.writeCatalog(catalog(change));

    const plan = await work.expectRun(['plan', '--detailed-exitcode'], 2);
    expect(plan.stdout).toBe(
      `${block(...expected(from, list), '', 'Plan: 0 to import, 1 to re-import, 0 to remove. 0 unchanged.')}\n`,
    );
    await work.expectRun(['apply', '--auto-approve'], 0);
    const tag = work.state().streams.app!.tags.t!;
    expect(tag.spec).toMatchObject(change);
    expect(tag.items.map((i) => i.digest)).toEqual([recorded(list), platformOf(list, 'linux/amd64').digest]);
    await work.expectRun(['plan', '--detailed-exitcode'], 0);
  });
});

describe('a tag removed from the catalog', () => {
  it('is planned as - remove and forgotten from the state by apply', async () => {
    const repo = 'e2e/remove';
    const kept = await upstream.push(repo, 'kept', { platforms: ['linux/amd64'] });
    const old = await upstream.push(repo, 'old', { platforms: ['linux/amd64', 'linux/arm64'] });
    const work = new Workspace();
    const tags = { kept: { from: source(repo, 'kept') }, old: { from: source(repo, 'old') } };
    work.writeCatalog({ registries: insecure(registry.host), streams: { app: tags } });
    await work.expectRun(['apply', '--auto-approve'], 0);
    work.writeCatalog({ registries: insecure(registry.host), streams: { app: { kept: tags.kept } } });

    const plan = await work.expectRun(['plan', '--detailed-exitcode'], 2);
    expect(plan.stdout).toBe(
      `${block(
        `  - app:old  ${source(repo, 'old')}  (Legacy, removed from catalog)`,
        deleted('linux/amd64', platformOf(old, 'linux/amd64').digest),
        '',
        'Plan: 0 to import, 0 to re-import, 1 to remove. 1 unchanged.',
      )}\n`,
    );
    const apply = await work.expectRun(['apply', '--auto-approve'], 0);
    expect(apply.stdout).toContain('Apply complete! 0 imported, 0 re-imported, 1 removed, 0 failed.');
    const state = work.state();
    expect(Object.keys(state.streams.app!.tags)).toEqual(['kept']);
    expect(state.streams.app!.tags.kept!.items[0]!.digest).toBe(kept.digest);
    expect(state.serial).toBe(2);
    const show = await work.expectRun(['show', 'app:old'], 1);
    expect(show.stderr).toBe('error: "app:old" is not in the state (use STREAM or STREAM:TAG)\n');
  });
});

describe('plan and show output for machines and reviewers', () => {
  const repo = 'e2e/formats';
  const work = new Workspace();
  let planJson: CliResult;

  beforeAll(async () => {
    for (const tag of ['scheduled', 'pinned', 'gone', 'new'])
      await upstream.push(repo, tag, { platforms: ['linux/amd64', 'linux/arm64'] });
    const tags = {
      scheduled: { from: source(repo, 'scheduled'), importMode: 'PreserveOriginal', scheduled: true },
      pinned: { from: source(repo, 'pinned') },
    };
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: { app: { ...tags, gone: { from: source(repo, 'gone') } } },
    });
    await work.expectRun(['apply', '--auto-approve'], 0);
    for (const tag of ['scheduled', 'pinned'])
      await upstream.push(repo, tag, { platforms: ['linux/amd64', 'linux/arm64'], seed: 'moved' });
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: {
        app: { ...tags, new: { from: source(repo, 'new') }, broken: { from: source(repo, 'no-such-tag') } },
      },
    });
    planJson = await work.run(['plan', '--json']);
  });

  it('--json prints one document valid against schemas/plan.schema.json, stderr silent', () => {
    expect(planJson.stderr).toBe('');
    expect(planJson.code).toBe(1);
    const plan = parsePlanJson(planJson.stdout);
    expect(plan.summary).toEqual({ create: 1, update: 1, delete: 1, noop: 1, drift: 1, error: 1 });
    expect(plan.priorState).toEqual({ lineage: work.state().lineage, serial: 1 });
    expect(plan.catalog.path).toBe('imagestreams.yaml');
    expect(plan.errors).toEqual([
      {
        address: 'app:broken',
        reason: 'NotFound',
        message: expect.stringContaining(`has no tag "no-such-tag"`),
      },
    ]);
  });

  it('--format markdown starts with the hidden marker and the summary, warns about removals, digests in full', async () => {
    const result = await work.run(['plan', '--format', 'markdown']);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '<!-- imagestreams-plan -->',
      '**imagestreams plan:** 1 to import, 1 to re-import, 1 to remove, 1 unchanged; ' +
        '1 pinned tag has upstream drift; 1 tag could not be resolved',
    ]);
    expect(lines).toContain('> ⚠ **1 tag will be removed from the state:** app:gone');
    expect(result.stdout).toContain(
      parsePlanJson(planJson.stdout).changes.find((c) => c.action === 'create')!.after!.digest,
    );
    expect(result.stdout).toContain('<details><summary>Full plan</summary>');
  });

  it('show --json prints the state as the state file holds it', async () => {
    const result = await work.expectRun(['show', '--json'], 0);
    expect(JSON.parse(result.stdout)).toEqual(work.state());
  });

  it('show ADDR prints one tag, as text or as JSON', async () => {
    const tag = work.state().streams.app!.tags.scheduled!;
    const item = tag.items[0]!;
    const text = await work.expectRun(['show', 'app:scheduled'], 0);
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      `app:scheduled  ${source(repo, 'scheduled')}  (PreserveOriginal, scheduled, Source)`,
      `  image     ${item.dockerImageReference}`,
      `  imported  ${item.created} (generation 1)`,
    ]);
    expect(text.stdout).not.toContain('app:pinned');
    const json = await work.expectRun(['show', 'app:scheduled', '--json'], 0);
    expect(JSON.parse(json.stdout)).toEqual({ address: 'app:scheduled', ...tag });
    const stream = await work.expectRun(['show', 'app'], 0);
    expect(stream.stdout.match(/^app:\S+/gm)).toEqual(['app:gone', 'app:pinned', 'app:scheduled']);
  });
});
