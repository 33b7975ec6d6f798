import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan-model.js';
import { formatBytes } from '../../src/render/plan-text.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import type { GeneratedImage, ImageSpec } from '../helpers/images.js';
import {
  applyCaughtCopying,
  exited,
  forceUnlock,
  localCatalog,
  mirroredThenMoved,
  pullEverything,
  rawManifest,
  sourceFlags,
  writeDockerConfig,
  writes,
} from '../helpers/local-mirror.js';
import { parsePlanJson } from '../helpers/plan-text.js';
import { platformOf, Upstream } from '../helpers/upstream.js';
import { type CatalogSpec, Workspace } from '../helpers/workspace.js';

/**
 * Two real registries: the upstream, read through a fault proxy, and the local registry (token auth: pushes need
 * credentials) that Local tags are mirrored into, also behind a proxy that counts what it is asked.
 */
const { registry: upstreamRegistry, proxy: sourceProxy, upstream } = useRegistry({ faultProxy: true });
const { registry: localRegistry, proxy: localProxy } = useRegistry({ mode: 'token', faultProxy: true });

const source = (repository: string, tag: string) => `${sourceProxy.host}/${repository}:${tag}`;
const mirror = (path: string) => `docker://${localRegistry.host}/mirror/${path}`;
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function catalog(work: Workspace, streams: CatalogSpec['streams']): string {
  const secret = writeDockerConfig(work, 'local-auth.json', localProxy.host, localRegistry);
  const registries = {
    [sourceProxy.host]: { insecure: true },
    [localProxy.host]: { insecure: true, auth: { secret } },
  };
  return localCatalog({ registries, streams }, { registry: `${localProxy.host}/mirror` });
}

