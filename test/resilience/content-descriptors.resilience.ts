import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type GeneratedImage, type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { catalogText, insecure, type TagYaml, Workspace } from '../helpers/workspace.js';
import { type CliOutcome, runCliMeasured } from './support/cli-process.js';
import { copyLayout, OCI_INDEX, OCI_MANIFEST, REF_NAME, writeBlob, writeLayoutIndex } from './support/layout-files.js';
import { RegistryUpstream } from './support/registry-upstream.js';
import { tally } from './support/run-context.js';

/**
 * Descriptors that lie about what they name: a child of a list, a config, an index.json entry whose size or media
 * type is not that of the content. The content is refused (InvalidManifest, naming its digest) and nothing is
 * recorded for the tag; the other tags of the apply are imported.
 */

/** A lying tag: its spec, and what the error about it must say. */
interface Liar {
  tag: string;
  spec: Omit<TagYaml, 'from'> & { reference: string };
  message: () => RegExp;
}

/** An index listing the children of `image` as they are, but with `change` applied to the first. */
function listing(image: GeneratedImage, change: Record<string, unknown>): object {
  const children = image.manifests.map((m, i) => ({
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.size,
    platform: { os: 'linux', architecture: m.platform.split('/')[1] },
    ...(i === 0 ? change : {}),
  }));
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children };
}

/** An index whose only child is `image` (itself an index) declared as an image manifest. */
function nestedAsImage(image: GeneratedImage): object {
  const child = { mediaType: OCI_MANIFEST, digest: image.digest, size: image.size, platform: amd64 };
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child] };
}

const amd64 = { os: 'linux', architecture: 'amd64' };

/** The lies both back ends are told, by tag of the source. */
function listLiars(multi: () => GeneratedImage, where: () => string): Liar[] {
  const first = () => multi().manifests[0]!.digest;
  return [
    {
      tag: 'size',
      spec: { reference: 'size-lie', importMode: 'PreserveOriginal' },
      message: () =>
        new RegExp(`manifest ${where()}@${first()} is \\d+ bytes, but the list that names it says 3; refused`),
    },
    {
      tag: 'pick',
      spec: { reference: 'size-lie', importMode: 'Legacy' },
      message: () => new RegExp(`manifest ${where()}@${first()} is \\d+ bytes, but the list that names it says 3`),
    },
    {
      tag: 'type',
      spec: { reference: 'type-lie', importMode: 'PreserveOriginal' },
      message: () =>
        new RegExp(
          `manifest ${where()}@${multi().digest} is an OCI image index, but the list that names it says an OCI image manifest; refused`,
        ),
    },
  ];
}

function expectRefusedAlone(outcome: CliOutcome, workspace: Workspace, liars: readonly Liar[], good: string): void {
  const output = `exit ${outcome.code} (${outcome.stoppedBy})\n${outcome.stdout}${outcome.stderr}`;
  expect(outcome.stoppedBy, output).toBe('exit');
  expect(outcome.code, output).toBe(1);
  expect(output).not.toMatch(/Unhandled|internal error|\n {4}at /);
  for (const liar of liars) expect(output).toMatch(liar.message());
  const { streams } = workspace.state();
  for (const liar of liars) expect(streams.bad?.tags[liar.tag]?.items ?? []).toEqual([]);
  for (const liar of liars) {
    for (const condition of streams.bad?.tags[liar.tag]?.conditions ?? [])
      expect(condition).toMatchObject({ reason: 'InvalidManifest', message: expect.stringMatching(liar.message()) });
  }
  expect(streams.ok?.tags[good]?.items).toHaveLength(1);
}

function liarTags(liars: readonly Liar[], from: (reference: string) => string): Record<string, TagYaml> {
  return Object.fromEntries(
    liars.map(({ tag, spec: { reference, ...spec } }) => [tag, { ...spec, from: from(reference) }]),
  );
}

