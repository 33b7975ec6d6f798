import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedImage, type ImageSpec, writeVersionTags } from '../helpers/images.js';
import { localCatalog } from '../helpers/local-mirror.js';
import { indexRow, parsePlanJson } from '../helpers/plan-text.js';
import { type CatalogSpec, insecure, Workspace } from '../helpers/workspace.js';

const { registry, upstream } = useRegistry();

const IMAGE: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'] };

function scheduledCatalog(from: string): CatalogSpec {
  return {
    registries: insecure(registry.host),
    streams: { app: { latest: { from, importMode: 'PreserveOriginal', scheduled: true } } },
  };
}

describe('a saved plan', () => {
  const repo = 'e2e/saved';
  const work = new Workspace();
  const from = () => `${registry.host}/${repo}:latest`;
  let v1: GeneratedImage;
  let v2: GeneratedImage;
  let v3: GeneratedImage;

  beforeAll(async () => {
    v1 = await upstream.push(repo, 'latest', { ...IMAGE, seed: 'v1' });
    work.writeCatalog(scheduledCatalog(from()));
    await work.expectRun(['apply', '--auto-approve'], 0);
    v2 = await upstream.push(repo, 'latest', { ...IMAGE, seed: 'v2' });
    const plan = await work.expectRun(['plan', '--out', 'plan.json'], 0);
    expect(plan.stdout).toContain(indexRow(v1.digest, v2.digest));
    v3 = await upstream.push(repo, 'latest', { ...IMAGE, seed: 'v3' });
  });

  it('holds the plan with the state lineage and serial and the catalog sha256', () => {
    const file = JSON.parse(readFileSync(work.file('plan.json'), 'utf8')) as { kind: string; plan: unknown };
    expect(file.kind).toBe('imagestreams-plan');
    const plan = parsePlanJson(JSON.stringify(file.plan));
    expect(plan.priorState).toEqual({ lineage: work.state().lineage, serial: 1 });
    expect(plan.catalog.sha256).toBe(
      `sha256:${createHash('sha256').update(readFileSync(work.catalogPath)).digest('hex')}`,
    );
    expect(plan.changes.map((c) => [c.address, c.action, c.after?.digest])).toEqual([
      ['app:latest', 'update', v2.digest],
    ]);
  });

  it('applies exactly the planned digest although the upstream moved again since', async () => {
    const result = await work.expectRun(['apply', 'plan.json', '--json'], 0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      imported: ['app:latest'],
      removed: [],
      failed: [],
      state: { lineage: work.state().lineage, serial: 2 },
    });
    expect(work.state().streams.app!.tags.latest!.items.map((i) => i.digest)).toEqual([v2.digest, v1.digest]);
    const next = await work.expectRun(['plan', '--detailed-exitcode'], 2);
    expect(next.stdout).toContain(indexRow(v2.digest, v3.digest));
  });

  it('is refused as stale when applied a second time, leaving the state untouched', async () => {
    const before = work.stateBytes();
    const result = await work.expectRun(['apply', 'plan.json'], 1);
    expect(result.stderr).toBe(
      'error: Saved plan is stale: the state changed since the plan was made (serial 1, now 2); run plan again\n',
    );
    expect(work.stateBytes()).toEqual(before);
    expect(work.stateBytes(`${work.statePath}.lock`)).toBeUndefined();
  });

  it('is refused when the catalog changed since the plan was made', async () => {
    await work.expectRun(['plan', '--out', 'before-edit.json'], 0);
    appendFileSync(work.catalogPath, '# reviewed\n');
    const before = work.stateBytes();
    const result = await work.expectRun(['apply', 'before-edit.json'], 1);
    expect(result.stderr).toBe(
      'error: Saved plan is stale: the catalog imagestreams.yaml changed since the plan was made; run plan again\n',
    );
    expect(work.stateBytes()).toEqual(before);
  });

  it('made from another state is refused: Saved plan does not match the given state', async () => {
    await work.expectRun(['apply', '--auto-approve', '--state', 'other.state.json'], 0);
    const other = work.stateBytes(work.file('other.state.json'));
    const mine = work.stateBytes();
    await work.expectRun(['plan', '--out', 'mine.json'], 0);
    const result = await work.expectRun(['apply', 'mine.json', '--state', 'other.state.json'], 1);
    expect(result.stderr).toBe(
      'error: Saved plan does not match the given state: it was made for another state file (lineage differs)\n',
    );
    expect(work.stateBytes(work.file('other.state.json'))).toEqual(other);
    expect(work.stateBytes()).toEqual(mine);
  });
});

