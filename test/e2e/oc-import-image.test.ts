import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/core/state-model.js';
import { acquireLock } from '../../src/state/index.js';
import { type CliResult, runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-oc-import-');
const { registry } = useRegistry();
let layout: GeneratedLayout;
let host: string;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      multi: {
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
        attestations: true,
        labels: { 'org.opencontainers.image.title': 'app' },
      },
      single: { platforms: ['linux/arm64'] },
      moved: { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], seed: 'moved' },
    },
  });
  host = registry.host;
  for (const tag of ['multi', 'single']) await pushLayout(layout.dir, tag, registry, `team/app:${tag}`);
});

afterAll(async () => {
  work.remove();
});

/** A catalog as a team writes it: comments (some aligned), quoting of several kinds, a flow mapping. */
function teamCatalog(): string {
  return `# Team catalog: reviewed in pull requests, applied after merge.
apiVersion: imagestreams/v1
kind: Catalog
defaults:                            # every tag gets these
  importMode: Legacy                 # one platform per tag
registries:
  "${host}":
    insecure: true                   # the test registry speaks plain HTTP
streams:
  app:
    tags:
      # the release line
      stable:
        from: '${host}/team/app:multi'   # pinned on purpose
        preferPlatform: linux/arm64
      "1.0": { from: "${host}/team/app:single" }
`;
}

interface Workspace {
  dir: string;
  catalog(): string;
  state(): State | undefined;
  run(...args: string[]): Promise<CliResult>;
}

let count = 0;
function workspace(catalog: string | null = teamCatalog()): Workspace {
  const dir = join(work.path, `ws-${++count}`);
  mkdirSync(dir);
  const catalogPath = join(dir, 'imagestreams.yaml');
  if (catalog !== null) writeFileSync(catalogPath, catalog);
  const statePath = join(dir, 'imagestreams.state.json');
  return {
    dir,
    catalog: () => readFileSync(catalogPath, 'utf8'),
    state: () => (existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as State) : undefined),
    run: (...args) => runCli(args, { cwd: dir }),
  };
}