describe('an OCI layout whose descriptors lie', () => {
  const workspace = new Workspace('imagestreams-content-descriptors-layout-');
  let good: GeneratedLayout;
  let configDigest = '';
  const multi = () => good.tags.multi!;
  const single = () => good.tags.single!;
  const arm64 = () => good.tags.multi!.manifests[1]!;

  const liars: Liar[] = [
    ...listLiars(multi, () => 'oci:liars'),
    {
      tag: 'entry-size',
      spec: { reference: 'entry-size' },
      message: () =>
        new RegExp(`manifest oci:liars@${single().digest} is \\d+ bytes, but index\\.json says 3; refused`),
    },
    {
      tag: 'entry-type',
      spec: { reference: 'entry-type' },
      message: () =>
        new RegExp(
          `manifest oci:liars@${arm64().digest} is an OCI image manifest, but index\\.json says an OCI image index`,
        ),
    },
    {
      tag: 'config',
      spec: { reference: 'config-size' },
      message: () =>
        new RegExp(`image config ${configDigest} of oci:liars is \\d+ bytes, but the manifest that names it says \\d+`),
    },
    {
      tag: 'mirror',
      spec: { reference: 'size-lie', importMode: 'PreserveOriginal', referencePolicy: 'Local' },
      message: () => /is \d+ bytes, but the list that names it says 3; refused/,
    },
  ];

  beforeAll(() => {
    good = writeImageLayout(join(workspace.dir, 'good'), {
      tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'] }, single: { platforms: ['linux/amd64'] } },
    });
    const dir = join(workspace.dir, 'liars');
    copyLayout(good.dir, dir);
    const image = JSON.parse(Buffer.from(good.tags.single!.bytes).toString('utf8')) as {
      config: { size: number; digest: string };
    };
    configDigest = image.config.digest;
    const entry = (tag: string, blob: { digest: string; size: number }, mediaType = OCI_INDEX) => ({
      mediaType,
      ...blob,
      annotations: { [REF_NAME]: tag },
    });
    const configLie = { ...image, config: { ...image.config, size: image.config.size + 1 } };
    writeLayoutIndex(dir, [
      entry('size-lie', writeBlob(dir, listing(multi(), { size: 3 }))),
      entry('type-lie', writeBlob(dir, nestedAsImage(multi()))),
      entry('entry-size', { digest: single().digest, size: 3 }, OCI_MANIFEST),
      entry('entry-type', { digest: arm64().digest, size: arm64().size }, OCI_INDEX),
      entry('config-size', writeBlob(dir, configLie), OCI_MANIFEST),
    ]);
    const catalog = catalogText({
      streams: { ok: { multi: { from: 'oci:good:multi' } }, bad: liarTags(liars, (ref) => `oci:liars:${ref}`) },
    });
    workspace.writeCatalog(`${catalog}${stringify({ local: { layout: 'store' } })}`);
  });

  it('apply refuses each lie, names the digest, records nothing for those tags and imports the others', async () => {
    const outcome = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
    expectRefusedAlone(outcome, workspace, liars, 'multi');
    tally({ attacks: liars.length });
  });
});

describe('a registry whose lists lie about their children', () => {
  const workspace = new Workspace('imagestreams-content-descriptors-registry-');
  let upstream: RegistryUpstream;
  let multi: GeneratedImage;
  const liars = listLiars(
    () => multi,
    () => `${upstream.proxy.host}/team/liar`,
  );

  beforeAll(async () => {
    upstream = await RegistryUpstream.start();
    multi = await upstream.pushImage('liar', 'real', { platforms: ['linux/amd64', 'linux/arm64'] });
    await putManifest(upstream.registry.url, 'team/liar', 'size-lie', listing(multi, { size: 3 }));
    await putManifest(upstream.registry.url, 'team/liar', 'type-lie', nestedAsImage(multi));
    workspace.writeCatalog({
      registries: insecure(upstream.proxy.host),
      streams: {
        ok: { real: { from: `${upstream.proxy.host}/team/liar:real` } },
        bad: liarTags(liars, (ref) => `${upstream.proxy.host}/team/liar:${ref}`),
      },
    });
  });

  afterAll(() => upstream?.stop());

  it('apply refuses each lie, names the digest, records nothing for those tags and imports the others', async () => {
    const outcome = await runCliMeasured(['apply', '--auto-approve'], workspace.dir);
    expectRefusedAlone(outcome, workspace, liars, 'real');
    tally({ attacks: liars.length });
  });
});

/** Pushes an OCI index as it is (distribution checks that its children exist, not what they are). */
async function putManifest(registry: string, repository: string, tag: string, index: object): Promise<void> {
  const response = await fetch(`${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': OCI_INDEX },
    body: JSON.stringify(index),
  });
  if (response.status !== 201) throw new Error(`pushing ${repository}:${tag}: HTTP ${response.status}`);
}