describe('a saved plan made before the first apply', () => {
  it('creates the state once, then is refused as stale', async () => {
    const repo = 'e2e/saved-first';
    const image = await upstream.push(repo, 'latest', IMAGE);
    const work = new Workspace();
    work.writeCatalog(scheduledCatalog(`${registry.host}/${repo}:latest`));
    const plan = await work.expectRun(['plan', '--out', 'plan.json', '--detailed-exitcode'], 2);
    expect(plan.stdout).toContain(`  + app:latest  ${registry.host}/${repo}:latest  (PreserveOriginal, scheduled)\n`);
    expect(work.stateBytes()).toBeUndefined();

    const apply = await work.expectRun(['apply', 'plan.json'], 0);
    expect(apply.stdout).toBe('\nApply complete! 1 imported, 0 re-imported, 0 removed, 0 failed.\n');
    expect(work.state().streams.app!.tags.latest!.items.map((i) => i.digest)).toEqual([image.digest]);

    const state = work.stateBytes();
    const again = await work.expectRun(['apply', 'plan.json'], 1);
    expect(again.stderr).toBe(
      'error: Saved plan is stale: the state was written since the plan was made; run plan again\n',
    );
    expect(work.stateBytes()).toEqual(state);
  });
});

describe('a saved plan of Legacy and Local tags', () => {
  it('records exactly the items it showed: the chosen child, the local pull spec and where it was copied from', async () => {
    const repo = 'e2e/saved-local';
    const image = await upstream.push(repo, 'multi', IMAGE);
    const from = `${registry.host}/${repo}:multi`;
    const work = new Workspace();
    work.writeCatalog(
      localCatalog(
        {
          registries: insecure(registry.host),
          streams: {
            app: {
              arm: { from, preferPlatform: 'linux/arm64' },
              mirrored: { from, importMode: 'PreserveOriginal', referencePolicy: 'Local' },
            },
          },
        },
        { layout: 'store' },
      ),
    );
    await work.expectRun(['plan', '--out', 'plan.json'], 0);
    const planned = (JSON.parse(readFileSync(work.file('plan.json'), 'utf8')) as { plan: Plan }).plan;
    expect(planned.changes.map((c) => [c.address, c.after?.digest, c.after?.dockerImageReference])).toEqual([
      [
        'app:arm',
        image.platforms['linux/arm64']!.digest,
        `${from.replace(/:multi$/, '')}@${image.platforms['linux/arm64']!.digest}`,
      ],
      ['app:mirrored', image.digest, `oci:store/app@${image.digest}`],
    ]);

    const apply = await work.expectRun(['apply', 'plan.json'], 0);
    expect(apply.stdout).toBe('\nApply complete! 2 imported, 0 re-imported, 0 removed, 0 failed.\n');
    const tags = work.state().streams.app!.tags;
    for (const change of planned.changes) {
      const { created: _, generation: __, manifests, ...recorded } = tags[change.tag]!.items[0]!;
      const { manifests: plannedManifests, ...after } = change.after!;
      expect(recorded).toEqual(after);
      expect(manifests.map((m) => m.digest)).toEqual(plannedManifests.map((m) => m.digest));
    }
    expect(tags.mirrored!.items[0]!.sourceImageReference).toBe(`${registry.host}/${repo}@${image.digest}`);
    expect(readFileSync(work.file('store/app/index.json'), 'utf8')).toContain(image.digest);
  });
});

