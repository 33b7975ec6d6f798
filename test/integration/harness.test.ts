import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import {
  type OriginServer,
  redirectTo,
  serviceUnavailable,
  startOriginServer,
  tooManyRequests,
} from '../helpers/fault-proxy.js';
import { type GeneratedLayout, MEDIA_TYPES, writeImageLayout } from '../helpers/images.js';
import type { RegistryHandle, RegistryOptions } from '../helpers/registry.js';
import { pushAsSchema1, pushLayout, skopeoInspectRaw, skopeoInspectRawFrom } from '../helpers/skopeo.js';
import { decodeJwtClaims } from '../helpers/token-server.js';

const PLATFORMS = ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'];

function generate(dir: string, seed?: string): GeneratedLayout {
  return writeImageLayout(dir, {
    seed,
    tags: {
      oci: { platforms: PLATFORMS, attestations: true, labels: { 'org.example.flavour': 'oci' } },
      docker: { platforms: ['linux/amd64', 'linux/ppc64le', 'linux/s390x'], mediaTypes: 'docker' },
      single: { platforms: ['linux/amd64'] },
    },
  });
}

function blob(layout: GeneratedLayout, digest: string): Buffer {
  return readFileSync(join(layout.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
}

function json(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
}

interface Answer {
  status: number;
  challenge?: string;
}

/** GET `/v2/` over http, or https trusting the registry CA (with the client certificate unless told not to). */
function pingV2(registry: RegistryHandle, clientCertificate = true): Promise<Answer> {
  const pki = registry.pki;
  const options = {
    ca: pki?.caPem,
    ...(pki && clientCertificate ? { cert: pki.client.certPem, key: pki.client.keyPem } : {}),
  };
  const send = registry.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    send(`${registry.url}/v2/`, options, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, challenge: response.headers['www-authenticate'] });
    })
      .on('error', reject)
      .end();
  });
}

let layout: GeneratedLayout;
beforeAll(() => {
  layout = generate(tempDir().path);
});

describe('writeImageLayout', () => {
  it('is deterministic: the same spec gives the same digests in another directory', () => {
    const again = generate(tempDir().path);
    for (const tag of ['oci', 'docker', 'single']) expect(again.tags[tag]!.digest).toBe(layout.tags[tag]!.digest);
  });

  it('moves every digest when the seed changes', () => {
    const moved = generate(tempDir().path, 'upstream-moved');
    expect(moved.tags.oci!.digest).not.toBe(layout.tags.oci!.digest);
    for (const platform of PLATFORMS) {
      expect(moved.tags.oci!.platforms[platform]!.digest).not.toBe(layout.tags.oci!.platforms[platform]!.digest);
    }
  });

  it('moves only the platforms whose seed changes', () => {
    const dir = tempDir().path;
    const spec = { platforms: PLATFORMS, seed: 'same' };
    const before = writeImageLayout(dir, { tags: { app: spec } }).tags.app!;
    const after = writeImageLayout(dir, { tags: { app: { ...spec, platformSeeds: { 'linux/arm/v7': 'next' } } } }).tags
      .app!;
    expect(after.platforms['linux/amd64']!.digest).toBe(before.platforms['linux/amd64']!.digest);
    expect(after.platforms['linux/arm/v7']!.digest).not.toBe(before.platforms['linux/arm/v7']!.digest);
    const index = json(readFileSync(join(dir, 'index.json')));
    expect(index.manifests).toEqual([expect.objectContaining({ digest: after.digest })]);
  });

  it('writes an OCI index whose attestations point at their images', () => {
    const image = layout.tags.oci!;
    const index = json(image.bytes) as { mediaType: string; manifests: Record<string, unknown>[] };
    expect(sha256Digest(image.bytes)).toBe(image.digest);
    expect(index.mediaType).toBe(MEDIA_TYPES.oci.index);
    expect(index.manifests.map((m) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'unknown', architecture: 'unknown' },
      { os: 'unknown', architecture: 'unknown' },
      { os: 'unknown', architecture: 'unknown' },
    ]);
    expect(image.attestations.map((a) => a.subject)).toEqual(image.manifests.map((m) => m.digest));
    expect(index.manifests[3]!.annotations).toEqual({
      'vnd.docker.reference.digest': image.manifests[0]!.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    });
    const attestation = json(blob(layout, image.attestations[0]!.digest)) as { layers: { mediaType: string }[] };
    expect(attestation.layers[0]!.mediaType).toBe('application/vnd.in-toto+json');
  });

  it('writes Docker manifest lists with Docker schema 2 manifests, configs and layers', () => {
    const image = layout.tags.docker!;
    expect(image.mediaType).toBe(MEDIA_TYPES.docker.index);
    const child = image.platforms['linux/s390x']!;
    const manifest = json(blob(layout, child.digest)) as {
      mediaType: string;
      config: { mediaType: string };
      layers: { mediaType: string }[];
    };
    expect(manifest.mediaType).toBe(MEDIA_TYPES.docker.manifest);
    expect(manifest.config.mediaType).toBe(MEDIA_TYPES.docker.config);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MEDIA_TYPES.docker.layer]);
  });

  it('writes configs with the platform, labels and the diff ids of gzip-compressed tar layers', () => {
    const child = layout.tags.oci!.platforms['linux/arm64/v8']!;
    const config = json(blob(layout, child.configDigest));
    expect(config).toMatchObject({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      created: '2024-01-01T00:00:00Z',
      config: { Labels: { 'org.example.flavour': 'oci' } },
      rootfs: { type: 'layers', diff_ids: child.diffIds },
    });
    const tarball = gunzipSync(blob(layout, child.layerDigests[0]!));
    expect(sha256Digest(tarball)).toBe(child.diffIds[0]);
    expect(tarball.subarray(257, 262).toString()).toBe('ustar');
  });

  it('writes a single image manifest for one platform, and layers of the requested size', () => {
    const dir = tempDir().path;
    const image = writeImageLayout(dir, { layerBytes: 200_000, tags: { big: { platforms: ['linux/amd64'] } } }).tags
      .big!;
    expect(image.isIndex).toBe(false);
    expect(image.mediaType).toBe(MEDIA_TYPES.oci.manifest);
    expect(image.digest).toBe(image.manifests[0]!.digest);
    expect(blob({ dir, tags: {} }, image.manifests[0]!.layerDigests[0]!).length).toBeGreaterThan(200_000);
  });
});