/** The size of a blob as the upstream registry serves it. */
async function upstreamSize(repository: string, digest: string): Promise<number> {
  const res = await fetch(`${upstreamRegistry.url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  return Number(res.headers.get('content-length'));
}

const MULTI: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], attestations: true, layers: 2 };

/** Manifests and blobs of a pushed multi-platform image with attestations: what a full copy must transfer. */
function contents(image: GeneratedImage): { manifests: number; blobs: number } {
  const imageBlobs = image.manifests.reduce((sum, m) => sum + 1 + m.layerDigests.length, 0);
  return {
    manifests: 1 + image.manifests.length + image.attestations.length,
    blobs: imageBlobs + 2 * image.attestations.length,
  };
}

describe('mirroring Local tags into a registry', () => {
  const work = new Workspace();
  let multi: GeneratedImage;
  let plan: Plan;
  let planText: string;

  beforeAll(async () => {
    multi = await upstream.push('e2e/mirror', 'multi', MULTI);
    work.writeCatalog(
      catalog(work, {
        app: {
          all: { from: source('e2e/mirror', 'multi'), importMode: 'PreserveOriginal', referencePolicy: 'Local' },
          arm: { from: source('e2e/mirror', 'multi'), preferPlatform: 'linux/arm64', referencePolicy: 'Local' },
        },
        copy: {
          all: { from: source('e2e/mirror', 'multi'), importMode: 'PreserveOriginal', referencePolicy: 'Local' },
        },
      }),
    );
    plan = parsePlanJson((await work.expectRun(['plan', '--json'], 0)).stdout);
    planText = (await work.expectRun(['plan'], 0)).stdout;
  });

  it('plans, per tag, the manifests, the blobs not yet there and their bytes', () => {
    const whole = contents(multi);
    const arm = platformOf(multi, 'linux/arm64');
    expect(plan.changes.map((c) => [c.address, c.copy?.target, c.copy?.manifests, c.copy?.blobs])).toEqual([
      ['app:all', `${localProxy.host}/mirror/app:all`, whole.manifests, whole.blobs],
      ['app:arm', `${localProxy.host}/mirror/app:arm`, 1, 1 + arm.layerDigests.length],
      ['copy:all', `${localProxy.host}/mirror/copy:all`, whole.manifests, whole.blobs],
    ]);
    const change = plan.changes[0]!;
    expect(planText).toContain(
      `      mirror to ${change.copy!.target}: ${whole.manifests} manifests, ${whole.blobs} blobs, ${formatBytes(change.copy!.bytes)} to copy\n`,
    );
  });

  it('counts in the summary what two tags of one repository share only once', () => {
    const all = plan.changes[0]!.copy!;
    const copy = plan.changes[2]!.copy!;
    expect(plan.summary.copy).toEqual({
      manifests: all.manifests + copy.manifests,
      blobs: all.blobs + copy.blobs,
      bytes: all.bytes + copy.bytes,
    });
    expect(planText).toContain(
      `Local store: ${all.manifests + copy.manifests} manifests, ${all.blobs + copy.blobs} blobs, ${formatBytes(all.bytes + copy.bytes)} to copy.\n`,
    );
  });

  it('plans items that name the local pull spec and keep the source one', () => {
    const item = plan.changes[0]!.after!;
    expect(item.dockerImageReference).toBe(`${localProxy.host}/mirror/app@${multi.digest}`);
    expect(item.sourceImageReference).toBe(`${sourceProxy.host}/e2e/mirror@${multi.digest}`);
  });

  describe('then apply', () => {
    beforeAll(async () => {
      localProxy.reset();
      await work.expectRun(['apply', '--auto-approve', '--concurrency', '1'], 0);
    });

    it('records the local pull spec by digest and the source pull spec in the item', () => {
      const items = work.state().streams.app!.tags;
      const arm = platformOf(multi, 'linux/arm64').digest;
      expect(items.all!.items[0]).toMatchObject({
        digest: multi.digest,
        dockerImageReference: `${localProxy.host}/mirror/app@${multi.digest}`,
        sourceImageReference: `${sourceProxy.host}/e2e/mirror@${multi.digest}`,
      });
      expect(items.arm!.items[0]).toMatchObject({
        digest: arm,
        dockerImageReference: `${localProxy.host}/mirror/app@${arm}`,
        sourceImageReference: `${sourceProxy.host}/e2e/mirror@${arm}`,
      });
    });

    it.each([
      ['app:all', 'the whole index'],
      ['copy:all', 'the whole index'],
    ])('preserves the digest of %s (%s): the mirrored bytes are the source bytes', async (address) => {
      const bytes = await rawManifest(mirror(address), sourceFlags(localRegistry));
      expect(sha256(bytes)).toBe(multi.digest);
      expect(bytes.equals(multi.bytes)).toBe(true);
    });

    it('mirrors only the chosen child for a Legacy tag', async () => {
      const bytes = await rawManifest(mirror('app:arm'), sourceFlags(localRegistry));
      expect(sha256(bytes)).toBe(platformOf(multi, 'linux/arm64').digest);
    });

    it.each([
      ['app:all', () => multi.digest],
      ['copy:all', () => multi.digest],
      ['app:arm', () => platformOf(multi, 'linux/arm64').digest],
    ])(
      'lets skopeo pull %s whole from the mirror: the source manifests and blobs, byte for byte',
      async (ref, digest) => {
        const pulled = await pullEverything(mirror(ref), sourceFlags(localRegistry), tempDir().path);
        expect(pulled).toEqual(upstream.blobs(digest()));
      },
    );

    it('mounts the blobs the first stream already holds instead of uploading them again', () => {
      const uploads = (repository: string) =>
        localProxy.requests.filter((r) => r.path.startsWith(`/v2/mirror/${repository}/blobs/uploads/`));
      const copyUploads = uploads('copy');
      expect(copyUploads.length).toBe(contents(multi).blobs);
      expect(copyUploads.every((r) => r.method === 'POST' && r.url.includes('mount='))).toBe(true);
      expect(uploads('app').some((r) => r.method === 'PUT')).toBe(true);
    });

    it('stores children before the index and the tag last', () => {
      const pushes = localProxy.requests.filter(
        (r) => r.method === 'PUT' && r.path.startsWith('/v2/mirror/app/manifests/'),
      );
      expect(pushes.at(-2)?.path).toBe('/v2/mirror/app/manifests/all');
      expect(pushes.at(-1)?.path).toBe('/v2/mirror/app/manifests/arm');
      expect(pushes.slice(0, -2).every((r) => /manifests\/sha256:/.test(r.path))).toBe(true);
    });
  });

  describe('then apply again', () => {
    it('asks the local registry nothing when nothing changed', async () => {
      localProxy.reset();
      const result = await work.expectRun(['apply', '--auto-approve'], 0);
      expect(result.stdout).toContain('No changes.');
      expect(localProxy.requests).toEqual([]);
    });

    it('copies nothing on a re-import of what is mirrored already: one HEAD of each tag to plan, one to apply', async () => {
      localProxy.reset();
      sourceProxy.reset();
      await work.expectRun(['apply', '--auto-approve', '--reimport', 'app'], 0);
      expect(writes(localProxy)).toEqual([]);
      const heads = localProxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.path);
      expect(heads.sort()).toEqual([
        '/v2/mirror/app/manifests/all',
        '/v2/mirror/app/manifests/all',
        '/v2/mirror/app/manifests/arm',
        '/v2/mirror/app/manifests/arm',
      ]);
      const layers = new Set(multi.manifests.flatMap((m) => m.layerDigests));
      expect(sourceProxy.requests.filter((r) => layers.has(r.path.split('/').at(-1)!))).toEqual([]);
    });
  });
});

describe('mounting blobs the local registry holds already', () => {
  const work = new Workspace();
  const IMAGE: ImageSpec = { platforms: ['linux/amd64', 'linux/arm64'], layers: 2 };
  const local = (repository: string, tag: string) => ({
    from: source(repository, tag),
    importMode: 'PreserveOriginal',
    referencePolicy: 'Local',
  });
  const streams: CatalogSpec['streams'] = {};
  let first: GeneratedImage;

  /** Blob upload requests to `mirror/<stream>` of the last apply, and how many sent a blob's bytes. */
  const uploads = (stream: string) => {
    const requests = localProxy.requests.filter((r) => r.path.startsWith(`/v2/mirror/${stream}/blobs/uploads/`));
    return { requests, bodies: requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH').length };
  };

  async function applyWith(stream: string, tag: ReturnType<typeof local>): Promise<void> {
    streams[stream] = { '1': tag };
    work.writeCatalog(catalog(work, streams));
    localProxy.reset();
    await work.expectRun(['apply', '--auto-approve'], 0);
  }

  beforeAll(async () => {
    first = await upstream.push('e2e/mount-a', '1', IMAGE);
    await upstream.push('e2e/mount-b', '1', IMAGE);
    await applyWith('first', local('e2e/mount-a', '1'));
    await applyWith('other', local('e2e/mount-b', '1'));
  });

  it('mounts from the repository an earlier apply mirrored the same source repository into: no blob bytes sent', async () => {
    await applyWith('second', local('e2e/mount-a', '1'));
    const { requests, bodies } = uploads('second');
    expect(requests).toHaveLength(contents(first).blobs);
    expect(requests.every((r) => r.method === 'POST' && r.url.includes('from=mirror%2Ffirst'))).toBe(true);
    expect(bodies).toBe(0);
    await pullEverything(mirror('second:1'), sourceFlags(localRegistry), tempDir().path);
  });

  it('costs no extra request when the likeliest repository does not hold a blob: the upload uses the session', async () => {
    const unrelated = await upstream.push('e2e/mount-c', '1', IMAGE);
    await applyWith('third', local('e2e/mount-c', '1'));
    const { requests, bodies } = uploads('third');
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(contents(unrelated).blobs);
    expect(posts.every((r) => r.url.includes('mount='))).toBe(true);
    expect(bodies).toBe(contents(unrelated).blobs);
    await pullEverything(mirror('third:1'), sourceFlags(localRegistry), tempDir().path);
  });

  it('mounts from the source repository when the source is on the local registry itself', async () => {
    const image = await new Upstream(localRegistry).push('upstream/same', '1', IMAGE);
    const from = `${localProxy.host}/upstream/same:1`;
    await applyWith('same', { from, importMode: 'PreserveOriginal', referencePolicy: 'Local' });
    const { requests, bodies } = uploads('same');
    expect(requests).toHaveLength(contents(image).blobs);
    expect(requests.every((r) => r.method === 'POST' && r.url.includes('from=upstream%2Fsame'))).toBe(true);
    expect(bodies).toBe(0);
    expect(sha256(await rawManifest(mirror('same:1'), sourceFlags(localRegistry)))).toBe(image.digest);
  });
});

describe('the tokens of an apply that mirrors into several repositories', () => {
  const STREAMS = ['tokens-one', 'tokens-two', 'tokens-three'];
  const scopes = (actions: string) => STREAMS.map((stream) => `repository:mirror/${stream}:${actions}`).sort();

  beforeAll(async () => {
    for (const stream of STREAMS) {
      await upstream.push(`e2e/${stream}`, 'latest', { platforms: ['linux/amd64'], seed: stream });
    }
  });

  afterEach(() => localRegistry.tokenServer!.setSeveralScopes('grant'));

  /** Applies, one tag at a time, a fresh catalog mirroring each stream's tag; returns the local token requests. */
  async function mirrorAll(): Promise<{ status: number; scopes: string[] }[]> {
    const work = new Workspace();
    const streams = Object.fromEntries(
      STREAMS.map((stream) => [
        stream,
        { latest: { from: source(`e2e/${stream}`, 'latest'), referencePolicy: 'Local' } },
      ]),
    );
    work.writeCatalog(catalog(work, streams));
    localRegistry.tokenServer!.clearRequests();
    await work.expectRun(['apply', '--auto-approve', '--concurrency', '1'], 0);
    return localRegistry.tokenServer!.requests.map(({ status, scopes }) => ({ status, scopes: [...scopes].sort() }));
  }

  it('come from one request naming every repository to check, and one naming every repository to write', async () => {
    expect(await mirrorAll()).toEqual([
      { status: 200, scopes: scopes('pull') },
      { status: 200, scopes: scopes('pull,push') },
    ]);
  });

  it('are asked for one repository at a time when the token server refuses several scopes, and the apply succeeds', async () => {
    localRegistry.tokenServer!.setSeveralScopes('refuse');
    const requests = await mirrorAll();
    const push = requests.filter((request) => request.scopes.some((scope) => scope.endsWith(':pull,push')));
    expect(push[0]).toEqual({ status: 400, scopes: scopes('pull,push') });
    expect(push.slice(1).sort((a, b) => a.scopes[0]!.localeCompare(b.scopes[0]!))).toEqual(
      scopes('pull,push').map((scope) => ({ status: 200, scopes: [scope] })),
    );
  });
});

describe('a copy that is killed', () => {
  const work = new Workspace();
  const repo = 'e2e/killed';
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    const latest = { from: source(repo, 'latest'), scheduled: true, referencePolicy: 'Local' };
    ({ mirrored: v1, moved: v2 } = await mirroredThenMoved(upstream, work, repo, catalog(work, { app: { latest } })));
  });

  it('leaves the state valid, the tag on its previous item, and the mirror tag where it was', async () => {
    const before = work.stateBytes();
    sourceProxy.reset();
    localProxy.reset();
    const child = await applyCaughtCopying(work, sourceProxy, repo, v2);
    expect(localProxy.count({ method: 'PUT', path: /\/blobs\/uploads\// })).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited(child);
    expect(work.stateBytes()).toEqual(before);
    expect(existsSync(`${work.statePath}.journal`)).toBe(false);
    const mirrored = await rawManifest(mirror('app:latest'), sourceFlags(localRegistry));
    expect(sha256(mirrored)).toBe(v1.digest);
  });

  it('is completed by the next apply, once the lock the killed process held is removed', async () => {
    sourceProxy.reset();
    await forceUnlock(work);
    const result = await work.expectRun(['apply', '--auto-approve'], 0);
    expect(result.stdout).toContain('0 imported, 1 re-imported, 0 removed, 0 failed.');
    const tag = work.state().streams.app!.tags.latest!;
    expect(tag.items.map((i) => i.digest)).toEqual([v2.digest, v1.digest]);
    expect(sha256(await rawManifest(mirror('app:latest'), sourceFlags(localRegistry)))).toBe(v2.digest);
    await pullEverything(mirror('app:latest'), sourceFlags(localRegistry), tempDir().path);
  });
});

describe('a failed copy on a Local tag that has an item already', () => {
  const work = new Workspace();
  const repo = 'e2e/refail';
  const spec = (seed: string): ImageSpec => ({ platforms: ['linux/amd64'], seed });
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    v1 = await upstream.push(repo, 'latest', spec('v1'));
    work.writeCatalog(
      catalog(work, {
        refail: { latest: { from: source(repo, 'latest'), scheduled: true, referencePolicy: 'Local' } },
      }),
    );
    await work.expectRun(['apply', '--auto-approve'], 0);
    v2 = await upstream.push(repo, 'latest', spec('v2'));
  });

  it('keeps the previous item and the mirror tag, and records ImportSuccess=False', async () => {
    const layer = v2.manifests[0]!.layerDigests[0]!;
    sourceProxy.reset();
    sourceProxy.inject(
      { kind: 'replaceBody', body: Buffer.alloc(await upstreamSize(repo, layer), 0x61) },
      { method: 'GET', path: `/v2/${repo}/blobs/${layer}`, times: 10 },
    );
    const result = await work.expectRun(['apply', '--auto-approve'], 1);
    expect(result.stdout).toContain('refail:latest: Import failed (InvalidManifest)');
    const tag = work.state().streams.refail!.tags.latest!;
    expect(tag.items.map((i) => [i.digest, i.dockerImageReference])).toEqual([
      [v1.digest, `${localProxy.host}/mirror/refail@${v1.digest}`],
    ]);
    expect(tag.conditions).toEqual([
      expect.objectContaining({ type: 'ImportSuccess', status: 'False', reason: 'InvalidManifest' }),
    ]);
    expect(sha256(await rawManifest(mirror('refail:latest'), sourceFlags(localRegistry)))).toBe(v1.digest);
  });

  it('is cleared by the next apply that succeeds', async () => {
    sourceProxy.reset();
    await work.expectRun(['apply', '--auto-approve'], 0);
    const tag = work.state().streams.refail!.tags.latest!;
    expect(tag.items.map((i) => i.digest)).toEqual([v2.digest, v1.digest]);
    expect(tag.conditions).toEqual([]);
    expect(sha256(await rawManifest(mirror('refail:latest'), sourceFlags(localRegistry)))).toBe(v2.digest);
  });
});

describe('a PreserveOriginal copy that fails after its children were stored', () => {
  const work = new Workspace();
  const repo = 'e2e/children';
  const spec = (seed: string): ImageSpec => ({ platforms: ['linux/amd64', 'linux/arm64'], seed });
  const tagPush = { method: 'PUT', path: '/v2/mirror/children/manifests/all' };
  const childPushes = () => localProxy.count({ method: 'PUT', path: /^\/v2\/mirror\/children\/manifests\/sha256:/ });
  let v1: GeneratedImage;
  let v2: GeneratedImage;

  beforeAll(async () => {
    v1 = await upstream.push(repo, 'multi', spec('v1'));
    const tag = {
      from: source(repo, 'multi'),
      importMode: 'PreserveOriginal',
      scheduled: true,
      referencePolicy: 'Local',
    };
    work.writeCatalog(catalog(work, { children: { all: tag } }));
    await work.expectRun(['apply', '--auto-approve'], 0);
    v2 = await upstream.push(repo, 'multi', spec('v2'));
  });

  it('leaves the mirror tag on the previous list, and the tag on its previous item', async () => {
    localProxy.reset();
    const denied = '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}';
    localProxy.inject(
      { kind: 'status', status: 403, headers: { 'content-type': 'application/json' }, body: denied },
      { ...tagPush, times: 10 },
    );
    const result = await work.expectRun(['apply', '--auto-approve'], 1);
    expect(result.stdout).toContain('children:all: Import failed (Forbidden)');
    expect(childPushes()).toBe(v2.manifests.length);
    for (const child of v2.manifests) {
      const bytes = await rawManifest(mirror(`children@${child.digest}`), sourceFlags(localRegistry));
      expect(sha256(bytes)).toBe(child.digest);
    }
    expect(sha256(await rawManifest(mirror('children:all'), sourceFlags(localRegistry)))).toBe(v1.digest);
    const tag = work.state().streams.children!.tags.all!;
    expect(tag.items.map((i) => i.digest)).toEqual([v1.digest]);
    expect(tag.conditions).toEqual([expect.objectContaining({ type: 'ImportSuccess', reason: 'Forbidden' })]);
  });

  it('is completed by the next apply, which stores only the list', async () => {
    localProxy.reset();
    await work.expectRun(['apply', '--auto-approve'], 0);
    expect(childPushes()).toBe(0);
    expect(localProxy.count(tagPush)).toBe(1);
    expect(sha256(await rawManifest(mirror('children:all'), sourceFlags(localRegistry)))).toBe(v2.digest);
    const tag = work.state().streams.children!.tags.all!;
    expect([tag.items.map((i) => i.digest), tag.conditions]).toEqual([[v2.digest, v1.digest], []]);
    await pullEverything(mirror('children:all'), sourceFlags(localRegistry), tempDir().path);
  });
});

describe('faults while copying', () => {
  const work = new Workspace();
  const repo = 'e2e/faults';
  let image: GeneratedImage;

  beforeAll(async () => {
    image = await upstream.push(repo, '1', { platforms: ['linux/amd64', 'linux/arm64'], layers: 2 });
  });

  const writeCatalog = (tags: string[]) =>
    work.writeCatalog(
      catalog(work, {
        faults: Object.fromEntries(
          tags.map((tag) => [
            tag,
            { from: source(repo, '1'), importMode: 'PreserveOriginal', referencePolicy: 'Local' },
          ]),
        ),
      }),
    );

  it('a blob whose bytes do not match its digest fails the import: condition recorded, nothing tagged', async () => {
    writeCatalog(['bad']);
    const child = JSON.parse(
      (
        await rawManifest(`docker://${upstreamRegistry.host}/${repo}@${image.manifests[0]!.digest}`, [
          '--tls-verify=false',
        ])
      ).toString(),
    ) as { layers: { digest: string; size: number }[] };
    const layer = child.layers[0]!;
    sourceProxy.reset();
    const sameLength = Buffer.alloc(layer.size, 0x61);
    sourceProxy.inject(
      { kind: 'replaceBody', body: sameLength },
      { method: 'GET', path: `/v2/${repo}/blobs/${layer.digest}`, times: 10 },
    );
    const result = await work.expectRun(['apply', '--auto-approve'], 1);
    expect(result.stdout).toContain(
      `faults:bad: Import failed (InvalidManifest): blob ${sourceProxy.host}/${repo}@${layer.digest}: content digest sha256:`,
    );
    const tag = work.state().streams.faults!.tags.bad!;
    expect(tag.items).toEqual([]);
    expect(tag.conditions[0]).toMatchObject({ reason: 'InvalidManifest' });
    await expect(rawManifest(mirror('faults:bad'), sourceFlags(localRegistry))).rejects.toThrow(/manifest unknown/i);
  });

  it('a registry that refuses a whole blob (HTTP 413) receives it in chunks', async () => {
    sourceProxy.reset();
    writeCatalog(['bad', 'chunked']);
    localProxy.reset();
    localProxy.inject(
      { kind: 'status', status: 413, body: 'too large' },
      { method: 'PUT', path: /\/blobs\/uploads\//, times: 1 },
    );
    await work.expectRun(['apply', '--auto-approve', '--concurrency', '1'], 0);
    expect(localProxy.count({ method: 'PATCH', path: /\/blobs\/uploads\// })).toBeGreaterThan(0);
    expect(sha256(await rawManifest(mirror('faults:chunked'), sourceFlags(localRegistry)))).toBe(image.digest);
    await pullEverything(mirror('faults:chunked'), sourceFlags(localRegistry), tempDir().path);
  });
});