describe('a saved plan --scheduled-only whose listing failed, of a stream the state holds no tag of', () => {
  const work = new Workspace();

  beforeAll(() => {
    writeVersionTags(work.file('upstream'), ['1.0']);
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      edge: { from: "oci:upstream:1.0", scheduled: true }
  postgres:
    discover: { from: oci:gone, policy: { semver: '>=15' }, scheduled: true }
`);
  });

  it('imports what the plan showed and reports the failed listing again, as the plan did', async () => {
    const plan = await work.expectRun(['plan', '--scheduled-only', '--out', 'plan.json'], 1);
    expect(plan.stdout).toContain('postgres: could not list oci:gone (NotFound)');
    expect(plan.stdout).toContain('+ app:edge');
    const applied = await work.expectRun(['apply', 'plan.json'], 1);
    expect(applied.stderr).not.toContain('Saved plan');
    expect(applied.stdout).toContain('1 imported, 0 re-imported, 0 removed, 1 failed');
    expect(applied.stdout).toContain('✗ postgres: Import failed (NotFound): listing oci:gone');
    expect(Object.keys(work.state().streams)).toEqual(['app']);
    expect(applied.stderr).toContain('Warning: this apply was limited by --scheduled-only to app:edge\n');
    expect(applied.stderr).not.toContain('--target');
  });
});

describe('apply of a saved plan names what limited it: --scheduled-only or --target', () => {
  const work = new Workspace();

  beforeAll(() => {
    writeVersionTags(work.file('upstream'), ['1.0']);
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
streams:
  app:
    tags:
      edge: { from: "oci:upstream:1.0", scheduled: true }
      current: { from: { kind: ImageStreamTag, name: edge } }
      stable: { from: "oci:upstream:1.0" }
  tools:
    tags:
      nightly: { from: "oci:upstream:1.0", scheduled: true }
`);
  });

  /** Plans with `flags` and `--out`, applies the plan file into a fresh state, and returns apply's stderr. */
  async function applySaved(name: string, flags: string[]): Promise<string> {
    const state = ['--state', `${name}.state.json`];
    await work.expectRun(['plan', ...flags, ...state, '--out', `${name}.plan`], 0);
    return (await work.expectRun(['apply', `${name}.plan`, ...state], 0)).stderr;
  }

  it('--scheduled-only: the scheduled tags and the tags following them, and what to run to see the rest', async () => {
    const stderr = await applySaved('scheduled', ['--scheduled-only']);
    expect(stderr).toContain(
      [
        'Warning: this apply was limited by --scheduled-only to app:edge, tools:nightly, app:current',
        '',
        'Changes the catalog asks for outside these tags were not made: the state may not match the catalog.',
        'Run plan without --scheduled-only to see what is left.',
      ].join('\n'),
    );
    expect(stderr).not.toContain('--target');
  });

  it('--target, also of a scheduled tag, and with --scheduled-only when the target narrows it', async () => {
    for (const [name, flags, limited] of [
      ['pinned', ['--target', 'app:stable'], 'app:stable'],
      ['stream', ['--target', 'tools'], 'tools'],
      ['scheduled-tag', ['--target', 'tools:nightly'], 'tools:nightly'],
      ['narrowed', ['--scheduled-only', '--target', 'tools'], 'tools:nightly'],
    ] as const) {
      const stderr = await applySaved(name, [...flags]);
      expect(stderr, name).toContain(`Warning: this apply was limited by --target to ${limited}\n`);
      expect(stderr, name).toContain('Run plan without --target to see what is left.');
    }
  });

  it('--scheduled-only with a --target that takes in every scheduled tag is limited by --scheduled-only', async () => {
    const stderr = await applySaved('wide', ['--scheduled-only', '--target', 'app', '--target', 'tools']);
    expect(stderr).toContain(
      'Warning: this apply was limited by --scheduled-only to app:edge, tools:nightly, app:current\n',
    );
  });
});

describe('a saved plan of a Local tag that follows another, whose copy estimate was edited', () => {
  const work = new Workspace();
  let image: GeneratedImage;

  beforeAll(async () => {
    image = writeVersionTags(work.file('upstream'), ['1.0']).tags['1.0']!;
    work.writeCatalog(`apiVersion: imagestreams/v1
kind: Catalog
local: { layout: store }
streams:
  app:
    tags:
      edge: { from: "oci:upstream:1.0", referencePolicy: Local }
  web:
    tags:
      current: { from: "app:edge", referencePolicy: Local }
`);
    await work.expectRun(['plan', '--out', 'plan.json'], 0);
  });

  it('is applied as planned: the estimate is not what apply copies, which it reads again from the image', async () => {
    const document = JSON.parse(readFileSync(work.file('plan.json'), 'utf8')) as { plan: Plan };
    const follower = document.plan.changes.find((c) => c.address === 'web:current')!;
    expect(follower.copy).toMatchObject({ target: 'oci:store/web:current', manifests: 1 });
    follower.copy = { target: 'evil\u001b[2J', manifests: 0, blobs: 0, bytes: 10 ** 15 };
    document.plan.summary.copy = { manifests: 0, blobs: 0, bytes: 10 ** 15 };
    writeFileSync(work.file('edited.json'), JSON.stringify(document));
    const applied = await work.expectRun(['apply', 'edited.json'], 0);
    expect(applied.stdout).toBe('\nApply complete! 2 imported, 0 re-imported, 0 removed, 0 failed.\n');
    expect(`${applied.stdout}${applied.stderr}`).not.toContain('evil');
    expect(readFileSync(work.file('store/web/index.json'), 'utf8')).toContain(image.digest);
  });
});