describe.each<[string, RegistryOptions]>([
  ['plain HTTP without auth', { mode: 'plain' }],
  ['TLS with htpasswd basic auth', { mode: 'basic' }],
  ['token auth', { mode: 'token' }],
  [
    'TLS with client certificates and token auth over TLS',
    { mode: 'token', tls: true, clientCertificates: true, tokenServerTls: true },
  ],
])('a registry with %s', (_name, options) => {
  const { registry } = useRegistry(options);

  it.each(['oci', 'docker', 'single'])('serves the pushed %s tag and its children byte for byte', async (tag) => {
    const image = layout.tags[tag]!;
    await pushLayout(layout.dir, tag, registry, `harness/app:${tag}`);
    expect(sha256Digest(await skopeoInspectRawFrom(registry, `harness/app:${tag}`))).toBe(image.digest);
    const children = image.isIndex ? [...image.manifests, ...image.attestations] : [];
    for (const child of children) {
      expect(sha256Digest(await skopeoInspectRawFrom(registry, `harness/app@${child.digest}`))).toBe(child.digest);
    }
  });

  it('answers /v2/ with the challenge its mode implies', async () => {
    const expected: Record<string, Answer> = {
      plain: { status: 200 },
      basic: { status: 401, challenge: 'Basic realm="imagestreams-test"' },
      token: {
        status: 401,
        challenge: `Bearer realm="${registry.tokenServer?.realm}",service="${registry.tokenServer?.service}"`,
      },
    };
    expect(await pingV2(registry)).toEqual(expected[registry.mode]);
  });
});

describe('a TLS registry requiring client certificates', () => {
  const { registry } = useRegistry({ mode: 'plain', tls: true, clientCertificates: true });

  it('refuses a TLS client without a certificate and serves one with it', async () => {
    await expect(pingV2(registry, false)).rejects.toThrow();
    expect(await pingV2(registry)).toEqual({ status: 200 });
  });
});

describe('a registry accepting Docker schema 1', () => {
  const { registry } = useRegistry({ schema1: true });

  it('stores an image pushed as a signed schema 1 manifest', async () => {
    await pushAsSchema1(layout.dir, 'single', registry, 'legacy/app:old');
    const manifest = json(await skopeoInspectRawFrom(registry, 'legacy/app:old'));
    expect(manifest).toMatchObject({ schemaVersion: 1, name: 'legacy/app', tag: 'old', architecture: 'amd64' });
    expect(manifest.signatures).toEqual([expect.objectContaining({ protected: expect.any(String) })]);
  });
});

