import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { RegistryError } from '../../src/core/errors.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../../src/core/media-types.js';
import { parseImageSource } from '../../src/core/reference.js';
import { inspectImage } from '../../src/registry/inspect.js';
import { Repositories } from '../../src/registry/repositories.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import {
  type OriginServer,
  redirectTo,
  serviceUnavailable,
  startOriginServer,
  tooManyRequests,
} from '../helpers/fault-proxy.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-faults-');
let layout: GeneratedLayout;
const { registry, proxy } = useRegistry({ mode: 'token', faultProxy: true });
let origin: OriginServer;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: { multi: { platforms: ['linux/amd64', 'linux/arm64/v8'] }, single: { platforms: ['linux/amd64'] } },
  });
  for (const tag of ['multi', 'single']) await pushLayout(layout.dir, tag, registry, `team/app:${tag}`);
  origin = await startOriginServer({ status: 200, body: 'not the blob' });
});

afterEach(() => proxy.reset());

afterAll(async () => {
  await origin.stop();
  work.remove();
});

/** A client with short backoff, so retries take milliseconds (Retry-After is still honoured as given). */
function inspect(tag: string) {
  const repositories = new Repositories({ retry: { baseDelayMs: 10, maxDelayMs: 50 }, env: {} });
  const source = parseImageSource(`${proxy.host}/team/app:${tag}`);
  return inspectImage(repositories.open(source, { insecure: true }), source).finally(() => repositories.close());
}

const MANIFEST = /^\/v2\/team\/app\/manifests\//;
const BLOB = /^\/v2\/team\/app\/blobs\//;

