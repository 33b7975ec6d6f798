import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { State, TagItem } from '../../src/core/state-model.js';
import { type CliResult, runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage } from '../helpers/images.js';
import { skopeoInspectRaw, skopeoInspectRawFrom } from '../helpers/skopeo.js';
import { writeCertsDir } from '../helpers/tls.js';

/**
 * OpenShift 4 "Images", §6.8.2–6.8.3 (working with manifest lists), followed command by command against a real
 * registry over verified TLS, in a directory without a catalog: every command is the page's, with `imagestreams`
 * for `oc`, `multiarch:latest` for `<multiarch-image-stream-tag>` and the test registry's `project/image` for
 * `<registry>/<project_name>/<image-name>`. The steps run in order, each on what the one before left.
 */
const { registry, upstream } = useRegistry({ tls: true });
const dir = tempDir('imagestreams-page-').path;
const home = tempDir('imagestreams-page-home-').path;
let image: GeneratedImage;
let from: string;

beforeAll(async () => {
  image = await upstream.push('project/image', 'latest', {
    platforms: ['linux/amd64', 'linux/arm64', 'linux/ppc64le'],
  });
  from = `--from=${registry.host}/project/image`;
  writeCertsDir(registry.pki!, join(home, '.config', 'containers', 'certs.d', registry.host));
});

const run = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: { HOME: home } });

async function importImage(...args: string[]): Promise<CliResult> {
  const result = await run('import-image', 'multiarch:latest', ...args);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

const catalog = () => readFileSync(join(dir, 'imagestreams.yaml'), 'utf8');
const tag = () =>
  (JSON.parse(readFileSync(join(dir, 'imagestreams.state.json'), 'utf8')) as State).streams.multiarch!.tags.latest!;
const indexDigest = () => image.digest;
const amd64Digest = () => image.platforms['linux/amd64']!.digest;

/**
 * The `Arch:` line of an `oc describe`-style image block and the lines after it up to the next field: the page's
 * sample, column for column (oc's tabwriter pads labels and platforms to 16 columns).
 */
function archBlock(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Arch:'));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !/^(Manifests:| )/.test(l));
  return lines.slice(start, end < 0 ? lines.length : end);
}

/** The page's sample output of §6.8.2, with the test image's digests. */
const pageSample = () => [
  'Arch:           <none>',
  `Manifests:      linux/amd64     ${image.platforms['linux/amd64']!.digest}`,
  `                linux/arm64     ${image.platforms['linux/arm64']!.digest}`,
  `                linux/ppc64le   ${image.platforms['linux/ppc64le']!.digest}`,
];

const everyPlatform = () =>
  ['linux/amd64', 'linux/arm64', 'linux/ppc64le'].map((p) => `${p} ${image.platforms[p]!.digest}`);

/** The manifest list as imported and mirrored: in state, in the output, in `describe`, in the local store. */
async function expectManifestList(output: string, item: TagItem): Promise<void> {
  expect(item.digest).toBe(indexDigest());
  expect(item.mediaType).toBe(image.mediaType);
  expect(item.manifests.map((m) => `${m.platform} ${m.digest}`)).toEqual(everyPlatform());
  for (const text of [output, (await run('describe', 'multiarch:latest')).stdout]) {
    expect(archBlock(text)).toEqual(pageSample());
  }
  const stored = await skopeoInspectRaw(`oci:${join(dir, '.imagestreams', 'store', 'multiarch')}:latest`);
  expect(stored).toEqual(await skopeoInspectRawFrom(registry, 'project/image:latest'));
}

/** One image, the control plane's linux/amd64, as Legacy keeps it. */
async function expectSingleImage(output: string, item: TagItem): Promise<void> {
  expect(item.digest).toBe(amd64Digest());
  expect(item.manifests.map((m) => m.platform)).toEqual(['linux/amd64']);
  for (const text of [output, (await run('describe', 'multiarch:latest')).stdout]) {
    // oc shows no Manifests: for a single image.
    expect(archBlock(text)).toEqual(['Arch:           amd64']);
  }
  const stored = await skopeoInspectRaw(`oci:${join(dir, '.imagestreams', 'store', 'multiarch')}:latest`);
  expect(stored).toEqual(await skopeoInspectRawFrom(registry, `project/image@${amd64Digest()}`));
}

describe('OpenShift §6.8.2–6.8.3, manifest lists, literally', () => {
  it("§6.8.2: --import-mode='PreserveOriginal' --reference-policy=local --confirm creates the stream with the whole list, mirrored locally", async () => {
    expect(existsSync(join(dir, 'imagestreams.yaml'))).toBe(false);
    const result = await importImage(from, '--import-mode=PreserveOriginal', '--reference-policy=local', '--confirm');
    expect(catalog()).toContain(
      `  multiarch:\n    tags:\n      latest:\n        from: ${registry.host}/project/image\n        importMode: PreserveOriginal\n        referencePolicy: Local\n`,
    );
    expect(catalog()).not.toMatch(/^local:/m);
    const item = tag().items[0]!;
    expect(item.dockerImageReference).toBe(`oci:.imagestreams/store/multiarch@${indexDigest()}`);
    expect(item.sourceImageReference).toBe(`${registry.host}/project/image@${indexDigest()}`);
    await expectManifestList(result.stdout, item);
  });

  it('§6.8.2.1: --scheduled=true makes it follow the source, keeping its mode and reference policy, without --confirm', async () => {
    const result = await importImage(from, '--import-mode=PreserveOriginal', '--scheduled=true');
    expect(result.stderr).not.toContain('import mode');
    expect(tag().spec).toMatchObject({ importMode: 'PreserveOriginal', referencePolicy: 'Local', scheduled: true });
    expect(result.stdout).toContain(`updates automatically from registry ${registry.host}/project/image`);
    await expectManifestList(result.stdout, tag().items[0]!);
  });

  it('§6.8.2.2: --insecure=true skips TLS verification, and the tag stays scheduled', async () => {
    const result = await importImage(from, '--import-mode=PreserveOriginal', '--insecure=true');
    expect(tag().spec).toMatchObject({ importMode: 'PreserveOriginal', scheduled: true, insecure: true });
    expect(result.stdout).toContain('will use insecure HTTPS or HTTP connections');
    await expectManifestList(result.stdout, tag().items[0]!);
  });

  it('§6.8.3: leaving out --import-mode turns the stream single-architecture, saying so', async () => {
    const result = await importImage(from);
    expect(result.stderr).toContain(
      'import mode of multiarch:latest changes from PreserveOriginal to Legacy (pass --import-mode=PreserveOriginal to keep it)\n',
    );
    expect(catalog()).toContain('        importMode: Legacy\n');
    expect(tag().spec).toMatchObject({
      importMode: 'Legacy',
      referencePolicy: 'Local',
      scheduled: true,
      insecure: true,
    });
    await expectSingleImage(result.stdout, tag().items[0]!);
  });

  it("§6.8.3: --import-mode='PreserveOriginal' turns it multi-architecture again", async () => {
    const result = await importImage(from, '--import-mode=PreserveOriginal');
    expect(result.stderr).not.toContain('import mode');
    expect(tag().spec.importMode).toBe('PreserveOriginal');
    await expectManifestList(result.stdout, tag().items[0]!);
    expect(tag().items.map((i) => i.digest)).toEqual([indexDigest(), amd64Digest(), indexDigest()]);
  });
});