describe('a token registry refusing anonymous pulls', () => {
  const { registry } = useRegistry({ mode: 'token', token: { anonymousPull: false } });
  beforeAll(async () => {
    await pushLayout(layout.dir, 'oci', registry, 'private/app:1.0');
  });

  it('refuses skopeo without credentials, and the token server saw no credentials', async () => {
    registry.tokenServer!.clearRequests();
    await expect(skopeoInspectRawFrom(registry, 'private/app:1.0', 'anonymous')).rejects.toThrow(
      /unauthorized|authentication required/i,
    );
    expect(registry.tokenServer!.requests).toContainEqual(
      expect.objectContaining({ hasCredentials: false, status: 401 }),
    );
  });

  it('serves skopeo with credentials, granting the pull scope to that user', async () => {
    registry.tokenServer!.clearRequests();
    expect(sha256Digest(await skopeoInspectRawFrom(registry, 'private/app:1.0'))).toBe(layout.tags.oci!.digest);
    expect(registry.tokenServer!.requests).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        hasCredentials: true,
        username: 'tester',
        status: 200,
        scopes: ['repository:private/app:pull'],
      }),
    );
  });

  it('issues RS256 tokens signed by the x5c certificate, which the registry accepts', async () => {
    const { realm, service } = registry.tokenServer!;
    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    const answer = await fetch(`${realm}?service=${service}&scope=repository:private/app:pull`, {
      headers: { authorization: `Basic ${basic}` },
    });
    const body = (await answer.json()) as {
      token: string;
      access_token: string;
      expires_in: number;
      issued_at: string;
    };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    const [header, claims, signature] = body.token.split('.') as [string, string, string];
    const { x5c, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { x5c: string[]; alg: string };
    expect(alg).toBe('RS256');
    const certificate = new X509Certificate(Buffer.from(x5c[0]!, 'base64'));
    expect(certificate.raw.equals(new X509Certificate(readFileSync(registry.tokenServer!.signingCertPath)).raw)).toBe(
      true,
    );
    expect(
      verify('sha256', Buffer.from(`${header}.${claims}`), certificate.publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
    expect(decodeJwtClaims(body.token)).toMatchObject({
      iss: registry.tokenServer!.issuer,
      sub: 'tester',
      aud: service,
      access: [{ type: 'repository', name: 'private/app', actions: ['pull'] }],
    });
    const manifest = await fetch(`${registry.url}/v2/private/app/manifests/1.0`, {
      headers: { authorization: `Bearer ${body.token}`, accept: MEDIA_TYPES.oci.index },
    });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(layout.tags.oci!.digest);
  });

  it('exchanges a password for a refresh token and the refresh token for access tokens (OAuth2 POST)', async () => {
    const { realm, service } = registry.tokenServer!;
    const post = (form: Record<string, string>) =>
      fetch(realm, { method: 'POST', body: new URLSearchParams({ service, client_id: 'harness', ...form }) });
    const first = await post({
      grant_type: 'password',
      username: registry.username!,
      password: registry.password!,
      access_type: 'offline',
      scope: 'repository:private/app:pull',
    });
    const { refresh_token } = (await first.json()) as { refresh_token: string };
    expect(refresh_token).toEqual(expect.any(String));
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token,
      scope: 'repository:private/app:pull,push',
    });
    const body = (await refreshed.json()) as { access_token: string };
    expect(decodeJwtClaims(body.access_token).access).toEqual([
      { type: 'repository', name: 'private/app', actions: ['pull', 'push'] },
    ]);
    expect((await post({ grant_type: 'refresh_token', refresh_token: 'forged' })).status).toBe(401);
    expect((await post({ grant_type: 'password', username: 'tester', password: 'wrong' })).status).toBe(401);
    const recorded = registry.tokenServer!.requests.filter((r) => r.method === 'POST');
    expect(recorded.map((r) => [r.grantType, r.status])).toEqual([
      ['password', 200],
      ['refresh_token', 200],
      ['refresh_token', 401],
      ['password', 401],
    ]);
    expect(JSON.stringify(recorded)).not.toContain(registry.password!);
    expect(JSON.stringify(recorded)).not.toContain(refresh_token);
  });
});