describe('the registry client under faults', () => {
  it('waits as Retry-After says after a 429 and then succeeds', async () => {
    proxy.inject(tooManyRequests(1), { method: 'HEAD', path: MANIFEST });
    const started = Date.now();
    const result = await inspect('multi');
    expect(result.digest).toBe(layout.tags.multi!.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(proxy.count({ method: 'HEAD', path: MANIFEST })).toBe(2);
  });

  it('retries 503 answers with backoff and succeeds', async () => {
    proxy.inject(serviceUnavailable(), { method: 'GET', path: MANIFEST, times: 2 });
    const result = await inspect('multi');
    expect(result.manifests.map((m) => m.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(proxy.count({ method: 'GET', path: MANIFEST })).toBe(3);
  });

  it('retries a connection reset', async () => {
    proxy.inject({ kind: 'reset' }, { method: 'GET', path: MANIFEST });
    expect((await inspect('multi')).digest).toBe(layout.tags.multi!.digest);
  });

  it('gives up with a clear error when the retry budget is spent', async () => {
    proxy.inject(serviceUnavailable(), { path: MANIFEST, times: 100 });
    const error = await inspect('multi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).reason).toBe('InternalError');
    expect((error as RegistryError).message).toMatch(/answered HTTP 503/);
    expect(proxy.count({ method: 'HEAD', path: MANIFEST })).toBe(5);
  });

  it('refuses a manifest whose bytes do not match the digest', async () => {
    proxy.inject(
      { kind: 'replaceBody', body: JSON.stringify({ schemaVersion: 2, manifests: [] }) },
      { method: 'GET', path: MANIFEST },
    );
    const error = (await inspect('multi').catch((e: unknown) => e)) as RegistryError;
    expect(error.reason).toBe('InvalidManifest');
    expect(error.message).toMatch(/content digest sha256:[0-9a-f]{64} does not match the expected sha256:/);
  });

  it.each([true, false])('refuses a manifest over 4 MiB (length declared: %s)', async (declareLength) => {
    proxy.inject({ kind: 'oversize', bytes: 5 * 1024 * 1024, declareLength }, { method: 'GET', path: MANIFEST });
    const error = (await inspect('multi').catch((e: unknown) => e)) as RegistryError;
    expect(error.reason).toBe('InvalidManifest');
    expect(error.message).toMatch(/over the 4\.0 MiB limit; refused/);
  });

  it('sends no Authorization header to another origin after a redirect', async () => {
    proxy.inject(redirectTo(origin.url), { method: 'GET', path: BLOB });
    await inspect('single').catch(() => undefined);
    const sentToProxy = proxy.requests.filter((r) => BLOB.test(r.path));
    expect(sentToProxy[0]?.headers.authorization).toMatch(/^Bearer /);
    expect(origin.requests.length).toBeGreaterThan(0);
    for (const request of origin.requests) expect(request.headers.authorization).toBeUndefined();
  });

  it('reports a spent retry budget on the command line in one line', async () => {
    proxy.inject(tooManyRequests(0), { path: MANIFEST, times: 100 });
    const result = await runCli(['inspect', `${proxy.host}/team/app:multi`, '--insecure'], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: 127\.0\.0\.1:\d+\/team\/app:multi: the registry is rate limiting requests \(HTTP 429\), retries exhausted\n$/,
    );
  });
});

/** The media types of each manifest request's Accept header, in the order the proxy saw the requests. */
function acceptedTypes(): string[][] {
  return proxy.requests
    .filter((r) => MANIFEST.test(r.path))
    .map((r) =>
      String(r.headers.accept ?? '')
        .split(/\s*,\s*/)
        .map((type) => type.split(';')[0]!),
    );
}

const FULL_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];

describe('manifest HEAD fallbacks', () => {
  it('falls back to GET when HEAD is refused with 405', async () => {
    proxy.inject({ kind: 'status', status: 405 }, { method: 'HEAD', path: MANIFEST });
    expect((await inspect('multi')).digest).toBe(layout.tags.multi!.digest);
    expect(proxy.count({ method: 'HEAD', path: MANIFEST })).toBe(1);
    expect(proxy.count({ method: 'GET', path: MANIFEST })).toBe(1);
  });

  it('falls back to GET by tag when HEAD answers without Docker-Content-Digest, and digests the bytes', async () => {
    proxy.inject({ kind: 'headers', remove: ['docker-content-digest'] }, { method: 'HEAD', path: MANIFEST });
    const result = await inspect('multi');
    expect(result.digest).toBe(layout.tags.multi!.digest);
    expect(result.manifests.map((m) => m.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(proxy.requests.filter((r) => MANIFEST.test(r.path)).map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /v2/team/app/manifests/multi',
      'GET /v2/team/app/manifests/multi',
    ]);
  });

  it('asks for OCI index, OCI manifest, Docker list and Docker schema 2 on HEAD and on GET', async () => {
    proxy.inject({ kind: 'headers', remove: ['docker-content-digest'] }, { method: 'HEAD', path: MANIFEST });
    await inspect('multi');
    await inspect('single');
    const methods = proxy.requests.filter((r) => MANIFEST.test(r.path)).map((r) => r.method);
    expect(new Set(methods)).toEqual(new Set(['HEAD', 'GET']));
    for (const types of acceptedTypes()) expect(types).toEqual(expect.arrayContaining(FULL_ACCEPT));
  });
});

describe('confirming a known digest (HEAD with If-None-Match)', () => {
  function headUnlessAt(tag: string, digest: string) {
    const repositories = new Repositories({ env: {} });
    const repo = repositories.open(parseImageSource(`${proxy.host}/team/app:${tag}`), { insecure: true });
    return repo.headUnlessAt!(tag, digest).finally(() => repositories.close());
  }

  it('is answered 304 by the registry when the tag still points at the digest: nothing moved', async () => {
    expect(await headUnlessAt('multi', layout.tags.multi!.digest)).toBeUndefined();
    const [head] = proxy.requests.filter((r) => MANIFEST.test(r.path));
    expect(head).toMatchObject({ method: 'HEAD', status: 304 });
    expect(head!.headers['if-none-match']).toBe(`"${layout.tags.multi!.digest}"`);
  });

  it('gives the new head when the tag points elsewhere', async () => {
    const moved = await headUnlessAt('multi', layout.tags.single!.digest);
    expect(moved).toMatchObject({ digest: layout.tags.multi!.digest, mediaType: OCI_INDEX });
    expect(proxy.requests.filter((r) => MANIFEST.test(r.path)).map((r) => r.status)).toEqual([200]);
  });

  it('compares digests itself when a registry ignores If-None-Match and answers 200', async () => {
    const { digest, bytes } = layout.tags.multi!;
    const headers = { 'docker-content-digest': digest, 'content-type': OCI_INDEX, 'content-length': `${bytes.length}` };
    proxy.inject({ kind: 'status', status: 200, headers }, { method: 'HEAD', path: MANIFEST });
    expect(await headUnlessAt('multi', digest)).toBeUndefined();
    expect(await headUnlessAt('single', digest)).toMatchObject({ digest: layout.tags.single!.digest });
  });
});

describe('manifest documents refused although the registry serves them with a matching digest', () => {
  const multiBytes = () => layout.tags.multi!.bytes;

  /** Serves `body` for GET by tag, typed `contentType` and with its own digest; HEAD gives no digest, so GET it is. */
  function serveByTag(body: Buffer, contentType: string): void {
    proxy.inject({ kind: 'headers', remove: ['docker-content-digest'] }, { method: 'HEAD', path: MANIFEST });
    const headers = { 'content-type': contentType, 'docker-content-digest': sha256Digest(body) };
    proxy.inject({ kind: 'replaceBody', body, headers }, { method: 'GET', path: '/v2/team/app/manifests/multi' });
  }

  async function refusal(): Promise<RegistryError> {
    const error = await inspect('multi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).reason).toBe('InvalidManifest');
    return error as RegistryError;
  }

  it('refuses an index whose Content-Type says image manifest (the bytes and digest untouched)', async () => {
    proxy.inject({ kind: 'headers', set: { 'content-type': OCI_MANIFEST } }, { path: MANIFEST, times: 10 });
    expect((await refusal()).message).toMatch(
      /^127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64} declares an OCI image index but was served as an OCI image manifest$/,
    );
    expect(proxy.count({ method: 'GET', path: `/v2/team/app/manifests/${layout.tags.multi!.digest}` })).toBe(1);
  });

  it('refuses a Docker list body served as an OCI index', async () => {
    const doc = JSON.parse(multiBytes().toString('utf8')) as Record<string, unknown>;
    serveByTag(Buffer.from(JSON.stringify({ ...doc, mediaType: DOCKER_MANIFEST_LIST })), OCI_INDEX);
    expect((await refusal()).message).toMatch(
      /team\/app:multi declares a Docker manifest list but was served as an OCI image index$/,
    );
  });

  it.each(['layers', 'config'])('refuses an index that also has "%s"', async (field) => {
    const doc = JSON.parse(multiBytes().toString('utf8')) as { manifests: { digest: string; size: number }[] };
    const extra = { mediaType: OCI_MANIFEST, digest: doc.manifests[0]!.digest, size: doc.manifests[0]!.size };
    serveByTag(Buffer.from(JSON.stringify({ ...doc, [field]: field === 'layers' ? [extra] : extra })), OCI_INDEX);
    expect((await refusal()).message).toMatch(
      /team\/app:multi has both "manifests" and "layers"\/"config": ambiguous document refused$/,
    );
  });
});

describe('auth discovered per repository', () => {
  it('authenticates when the ping is anonymous but the repository answers 401 with a challenge', async () => {
    proxy.inject({ kind: 'status', status: 200, body: '{}' }, { method: 'GET', path: '/v2/' });
    expect((await inspect('multi')).digest).toBe(layout.tags.multi!.digest);
    const heads = proxy.requests.filter((r) => r.method === 'HEAD' && MANIFEST.test(r.path));
    expect(heads.map((r) => r.headers.authorization !== undefined)).toEqual([false, true]);
  });
});
