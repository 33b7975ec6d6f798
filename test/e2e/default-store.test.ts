import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedImage, type ImageSpec, writeImageLayout } from '../helpers/images.js';
import { layoutIndex, rawManifest } from '../helpers/local-mirror.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { insecure, Workspace } from '../helpers/workspace.js';

/** `Local` tags of a catalog without a `local` section: plan, apply, watch and prune use `.imagestreams/store`. */
const { registry, upstream } = useRegistry();
const REPO = 'e2e/default-store';
const MULTI = (seed: string): ImageSpec => ({ platforms: ['linux/amd64', 'linux/arm64'], seed });

/** Every file under `dir`, by path relative to it. */
const layoutFiles = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

function localTagCatalog(work: Workspace): void {
  const from = `${registry.host}/${REPO}:latest`;
  work.writeCatalog({
    registries: insecure(registry.host),
    streams: { app: { latest: { from, importMode: 'PreserveOriginal', scheduled: true, referencePolicy: 'Local' } } },
  });
}

describe('the default local store', () => {
  const work = new Workspace();
  const store = () => work.file('.imagestreams/store/app');
  const blob = (digest: string) => join(store(), 'blobs', 'sha256', digest.slice('sha256:'.length));
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    v1 = await upstream.push(REPO, 'latest', MULTI('v1'));
    localTagCatalog(work);
  });

  it('is where plan says a Local tag is copied to', async () => {
    const plan = parsePlanJson((await work.expectRun(['plan', '--json'], 0)).stdout);
    expect(plan.changes.map((c) => c.copy?.target)).toEqual(['oci:.imagestreams/store/app:latest']);
    expect(plan.changes[0]!.after?.dockerImageReference).toBe(`oci:.imagestreams/store/app@${v1.digest}`);
  });

  it('is made by apply, which mirrors the image into it', async () => {
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(layoutIndex(store()).manifests).toMatchObject([
      { digest: v1.digest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
    ]);
    expect((await rawManifest(`oci:${store()}:latest`)).equals(v1.bytes)).toBe(true);
  });

  it('takes what watch imports', async () => {
    v2 = await upstream.push(REPO, 'latest', MULTI('v2'));
    await work.expectRun(['watch', '--once'], 0);
    expect(work.state().streams.app!.tags.latest!.items[0]!.dockerImageReference).toBe(
      `oci:.imagestreams/store/app@${v2.digest}`,
    );
    expect((await rawManifest(`oci:${store()}:latest`)).equals(v2.bytes)).toBe(true);
  });

  it('is pruned of what no kept item references', async () => {
    expect(existsSync(blob(v1.digest))).toBe(true);
    await work.expectRun(['prune', '--keep-tag-revisions=1', '--keep-younger-than=0s', '--confirm'], 0);
    expect(existsSync(blob(v1.digest))).toBe(false);
    expect(existsSync(blob(v2.digest))).toBe(true);
  });
});

describe('a default store behind a symbolic link', () => {
  it('refuses the Local tags of the catalog, writing nothing where the link leads', async () => {
    await upstream.push(REPO, 'latest', MULTI('v1'));
    const work = new Workspace();
    localTagCatalog(work);
    const outside = tempDir().path;
    symlinkSync(outside, work.file('.imagestreams'));
    for (const args of [['plan'], ['apply', '--auto-approve'], ['watch', '--once']]) {
      const result = await work.run(args);
      expect(result.stderr, args[0]).toMatch(
        /^imagestreams\.yaml:\d+:\d+: error: referencePolicy Local mirrors into \.imagestreams\/store when the catalog has no "local" section, but \.imagestreams is a symbolic link/,
      );
      expect(result.code, args[0]).toBe(1);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(work.statePath)).toBe(false);
  });

  it('is never followed by prune, even with no Local tag left', async () => {
    const work = new Workspace();
    work.writeCatalog({
      registries: insecure(registry.host),
      streams: { app: { latest: { from: `${registry.host}/${REPO}:latest` } } },
    });
    await work.expectRun(['apply', '--auto-approve'], 0);
    const outside = tempDir().path;
    const stray = writeImageLayout(join(outside, 'store', 'app'), { tags: { stray: { platforms: ['linux/amd64'] } } });
    const before = layoutFiles(join(outside, 'store', 'app'));
    symlinkSync(outside, work.file('.imagestreams'));
    await work.expectRun(['prune', '--keep-tag-revisions=1', '--keep-younger-than=0s', '--confirm'], 0);
    expect(layoutIndex(join(outside, 'store', 'app')).manifests.map((m) => m.digest)).toEqual([
      stray.tags.stray!.digest,
    ]);
    expect(layoutFiles(join(outside, 'store', 'app'))).toEqual(before);
  });
});