describe('the fault proxy in front of a registry', () => {
  const { registry, proxy } = useRegistry({ mode: 'plain', faultProxy: true });
  let origin: OriginServer;
  const manifestPath = '/v2/faults/app/manifests/single';
  const accept = { accept: MEDIA_TYPES.oci.manifest };

  beforeAll(async () => {
    await pushLayout(layout.dir, 'single', registry, 'faults/app:single');
    origin = await startOriginServer({ body: 'from elsewhere' });
  });
  afterAll(() => origin?.stop());

  it('forwards requests unchanged when no fault is scripted', async () => {
    proxy.reset();
    const answer = await fetch(`${proxy.url}${manifestPath}`, { headers: accept });
    expect(answer.status).toBe(200);
    expect(sha256Digest(Buffer.from(await answer.arrayBuffer()))).toBe(layout.tags.single!.digest);
    expect(answer.headers.get('docker-content-digest')).toBe(layout.tags.single!.digest);
  });

  it('answers scripted 429 with Retry-After and 503, then forwards again, counting every request', async () => {
    proxy.reset();
    proxy.inject(tooManyRequests(7), { method: 'GET', path: manifestPath });
    proxy.inject(serviceUnavailable(), { method: 'GET', path: manifestPath });
    const first = await fetch(`${proxy.url}${manifestPath}`, { headers: accept });
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await fetch(`${proxy.url}${manifestPath}`, { headers: accept })).status).toBe(503);
    expect((await fetch(`${proxy.url}${manifestPath}`, { headers: accept })).status).toBe(200);
    expect((await fetch(`${proxy.url}${manifestPath}`, { method: 'HEAD', headers: accept })).status).toBe(200);
    expect(proxy.count({ method: 'GET', path: manifestPath })).toBe(3);
    expect(proxy.count({ method: 'HEAD' })).toBe(1);
    expect(proxy.requests.map((r) => r.fault)).toEqual(['status', 'status', undefined, undefined]);
  });

  it('lets skopeo through after a scripted 503 is spent', async () => {
    proxy.reset();
    proxy.inject(serviceUnavailable(), { path: '/v2/', times: 10 });
    const access = { tlsVerify: false };
    await expect(skopeoInspectRaw(`${proxy.host}/faults/app:single`, access)).rejects.toThrow();
    proxy.reset();
    expect(sha256Digest(await skopeoInspectRaw(`${proxy.host}/faults/app:single`, access))).toBe(
      layout.tags.single!.digest,
    );
    expect(proxy.count({ method: 'GET', path: manifestPath })).toBe(1);
  });

  it.each([
    ['resets the connection', { kind: 'reset' } as const],
    ['cuts the body short', { kind: 'truncate', afterBytes: 10 } as const],
  ])('%s', async (_name, fault) => {
    proxy.reset();
    proxy.inject(fault, { path: manifestPath });
    await expect(
      fetch(`${proxy.url}${manifestPath}`, { headers: accept }).then((r) => r.arrayBuffer()),
    ).rejects.toThrow();
  });

  it('replaces the body but keeps the registry headers', async () => {
    proxy.reset();
    proxy.inject({ kind: 'replaceBody', body: '{"schemaVersion":2}' }, { path: manifestPath });
    const answer = await fetch(`${proxy.url}${manifestPath}`, { headers: accept });
    expect(await answer.text()).toBe('{"schemaVersion":2}');
    expect(answer.headers.get('docker-content-digest')).toBe(layout.tags.single!.digest);
  });

  it.each([true, false])('sends an oversize body (declared length: %s)', async (declareLength) => {
    proxy.reset();
    proxy.inject({ kind: 'oversize', bytes: 5 * 1024 * 1024, declareLength }, { path: manifestPath });
    const answer = await fetch(`${proxy.url}${manifestPath}`, { headers: accept });
    expect(answer.headers.get('content-length')).toBe(declareLength ? String(5 * 1024 * 1024) : null);
    expect((await answer.arrayBuffer()).byteLength).toBe(5 * 1024 * 1024);
  });

  it('drips a slow body that still arrives whole', async () => {
    proxy.reset();
    proxy.inject({ kind: 'slow', delayMs: 20, chunkBytes: 128 }, { path: manifestPath });
    const started = Date.now();
    const answer = await fetch(`${proxy.url}${manifestPath}`, { headers: accept });
    expect(sha256Digest(Buffer.from(await answer.arrayBuffer()))).toBe(layout.tags.single!.digest);
    const chunks = Math.ceil(layout.tags.single!.size / 128);
    expect(Date.now() - started).toBeGreaterThanOrEqual(chunks * 20 - 5);
  });

  it('redirects to another origin, which records the headers it was sent', async () => {
    proxy.reset();
    proxy.inject(redirectTo(origin.url), { path: manifestPath });
    const answer = await fetch(`${proxy.url}${manifestPath}?x=1`, { headers: { ...accept, 'x-probe': 'yes' } });
    expect(await answer.text()).toBe('from elsewhere');
    expect(origin.requests.at(-1)).toMatchObject({ url: `${manifestPath}?x=1`, headers: { 'x-probe': 'yes' } });
    expect(proxy.requests.map((r) => r.fault)).toEqual(['redirect']);
  });
});
