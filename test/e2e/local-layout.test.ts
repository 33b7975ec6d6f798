import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import {
  applyCaughtCopying,
  exited,
  forceUnlock,
  layoutIndex,
  localCatalog,
  mirroredThenMoved,
  pullEverything,
  rawManifest,
} from '../helpers/local-mirror.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { platformOf } from '../helpers/upstream.js';
import { insecure, Workspace } from '../helpers/workspace.js';

/** Local tags mirrored into a directory of OCI image layouts (`local: {layout: store}`), one layout per stream. */
const { proxy, upstream } = useRegistry({ faultProxy: true });

const source = (repository: string, tag: string) => `${proxy.host}/${repository}:${tag}`;
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const MULTI: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'], attestations: true, layers: 2 };

/** Names of the files under a layout's `blobs/sha256`. */
const blobFiles = (dir: string) => readdirSync(join(dir, 'blobs', 'sha256')).sort();

describe('mirroring Local tags into an OCI layout store', () => {
  const work = new Workspace();
  const store = () => work.file('store/app');
  let multi: GeneratedImage;

  beforeAll(async () => {
    multi = await upstream.push('e2e/layout', 'multi', MULTI);
    work.writeCatalog(
      localCatalog(
        {
          registries: insecure(proxy.host),
          streams: {
            app: {
              all: { from: source('e2e/layout', 'multi'), importMode: 'PreserveOriginal', referencePolicy: 'Local' },
              arm: { from: source('e2e/layout', 'multi'), preferPlatform: 'linux/arm64', referencePolicy: 'Local' },
            },
          },
        },
        { layout: 'store' },
      ),
    );
  });

  it('plans the copy into the stream layout, named as the catalog names the store', async () => {
    const plan = parsePlanJson((await work.expectRun(['plan', '--json'], 0)).stdout);
    expect(plan.changes.map((c) => c.copy?.target)).toEqual(['oci:store/app:all', 'oci:store/app:arm']);
    expect(plan.changes[0]!.after?.dockerImageReference).toBe(`oci:store/app@${multi.digest}`);
  });

  it('writes one layout per stream, tags as org.opencontainers.image.ref.name, digests preserved', async () => {
    await work.expectRun(['apply', '--auto-approve'], 0);
    const arm = platformOf(multi, 'linux/arm64').digest;
    expect(JSON.parse(readFileSync(join(store(), 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const entries = layoutIndex(store()).manifests.map((m) => [
      m.annotations?.['org.opencontainers.image.ref.name'],
      m.digest,
    ]);
    expect(entries.sort()).toEqual([
      ['all', multi.digest],
      ['arm', arm],
    ]);
    expect((await rawManifest(`oci:${store()}:all`)).equals(multi.bytes)).toBe(true);
    expect(sha256(await rawManifest(`oci:${store()}:arm`))).toBe(arm);
    expect(blobFiles(store()).some((name) => name.startsWith('.'))).toBe(false);
  });

  it('records the layout pull spec by digest and the source pull spec', () => {
    expect(work.state().streams.app!.tags.all!.items[0]).toMatchObject({
      dockerImageReference: `oci:store/app@${multi.digest}`,
      sourceImageReference: `${proxy.host}/e2e/layout@${multi.digest}`,
    });
  });

  it('lets skopeo copy every platform and attestation out of the layout: the source manifests and blobs, byte for byte', async () => {
    const pulled = await pullEverything(`oci:${store()}:all`, [], tempDir().path);
    expect(pulled).toEqual(upstream.blobs(multi.digest));
  });

  it('is read back by imagestreams inspect', async () => {
    const inspected = JSON.parse((await work.expectRun(['inspect', '--json', 'oci:store/app:all'], 0)).stdout);
    expect(inspected.digest).toBe(multi.digest);
  });

  it('writes nothing on a re-import of what the layout holds', async () => {
    const index = statSync(join(store(), 'index.json')).mtimeMs;
    const files = blobFiles(store());
    await work.expectRun(['apply', '--auto-approve', '--reimport', 'app'], 0);
    expect(statSync(join(store(), 'index.json')).mtimeMs).toBe(index);
    expect(blobFiles(store())).toEqual(files);
  });
});

describe('a copy into a layout that is killed', () => {
  const work = new Workspace();
  const repo = 'e2e/layout-killed';
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    const latest = { from: source(repo, 'latest'), scheduled: true, referencePolicy: 'Local' };
    const catalog = localCatalog(
      { registries: insecure(proxy.host), streams: { app: { latest } } },
      { layout: 'store' },
    );
    ({ mirrored: v1, moved: v2 } = await mirroredThenMoved(upstream, work, repo, catalog));
  });

  it('leaves index.json and the state as they were, and no blob file that is not complete', async () => {
    const state = work.stateBytes();
    const index = readFileSync(work.file('store/app/index.json'));
    const files = blobFiles(work.file('store/app'));
    proxy.reset();
    const child = await applyCaughtCopying(work, proxy, repo, v2);
    expect(blobFiles(work.file('store/app')).some((name) => name.startsWith('.tmp-'))).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    expect(work.stateBytes()).toEqual(state);
    expect(readFileSync(work.file('store/app/index.json'))).toEqual(index);
    const complete = blobFiles(work.file('store/app')).filter((name) => !name.startsWith('.tmp-'));
    expect(complete).toEqual(expect.arrayContaining(files));
    const blob = (name: string) => readFileSync(work.file(`store/app/blobs/sha256/${name}`));
    expect(complete.filter((name) => sha256(blob(name)) !== `sha256:${name}`)).toEqual([]);
    expect(sha256(await rawManifest(`oci:${work.file('store/app')}:latest`))).toBe(v1.digest);
  });

  it('is completed by the next apply', async () => {
    proxy.reset();
    await forceUnlock(work);
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(work.state().streams.app!.tags.latest!.items.map((i) => i.digest)).toEqual([v2.digest, v1.digest]);
    expect(sha256(await rawManifest(`oci:${work.file('store/app')}:latest`))).toBe(v2.digest);
    expect(existsSync(`${work.statePath}.journal`)).toBe(false);
  });
});
