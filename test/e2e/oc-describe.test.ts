import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-oc-describe-');
const dir = join(work.path, 'catalog');
const { registry } = useRegistry();
let layout: GeneratedLayout;
let host: string;

const run = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir });

/**
 * `describe` and `history` as oc's describers print them (openshift/oc pkg/helpers/describe: Go's tabwriter with tabs
 * shown as a terminal shows them). One stream with a Legacy tag, a scheduled PreserveOriginal tag whose upstream moved once (two items), a failed
 * tag and a tag removed from the catalog since it was imported.
 */
beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      multi: {
        platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
        attestations: true,
        labels: { 'org.opencontainers.image.title': 'app', team: 'platform' },
        created: '2024-03-01T00:00:00Z',
        layers: 2,
        author: 'Platform Team',
        runConfig: {
          Entrypoint: ['/bin/app'],
          Cmd: ['serve', '--port', '8080'],
          WorkingDir: '/srv',
          User: '1001',
          ExposedPorts: { '8443/tcp': {}, '8080/tcp': {} },
          Volumes: { '/data': {} },
        },
      },
      moved: { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], attestations: true, seed: 'moved' },
      single: { platforms: ['linux/arm64'] },
    },
  });
  host = registry.host;
  await pushLayout(layout.dir, 'multi', registry, 'team/app:multi');
  await pushLayout(layout.dir, 'multi', registry, 'team/app:rolling');
  await pushLayout(layout.dir, 'single', registry, 'team/app:single');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'imagestreams.yaml'),
    `apiVersion: imagestreams/v1
kind: Catalog
registries:
  "${host}": { insecure: true }
streams:
  app:
    tags:
      legacy:
        from: ${host}/team/app:multi
        preferPlatform: linux/arm64
      po:
        from: ${host}/team/app:rolling
        importMode: PreserveOriginal
        scheduled: true
      single:
        from: ${host}/team/app:single
`,
  );
  expect((await run('apply', '--auto-approve')).code).toBe(0);
  await pushLayout(layout.dir, 'moved', registry, 'team/app:rolling');
  expect((await run('apply', '--auto-approve')).code).toBe(0);
  expect((await run('import-image', 'app:broken', `--from=${host}/team/app:nope`, '--confirm')).code).toBe(1);
  expect((await run('tag', '-d', 'app:single')).stdout).toBe('Deleted tag app:single.\n');
});

afterAll(async () => {
  work.remove();
});

const digestOf = (tag: string, platform?: string) =>
  platform ? layout.tags[tag]!.platforms[platform]!.digest : layout.tags[tag]!.digest;
const AGO = '(?:Less than a second|1 second|\\d+ seconds|About a minute|\\d+ minutes) ago';

const HEADER = (unique: number, tags: number) =>
  new RegExp(
    `^Name: {19}app\nNamespace: {14}imagestreams\\.yaml\nCreated: {16}${AGO}\nLabels: {17}<none>\nAnnotations: {12}<none>\n` +
      `Image Repository: {7}oci:\\.imagestreams/store/app\nImage Lookup: {11}local=false\nUnique Images: {10}${unique}\nTags: {19}${tags}\n\n`,
  );

describe('describe STREAM, as oc describe is', () => {
  let out: CliResult;
  beforeAll(async () => {
    out = await run('describe', 'app');
  });

  it('starts with the stream header, its values at column 24', () => {
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(HEADER(4, 4));
  });

  it("lists the tags in oc's order: not versions, so by name", () => {
    const names = out.stdout.split('\n').filter((line) => /^[a-z]+$/.test(line));
    expect(names).toEqual(['broken', 'legacy', 'po', 'single']);
  });

  it('shows a Legacy tag: its source, the insecure note, its current image', () => {
    expect(out.stdout).toContain(
      [
        '\nlegacy',
        `  tagged from ${host}/team/app:multi`,
        '    will use insecure HTTPS or HTTP connections',
        '',
        `  * ${host}/team/app@${digestOf('multi', 'linux/arm64')}`,
        '',
      ].join('\n'),
    );
  });

  it('shows a scheduled tag with its history, the current item marked', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '\\npo',
          `  updates automatically from registry ${host}/team/app:rolling`,
          '    will use insecure HTTPS or HTTP connections',
          '',
          `  \\* ${host}/team/app@${digestOf('moved')}`,
          `      ${AGO}`,
          `    ${host}/team/app@${digestOf('multi')}`,
          `      ${AGO}\\n`,
        ].join('\\n'),
      ),
    );
  });

  it('shows the last failure of a failed tag as oc does', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        `\\nbroken\\n  tagged from ${host}/team/app:nope\\n    will use insecure HTTPS or HTTP connections\\n\\n` +
          `  ! error: Import failed \\(NotFound\\): ${host}/team/app:nope not found: repository ${host}/team/app has no tag "nope"\\n      ${AGO}\\n`,
      ),
    );
  });

  it('shows a tag removed from the catalog as oc shows a tag with no spec', () => {
    expect(out.stdout).toContain('\nsingle\n  no spec tag (removed from the catalog: the next apply forgets it)\n');
  });

  it('prints no image: describe STREAM:TAG does', () => {
    expect(out.stdout).not.toContain('Image Name:');
  });
});

