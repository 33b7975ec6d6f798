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
 * One stream with a Legacy tag, a scheduled PreserveOriginal tag whose upstream moved once (two items), a failed
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

describe('describe STREAM, in the manner of oc describe is', () => {
  let out: CliResult;
  beforeAll(async () => {
    out = await run('describe', 'app');
  });

  it('starts with the stream summary', () => {
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^Name: +app\nCatalog: +imagestreams\.yaml\nUnique Images: +4\nTags: +4\n\n/);
  });

  it('shows a Legacy tag: its source, the platform kept and why, and its current image', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '\\nlegacy',
          `  tagged from ${host}/team/app:multi`,
          '    will use insecure HTTPS or HTTP connections',
          ' {2}Import Mode: +Legacy \\(linux/arm64 by tag preference\\)',
          ' {2}Scheduled: +no \\(pinned: upstream moves are reported as drift\\)',
          ' {2}Reference Policy: +Source',
          ' {2}Prefer Platform: +linux/arm64',
          '',
          `  \\* ${host}/team/app@${digestOf('multi', 'linux/arm64')}`,
          `      ${AGO}\\n`,
        ].join('\\n'),
      ),
    );
  });

  it('shows a scheduled PreserveOriginal tag with its history, the current item marked', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '\\npo',
          `  updates automatically from registry ${host}/team/app:rolling`,
          '    will use insecure HTTPS or HTTP connections',
          ' {2}Import Mode: +PreserveOriginal',
          ' {2}Scheduled: +yes \\(checked every 15m\\)',
          ' {2}Reference Policy: +Source',
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
        `\\nbroken\\n  tagged from ${host}/team/app:nope\\n[^]*?\\n  ! error: Import failed \\(NotFound\\): ${host}/team/app:nope not found: repository ${host}/team/app has no tag "nope"\\n      ${AGO}\\n`,
      ),
    );
  });

  it('shows a tag removed from the catalog until the next apply forgets it', () => {
    expect(out.stdout).toMatch(
      /\nsingle\n {2}tagged from .*\n.*\n {2}removed from the catalog: the next apply forgets it\n/,
    );
  });

  it('describes the current image of a Legacy tag: metadata, Arch and its one manifest', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '\\nImage Name: +app:legacy',
          `Docker Image: +${host}/team/app@${digestOf('multi', 'linux/arm64')}`,
          `Name: +${digestOf('multi', 'linux/arm64')}`,
          'Media Type: +application/vnd\\.oci\\.image\\.manifest\\.v1\\+json',
          `Imported: +${AGO} \\(generation 1\\)`,
          'Image Created: +\\d+ years ago \\(2024-03-01T00:00:00Z\\)',
          'Image Size: +\\d+B in 1 layer',
          'Labels: +org\\.opencontainers\\.image\\.title=app',
          ' +team=platform',
          'Arch: +arm64',
          `Manifests: +linux/arm64  ${digestOf('multi', 'linux/arm64')}\\n`,
        ].join('\\n'),
      ),
    );
  });

  it('describes the current image of a PreserveOriginal tag: no Arch, every platform, attestations counted', () => {
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '\\nImage Name: +app:po',
          `Docker Image: +${host}/team/app@${digestOf('moved')}`,
          `Name: +${digestOf('moved')}`,
          'Media Type: +application/vnd\\.oci\\.image\\.index\\.v1\\+json',
          `Imported: +${AGO} \\(generation 2\\)`,
          'Image Created: .*',
          'Image Size: +[\\d.]+kB in 3 images',
          'Labels: +<none>',
          'Arch: +<none>',
          `Manifests: +linux/amd64  ${digestOf('moved', 'linux/amd64')}`,
          ` +linux/arm64  ${digestOf('moved', 'linux/arm64')}`,
          ` +linux/s390x  ${digestOf('moved', 'linux/s390x')}`,
          ' +\\(3 attestation manifests not listed: --show-attestations\\)\\n',
        ].join('\\n'),
      ),
    );
  });

  it('has no image block for a tag that never imported', () => {
    expect(out.stdout).not.toContain('Image Name:    app:broken');
  });
});

describe('describe STREAM:TAG, in the manner of oc describe istag', () => {
  it('shows the tag and its image', async () => {
    const out = await run('describe', 'app:legacy');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^legacy\n {2}tagged from /);
    expect(out.stdout).toContain('\nImage Name:    app:legacy\n');
    expect(out.stdout).not.toContain('app:po');
  });

  it('lists attestation manifests with --show-attestations', async () => {
    const out = await run('describe', 'app:po', '--show-attestations');
    const attestations = out.stdout.split('\n').filter((line) => line.endsWith('(attestation)'));
    expect(attestations).toHaveLength(3);
    for (const line of attestations)
      expect(line).toMatch(/ unknown\/unknown {2}sha256:[0-9a-f]{64} {2}\(attestation\)$/);
    expect(out.stdout).not.toContain('not listed');
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
  it('lists every item, newest first, with its generation, time, digest and per-platform digests', async () => {
    const out = await run('history', 'app:po');
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe(`app:po  ${host}/team/app:rolling  (PreserveOriginal, scheduled, Source)`);
    expect(lines[2]).toMatch(/^ {2}GENERATION {2}IMPORTED +DIGEST$/);
    const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    expect(out.stdout).toMatch(
      new RegExp(
        [
          `\\* 2 {11}${ISO} \\(${AGO}\\) +${digestOf('moved')}`,
          `    linux/amd64  ${digestOf('moved', 'linux/amd64')}`,
          `    linux/arm64  ${digestOf('moved', 'linux/arm64')}`,
          `    linux/s390x  ${digestOf('moved', 'linux/s390x')}`,
          '    \\(3 attestation manifests not listed: --show-attestations\\)',
          `  1 {11}${ISO} \\(${AGO}\\) +${digestOf('multi')}`,
          `    linux/amd64  ${digestOf('multi', 'linux/amd64')}`,
        ].join('\\n'),
      ),
    );
  });

  it('shows the failure of a tag that has no image', async () => {
    const out = await run('history', 'app:broken');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /\n! error: Import failed \(NotFound\): .*\n {4}.* ago\n\napp:broken has no imported image yet\.\n$/,
    );
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