/** The lines an edit removed and added, compared line by line. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) added.push(...lines);
    if (part.removed) removed.push(...lines);
  }
  return { removed, added };
}

const platformDigest = (tag: string, platform: string) => layout.tags[tag]!.platforms[platform]!.digest;

describe('import-image --confirm, as oc', () => {
  it('is required for a new stream: without it nothing is written', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'web', `--from=${host}/team/app:single`);
    expect(result.stderr).toBe(
      'error: no image stream named "web" exists, pass --confirm to create and import (nothing was written)\n',
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it.each([
    [
      'a new tag without --from',
      ['app:next'],
      `error: the tag "next" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag\n`,
    ],
    [
      'a new source for an existing tag',
      ['app:stable', '--from=HOST/team/app:single'],
      `error: the tag "stable" points to "HOST/team/app:multi" - use the 'tag' command if you want to change the source to "HOST/team/app:single"\n`,
    ],
    ['an image by ID', [`app@sha256:${'a'.repeat(64)}`], "error: to import images by ID, use the 'tag' command\n"],
    [
      'a new source for an existing tag, even with --confirm',
      ['app:stable', '--from=HOST/team/app:single', '--confirm'],
      `error: the tag "stable" points to "HOST/team/app:multi" - use the 'tag' command if you want to change the source to "HOST/team/app:single"\n`,
    ],
  ])('refuses %s with oc’s message, writing nothing', async (_name, args, message) => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', ...args.map((a) => a.replaceAll('HOST', host)));
    expect(result.stderr).toBe(message.replaceAll('HOST', host));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('is not needed for a new tag of an existing stream', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:single`);
    expect(result.code, result.stderr).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({
      removed: [],
      added: ['      next:', `        from: ${host}/team/app:single`],
    });
    expect(ws.state()!.streams.app!.tags.next!.items[0]!.digest).toBe(layout.tags.single!.digest);
  });

  it('creates a stream, writing only its lines at the end of the catalog, and imports it', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--confirm');
    expect(result.stderr).toContain('Wrote web:latest to imagestreams.yaml.');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(`${before}  web:\n    tags:\n      latest:\n        from: ${host}/team/app:single\n`);
    expect(result.stdout).toMatch(/^imagestream\/web imported\n\nName: +web\nNamespace: +imagestreams\.yaml\n/);
    const item = ws.state()!.streams.web!.tags.latest!.items[0]!;
    expect(item.digest).toBe(layout.tags.single!.digest);
    expect(result.stdout).toContain(
      `\nImage Name:     ${item.digest}\nDocker Image:   ${host}/team/app@${item.digest}\n`,
    );
  });

  it('creates a tag in an existing stream after its last tag', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:multi`, '--confirm');
    expect(result.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({
      removed: [],
      added: ['      next:', `        from: ${host}/team/app:multi`],
    });
    expect(ws.state()!.streams.app!.tags.next!.items[0]!.digest).toBe(platformDigest('multi', 'linux/amd64'));
  });

  it('creates the catalog file when there is none', async () => {
    const ws = workspace(null);
    const refused = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--insecure');
    expect(refused.stderr).toMatch(/^error: imagestreams\.yaml does not exist, pass --confirm to create it/);
    const result = await ws.run('import-image', 'web', `--from=${host}/team/app:single`, '--insecure', '--confirm');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(
      `# yaml-language-server: $schema=${join(import.meta.dirname, '..', '..', 'schemas', 'imagestreams.schema.json')}\napiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  web:\n    tags:\n      latest:\n        from: ${host}/team/app:single\n        insecure: true\n`,
    );
  });
});

describe('import-image of an existing tag', () => {
  it('re-imports its current source without --from, leaving the catalog byte for byte as it was', async () => {
    const ws = workspace();
    const before = ws.catalog();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    const again = await ws.run('import-image', 'app:stable');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('Wrote');
    expect(ws.catalog()).toBe(before);
    expect(ws.state()!.streams.app!.tags.stable!.items.map((i) => i.digest)).toEqual([
      platformDigest('multi', 'linux/arm64'),
    ]);
  });

  it('needs no --confirm for --from naming the current source in another spelling', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', `--from=docker://${host}/team/app:multi`);
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(before);
  });

  it('imports the new upstream image when the source tag moved, keeping the old one in the history', async () => {
    await pushLayout(layout.dir, 'multi', registry, 'team/app:rolling');
    const ws = workspace(teamCatalog().replace('team/app:multi', 'team/app:rolling'));
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    await pushLayout(layout.dir, 'moved', registry, 'team/app:rolling');
    const result = await ws.run('import-image', 'app:stable');
    expect(result.code).toBe(0);
    const items = ws.state()!.streams.app!.tags.stable!.items;
    expect(items.map((i) => i.digest)).toEqual([
      platformDigest('moved', 'linux/arm64'),
      platformDigest('multi', 'linux/arm64'),
    ]);
    expect(result.stdout).toMatch(
      /\n {2}\* 127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64}\n {6}(Less than a second|1 second|\d+ seconds) ago\n {4}127\.0\.0\.1/,
    );
  });
});

describe('import-image of a tag that follows another', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const followers = () =>
    `${teamCatalog()}      current: { from: { kind: ImageStreamTag, name: stable } }
  prod:
    tags:
      latest: { from: "app:stable" }
      pinned: { from: "app@${digest}" }
`;

  it.each([
    ['prod:latest', 'tag "latest" points to an imagestreamtag from another ImageStream'],
    ['prod:pinned', `tag "pinned" points to existing ImageStreamImage "app@${digest}", it cannot be re-imported`],
  ])('refuses %s with oc’s message, writing nothing', async (target, message) => {
    const ws = workspace(followers());
    const before = ws.catalog();
    const result = await ws.run('import-image', target);
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('imports the tag of the same stream that it follows, as oc', async () => {
    const ws = workspace(followers());
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:current');
    expect(result.code).toBe(0);
    expect(ws.catalog()).toBe(before);
    const tags = ws.state()!.streams.app!.tags;
    expect(tags.stable!.items.map((i) => i.digest)).toEqual([platformDigest('multi', 'linux/arm64')]);
  });

  it('refuses --from another source, naming the tag it follows', async () => {
    const ws = workspace(followers());
    const result = await ws.run('import-image', 'app:current', `--from=${host}/team/app:single`);
    expect(result.stderr).toBe(
      `error: the tag "current" points to the tag "stable" which points to "${host}/team/app:multi" - use the 'tag' command if you want to change the source to "${host}/team/app:single"\n`,
    );
    expect(result.code).toBe(1);
  });

  it('is not asked for --confirm in a stream whose tags all follow others', async () => {
    const ws = workspace(followers());
    const result = await ws.run('import-image', 'prod:next');
    expect(result.stderr).toBe(
      'error: the tag "next" does not exist on the image stream - choose an existing tag to import or use the \'tag\' command to create a new tag\n',
    );
    expect(result.code).toBe(1);
  });
});

describe('import-image --import-mode', () => {
  it('writes PreserveOriginal and imports the whole index, attestations listed and marked', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', '--import-mode=PreserveOriginal');
    expect(result.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({
      removed: [],
      added: ['        importMode: PreserveOriginal'],
    });
    expect(result.stdout).toContain('Arch:           <none>\n');
    expect(result.stdout).toContain(
      [
        `Manifests:      linux/amd64     ${platformDigest('multi', 'linux/amd64')}`,
        `                linux/arm64     ${platformDigest('multi', 'linux/arm64')}`,
        `                linux/s390x     ${platformDigest('multi', 'linux/s390x')}`,
        '                unknown/unknown sha256:',
      ].join('\n'),
    );
    expect(result.stdout.match(/ {2}\(attestation\)\n/g)).toHaveLength(3);
    expect(ws.state()!.streams.app!.tags.stable!.items[0]!.digest).toBe(layout.tags.multi!.digest);
  });

  const preserving = () =>
    teamCatalog().replace(
      '        preferPlatform: linux/arm64\n',
      '        importMode: PreserveOriginal # whole index\n',
    );

  it.each([
    ['left out', []],
    ['empty', ['--import-mode=']],
  ])('%s, means Legacy as in oc: the tag’s mode changes in place, and a line says so', async (_name, flag) => {
    const ws = workspace(preserving());
    const result = await ws.run('import-image', 'app:stable', `--from=${host}/team/app:multi`, ...flag);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'import mode of app:stable changes from PreserveOriginal to Legacy (pass --import-mode=PreserveOriginal to keep it)\n',
    );
    expect(changedLines(preserving(), ws.catalog())).toEqual({
      removed: ['        importMode: PreserveOriginal # whole index'],
      added: ['        importMode: Legacy # whole index'],
    });
    const tag = ws.state()!.streams.app!.tags.stable!;
    expect(tag.spec.importMode).toBe('Legacy');
    expect(tag.items[0]!.digest).toBe(platformDigest('multi', 'linux/amd64'));
  });

  it('says nothing about the mode when the tag is Legacy already, or when the flag names the mode', async () => {
    const ws = workspace(preserving());
    const named = await ws.run('import-image', 'app:stable', '--import-mode=Legacy');
    expect(named.code, named.stderr).toBe(0);
    expect(ws.state()!.streams.app!.tags.stable!.spec.importMode).toBe('Legacy');
    const again = await ws.run('import-image', 'app:stable');
    expect(again.code, again.stderr).toBe(0);
    expect(named.stderr + again.stderr).not.toContain('import mode');
  });

  it.each(['legacy', 'Bogus', 'preserveoriginal'])('refuses %j with oc’s message, writing nothing', async (mode) => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run('import-image', 'app:stable', `--import-mode=${mode}`);
    expect(result.stderr).toBe('error: valid ImportMode values are Legacy or PreserveOriginal\n');
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(before);
  });
});

describe('import-image --scheduled, --insecure and --reference-policy', () => {
  it('reads --scheduled alone as true, even before the argument; --scheduled=false keeps it on, as oc', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const on = await ws.run('import-image', '--scheduled', 'app:stable');
    expect(on.code).toBe(0);
    expect(changedLines(before, ws.catalog())).toEqual({ removed: [], added: ['        scheduled: true'] });
    expect(on.stdout).toContain(`stable\n  updates automatically from registry ${host}/team/app:multi\n`);
    const off = await ws.run('import-image', 'app:stable', '--scheduled=false');
    expect(off.code).toBe(0);
    expect(off.stderr).toContain(
      "app:stable stays scheduled: import-image only turns scheduled on, as oc's does; use 'tag' to turn it off\n",
    );
    expect(changedLines(before, ws.catalog())).toEqual({ removed: [], added: ['        scheduled: true'] });
    expect(ws.state()!.streams.app!.tags.stable!.spec.scheduled).toBe(true);
  });

  it('writes --scheduled=false on a new tag when the catalog’s default schedules it', async () => {
    const scheduled = teamCatalog().replace('  importMode: Legacy ', '  scheduled: true\n  importMode: Legacy ');
    const ws = workspace(scheduled);
    const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:single`, '--scheduled=false');
    expect(result.code, result.stderr).toBe(0);
    expect(changedLines(scheduled, ws.catalog()).added).toEqual([
      '      next:',
      `        from: ${host}/team/app:single`,
      '        scheduled: false',
    ]);
  });

  it('writes insecure on the tag: a plain-HTTP registry fails without it and imports with it', async () => {
    const bare = teamCatalog().replace(/registries:\n.*\n.*\n/, '');
    const ws = workspace(bare);
    const failed = await ws.run('import-image', 'app:stable');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /error: app:stable: Import failed \(TLSError\): TLS connection to 127\.0\.0\.1:\d+ failed \(the server did not answer with TLS\); the registry seems to speak plain HTTP/,
    );
    const result = await ws.run('import-image', 'app:stable', '--insecure');
    expect(result.code).toBe(0);
    expect(changedLines(bare, ws.catalog())).toEqual({ removed: [], added: ['        insecure: true'] });
    expect(result.stdout).toContain('    will use insecure HTTPS or HTTP connections\n');
    expect(ws.state()!.streams.app!.tags.stable!.conditions).toEqual([]);
  });

  it('keeps the tag insecure with --insecure=false, as oc ORs it with the tag’s, and says so', async () => {
    const bare = teamCatalog().replace(/registries:\n.*\n.*\n/, '');
    const ws = workspace(bare);
    expect((await ws.run('import-image', 'app:stable', '--insecure')).code).toBe(0);
    const result = await ws.run('import-image', 'app:stable', '--insecure=false');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "app:stable stays insecure: import-image only turns insecure on, as oc's does; use 'tag' to turn it off\n",
    );
    expect(changedLines(bare, ws.catalog())).toEqual({ removed: [], added: ['        insecure: true'] });
    expect(result.stdout).toContain('    will use insecure HTTPS or HTTP connections\n');
  });

  it('refuses --insecure for an image layout on disk, writing nothing', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run(
      'import-image',
      'demo:new',
      '--from=oci:../layout:single',
      '--insecure',
      '--confirm',
      '--allow-path',
      '..',
    );
    expect(result.stderr).toBe(
      'error: --insecure does not apply to oci:../layout:single: an image layout on disk has no TLS to skip\n',
    );
    expect(result.code).toBe(1);
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('refuses a catalog whose image layout tag has insecure: true, naming where, and imports nothing', async () => {
    const stray = `${teamCatalog()}  demo:\n    tags:\n      new:\n        from: oci:../layout:single\n        insecure: true\n`;
    const ws = workspace(stray);
    const result = await ws.run('import-image', 'demo:new', '--insecure=false', '--allow-path', '..');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^imagestreams\.yaml:\d+:19: error: "insecure" in streams\.demo\.tags\.new: insecure: true does not apply to an oci: source/,
    );
    expect(ws.catalog()).toBe(stray);
    expect(ws.state()).toBeUndefined();
  });

  it('mirrors a Local tag into the default store beside the catalog when it has no local section', async () => {
    const ws = workspace();
    const result = await ws.run('import-image', 'app:stable', '--reference-policy=local');
    expect(result.code, result.stderr).toBe(0);
    expect(ws.catalog()).toContain(
      '# pinned on purpose\n        preferPlatform: linux/arm64\n        referencePolicy: Local\n',
    );
    const digest = platformDigest('multi', 'linux/arm64');
    const item = ws.state()!.streams.app!.tags.stable!.items[0]!;
    expect(item.dockerImageReference).toBe(`oci:.imagestreams/store/app@${digest}`);
    expect(result.stdout).toContain('\nImage Repository:       oci:.imagestreams/store/app\n');
    expect(result.stdout).toContain('    prefer registry pullthrough when referencing this tag\n');
    expect(item.sourceImageReference).toBe(`${host}/team/app@${digest}`);
    const index = JSON.parse(readFileSync(join(ws.dir, '.imagestreams/store/app/index.json'), 'utf8'));
    expect(index.manifests).toMatchObject([{ digest, annotations: { 'org.opencontainers.image.ref.name': 'stable' } }]);
  });

  it('mirrors into the catalog’s local section when it has one', async () => {
    const ws = workspace(teamCatalog().replace('streams:\n', 'local:\n  layout: mirror\nstreams:\n'));
    const result = await ws.run('import-image', 'app:stable', '--reference-policy=local');
    expect(result.code, result.stderr).toBe(0);
    const digest = platformDigest('multi', 'linux/arm64');
    expect(ws.state()!.streams.app!.tags.stable!.items[0]!.dockerImageReference).toBe(`oci:mirror/app@${digest}`);
    expect(existsSync(join(ws.dir, '.imagestreams'))).toBe(false);
  });

  it('keeps the tag’s reference policy on a re-import without the flag, and changes it with the flag', async () => {
    const local = teamCatalog().replace(
      'preferPlatform: linux/arm64\n',
      'preferPlatform: linux/arm64\n        referencePolicy: Local\n',
    );
    const ws = workspace(local);
    const again = await ws.run('import-image', 'app:stable', `--from=${host}/team/app:multi`);
    expect(again.code, again.stderr).toBe(0);
    expect(ws.catalog()).toBe(local);
    expect(ws.state()!.streams.app!.tags.stable!.spec.referencePolicy).toBe('Local');
    const source = await ws.run('import-image', 'app:stable', '--reference-policy=source');
    expect(source.code, source.stderr).toBe(0);
    expect(changedLines(local, ws.catalog())).toEqual({
      removed: ['        referencePolicy: Local'],
      added: ['        referencePolicy: Source'],
    });
    const digest = platformDigest('multi', 'linux/arm64');
    expect(ws.state()!.streams.app!.tags.stable!.items[0]!.dockerImageReference).toBe(`${host}/team/app@${digest}`);
  });

  it('refuses a reference policy other than source or local with oc’s message', async () => {
    const result = await workspace().run('import-image', 'app:stable', '--reference-policy=mirror');
    expect(result.stderr).toBe('error: valid reference policy values are source or local\n');
    expect(result.code).toBe(1);
  });
});

describe('import-image --dry-run', () => {
  it('shows the catalog edit as a diff and the image it would import, and writes nothing', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const result = await ws.run(
      'import-image',
      'app:edge',
      `--from=${host}/team/app:multi`,
      '--import-mode=PreserveOriginal',
      '--dry-run',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [diff, shown] = result.stdout.split('\nimagestream/app imported (dry run)\n\n');
    expect(diff).toMatch(/^--- imagestreams\.yaml\n\+\+\+ imagestreams\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    const edited = diff!.split('\n').filter((line) => /^[-+](?![-+]{2} )/.test(line));
    expect(edited).toEqual([
      '+      edge:',
      `+        from: ${host}/team/app:multi`,
      '+        importMode: PreserveOriginal',
    ]);
    expect(shown).toMatch(/^Name: +app\n/);
    expect(shown).toMatch(new RegExp(`\\nName: +${layout.tags.multi!.digest}\\n`));
    expect(ws.catalog()).toBe(before);
    expect(ws.state()).toBeUndefined();
  });

  it('shows the image it resolved with the metadata an import reads, marked as not imported', async () => {
    const ws = workspace();
    const dryRun = await ws.run('import-image', 'app:stable', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain(
      `\n  * ${host}/team/app@${platformDigest('multi', 'linux/arm64')}\n      (dry run: not imported)\n`,
    );
    expect(dryRun.stdout).toContain('\nCreated:        (dry run: not imported)\n');
    expect(dryRun.stdout).not.toMatch(/\(generation \d+\)|^ {6}\S.* ago$/m);
    expect(ws.state()).toBeUndefined();

    const imported = await ws.run('import-image', 'app:stable');
    expect(imported.code, imported.stderr).toBe(0);
    const metadata = (out: string) =>
      out.split('\n').filter((l) => /^(Image Created|Image Size|Layers|Docker Labels):/.test(l));
    expect(metadata(dryRun.stdout)).toEqual(metadata(imported.stdout));
    expect(metadata(dryRun.stdout)).toEqual([
      expect.stringMatching(/^Image Size: +\S+ in \d+ layers$/),
      expect.stringMatching(/^Layers: +\S+ +sha256:[0-9a-f]{64}$/),
      expect.stringMatching(/^Image Created: +\d+ years ago$/),
      'Docker Labels:  org.opencontainers.image.title=app',
    ]);
  });

  it('shows the current image as it is when the source still resolves to it', async () => {
    const ws = workspace();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    const dryRun = await ws.run('import-image', 'app:stable', '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).not.toContain('dry run: not imported');
    expect(dryRun.stdout).toMatch(/\nCreated: +(Less than a second|1 second|\d+ seconds) ago\n/);
  });
});

describe('import-image failures', () => {
  it.each([
    [
      'a missing tag',
      'team/app:nope',
      /127\.0\.0\.1:\d+\/team\/app:nope not found: repository 127\.0\.0\.1:\d+\/team\/app has no tag "nope"/,
    ],
    [
      'a missing repository',
      'team/absent:1',
      /127\.0\.0\.1:\d+\/team\/absent:1 not found: repository 127\.0\.0\.1:\d+\/team\/absent does not exist/,
    ],
  ])('of %s keep the catalog edit, record the condition and exit 1', async (_name, path, message) => {
    const ws = workspace();
    const result = await ws.run('import-image', 'app:broken', `--from=${host}/${path}`, '--confirm');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^imagestream\/app imported with errors\n/);
    expect(result.stdout).toMatch(
      new RegExp(
        `\\n  ! error: Import failed \\(NotFound\\): ${message.source}.*\\n {6}(Less than a second|1 second|\\d+ seconds) ago\\n`,
      ),
    );
    expect(result.stderr).toMatch(new RegExp(`error: app:broken: Import failed \\(NotFound\\): .*${message.source}`));
    expect(ws.catalog()).toContain(`      broken:\n        from: ${host}/${path}\n`);
    const tag = ws.state()!.streams.app!.tags.broken!;
    expect(tag.items).toEqual([]);
    expect(tag.conditions).toMatchObject([{ type: 'ImportSuccess', status: 'False', reason: 'NotFound' }]);
  });

  it('keeps the previous image of a tag whose new source fails', async () => {
    const ws = workspace();
    expect((await ws.run('import-image', 'app:stable')).code).toBe(0);
    writeFileSync(join(ws.dir, 'imagestreams.yaml'), ws.catalog().replace('team/app:multi', 'team/app:gone'));
    const result = await ws.run('import-image', 'app:stable');
    expect(result.code).toBe(1);
    const tag = ws.state()!.streams.app!.tags.stable!;
    expect(tag.items.map((i) => i.digest)).toEqual([platformDigest('multi', 'linux/arm64')]);
    expect(tag.spec.from).toBe(`${host}/team/app:multi`);
    expect(result.stdout).toContain(`  * ${host}/team/app@${platformDigest('multi', 'linux/arm64')}\n`);
  });

  it('takes the state lock before writing the catalog', async () => {
    const ws = workspace();
    const before = ws.catalog();
    const lock = await acquireLock(join(ws.dir, 'imagestreams.state.json'), { operation: 'apply' });
    try {
      const result = await ws.run('import-image', 'app:next', `--from=${host}/team/app:single`, '--confirm');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: cannot lock the state: /);
      expect(ws.catalog()).toBe(before);
    } finally {
      await lock.release();
    }
  });
});

describe('import-image against a registry that needs credentials', () => {
  const { registry: secure } = useRegistry({ mode: 'basic' });

  beforeAll(async () => {
    await pushLayout(layout.dir, 'single', secure, 'team/app:single');
  });

  /** A catalog that trusts the registry's CA, kept beside it (a catalog's paths stay inside its directory). */
  function secureWorkspace(): Workspace {
    const ws = workspace(
      `apiVersion: imagestreams/v1\nkind: Catalog\nregistries:\n  "${secure.host}":\n    ca: ca.pem\nstreams:\n  app:\n    tags:\n      latest:\n        from: ${secure.host}/team/app:single\n`,
    );
    copyFileSync(secure.ca!.caCertPath, join(ws.dir, 'ca.pem'));
    return ws;
  }

  it('says that no credentials were found for the host, and where it looked', async () => {
    const result = await secureWorkspace().run('import-image', 'app:latest');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: app:latest: Import failed \(Unauthorized\): authentication required for 127\.0\.0\.1:\d+\/team\/app:single: no credentials found for 127\.0\.0\.1:\d+ \(looked in: /,
    );
  });

  it('says which file the refused credentials came from, never the secret', async () => {
    const ws = secureWorkspace();
    const password = 'not-the-password-7f3a';
    const auth = Buffer.from(`${secure.username}:${password}`).toString('base64');
    const authfile = join(ws.dir, 'auth.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [secure.host]: { auth } } }));
    const result = await ws.run('import-image', 'app:latest', '--authfile', authfile);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Import failed \(Unauthorized\): authentication failed for .*: the credentials for 127\.0\.0\.1:\d+ from --authfile .*auth\.json \(key 127\.0\.0\.1:\d+\) were refused\n$/,
    );
    const everything = result.stdout + result.stderr + readFileSync(join(ws.dir, 'imagestreams.state.json'), 'utf8');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(auth);
  });

  it('imports with the right credentials', async () => {
    const ws = secureWorkspace();
    const auth = Buffer.from(`${secure.username}:${secure.password}`).toString('base64');
    writeFileSync(join(ws.dir, 'auth.json'), JSON.stringify({ auths: { [secure.host]: { auth } } }));
    const result = await ws.run('import-image', 'app:latest', '--authfile', 'auth.json');
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(ws.state()!.streams.app!.tags.latest!.items[0]!.digest).toBe(layout.tags.single!.digest);
  });
});