describe('describe STREAM:TAG, as oc describe istag', () => {
  it('shows the image of a Legacy tag: layers, platform and what its config sets', async () => {
    const out = await run('describe', 'app:legacy');
    expect(out.code).toBe(0);
    const digest = digestOf('multi', 'linux/arm64');
    expect(out.stdout).toMatch(
      new RegExp(
        [
          `^Image Name: {5}${digest}`,
          `Docker Image: {3}${host}/team/app@${digest}`,
          `Name: {11}${digest}`,
          `Created: {8}${AGO}`,
          'Image Size: {5}[\\d.]+k?B in 2 layers',
          'Layers: {9}[\\d.]+k?B +sha256:[0-9a-f]{64}',
          ' {16}[\\d.]+k?B +sha256:[0-9a-f]{64}',
          'Image Created: {2}\\d+ years ago',
          'Author: {9}Platform Team',
          'Arch: {11}arm64',
          'Entrypoint: {5}/bin/app',
          'Command: {8}serve --port 8080',
          'Working Dir: {4}/srv',
          'User: {11}1001',
          'Exposes Ports: {2}8080/tcp, 8443/tcp',
          'Docker Labels: {2}org\\.opencontainers\\.image\\.title=app',
          ' {16}team=platform',
          'Environment: {4}PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'Volumes: {8}/data\\n$',
        ].join('\\n'),
      ),
    );
  });

  it('lists every manifest of a list at the page columns, attestations marked', async () => {
    const out = await run('describe', 'app:po');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      [
        '\nArch:           <none>',
        `Manifests:      linux/amd64     ${digestOf('moved', 'linux/amd64')}`,
        `                linux/arm64     ${digestOf('moved', 'linux/arm64')}`,
        `                linux/s390x     ${digestOf('moved', 'linux/s390x')}`,
        '',
      ].join('\n'),
    );
    const attestations = out.stdout.split('\n').filter((line) => line.endsWith('(attestation)'));
    expect(attestations).toHaveLength(3);
    for (const line of attestations)
      expect(line).toMatch(/^ {16}unknown\/unknown sha256:[0-9a-f]{64} {2}\(attestation\)$/);
    expect(out.stdout).toMatch(/\nLayer Size: {5}[\d.]+k?B\n/);
  });

  it('shows a tag with no image as its block, with the failure', async () => {
    const out = await run('describe', 'app:broken');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(`^broken\\n  tagged from ${host}/team/app:nope\\n[^]*! error: Import failed \\(NotFound\\)`),
    );
  });

  it('prints the tag as JSON with --json', async () => {
    const out = await run('describe', 'app:po', '--json');
    expect(out.code).toBe(0);
    const tag = JSON.parse(out.stdout);
    expect(tag).toMatchObject({
      address: 'app:po',
      stream: 'app',
      tag: 'po',
      inCatalog: true,
      spec: { from: `${host}/team/app:rolling`, importMode: 'PreserveOriginal', scheduled: true },
      conditions: [],
    });
    expect(tag.items.map((i: { digest: string }) => i.digest)).toEqual([digestOf('moved'), digestOf('multi')]);
    expect(tag.items[0].manifests.filter((m: { attestation?: boolean }) => m.attestation)).toHaveLength(3);
  });

  it('prints the stream as JSON with --json', async () => {
    const stream = JSON.parse((await run('describe', 'app', '--json')).stdout);
    expect(stream.name).toBe('app');
    expect(stream.tags.map((t: { tag: string; inCatalog: boolean }) => [t.tag, t.inCatalog])).toEqual([
      ['legacy', true],
      ['po', true],
      ['broken', true],
      ['single', false],
    ]);
  });

  it.each([
    ['nope', 'error: image stream "nope" not found in imagestreams.yaml or its state\n'],
    ['app:nope', 'error: app:nope not found: the image stream "app" has no tag "nope"\n'],
  ])('says when %s does not exist', async (target, message) => {
    const out = await run('describe', target);
    expect(out.stderr).toBe(message);
    expect(out.code).toBe(1);
  });
});

describe('history STREAM:TAG', () => {
  it("is the tag's block with every item, newest first, each with its generation, time, digest and manifests", async () => {
    const out = await run('history', 'app:po');
    expect(out.code).toBe(0);
    const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const details = (generation: number, tag: string) => [
      `      Generation: {7}${generation}`,
      `      Imported: {9}${ISO}`,
      `      Digest: {11}${digestOf(tag)}`,
      '      Media Type: {7}application/vnd\\.oci\\.image\\.index\\.v1\\+json',
      `      Manifests: {8}linux/amd64 {5}${digestOf(tag, 'linux/amd64')}`,
      ` {24}linux/arm64 {5}${digestOf(tag, 'linux/arm64')}`,
      ` {24}linux/s390x {5}${digestOf(tag, 'linux/s390x')}`,
      ...Array.from({ length: 3 }, () => ' {24}unknown/unknown sha256:[0-9a-f]{64} {2}\\(attestation\\)'),
    ];
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '^po',
          `  updates automatically from registry ${host}/team/app:rolling`,
          '    will use insecure HTTPS or HTTP connections',
          '',
          `  \\* ${host}/team/app@${digestOf('moved')}`,
          `      ${AGO}`,
          ...details(2, 'moved'),
          `    ${host}/team/app@${digestOf('multi')}`,
          `      ${AGO}`,
          ...details(1, 'multi'),
          '$',
        ].join('\\n'),
      ),
    );
  });

  it('shows the failure of a tag that has no image', async () => {
    const out = await run('history', 'app:broken');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/\n {2}! error: Import failed \(NotFound\): .*\n {6}.* ago\n$/);
  });

  it('prints the items as JSON with --json', async () => {
    const out = await run('history', 'app:legacy', '--json');
    const history = JSON.parse(out.stdout);
    expect(history.address).toBe('app:legacy');
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({
      generation: 1,
      digest: digestOf('multi', 'linux/arm64'),
      sourceDigest: digestOf('multi'),
      selectedBy: 'tag preference',
    });
  });

  it('needs STREAM:TAG', async () => {
    const out = await run('history', 'app');
    expect(out.stderr).toBe('error: "app" must be STREAM:TAG\n');
    expect(out.code).toBe(1);
  });
});
