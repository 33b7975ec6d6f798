import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { parseImageSource } from '../../src/core/reference.js';
import { createCredentialStore } from '../../src/credentials/index.js';
import { inspectImage } from '../../src/registry/inspect.js';
import { Repositories } from '../../src/registry/repositories.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type OriginServer, redirectTo, startOriginServer } from '../helpers/fault-proxy.js';
import { type ListeningServer, listenOnLoopback } from '../helpers/http-server.js';
import { writeImageLayout } from '../helpers/images.js';
import { pushLayout } from '../helpers/skopeo.js';
import { generatePki, type TestPki } from '../helpers/tls.js';

const work = tempDir('imagestreams-redirects-');
const BLOB = /^\/v2\/team\/app\/blobs\//;

describe('a blob redirect to another host that asks for authentication', () => {
  const { registry, proxy } = useRegistry({ mode: 'token', token: { anonymousPull: false }, faultProxy: true });
  /** The token realm the other host names in its own Bearer challenge. */
  let foreignRealm: OriginServer;
  let authFile: string;
  const otherHosts: OriginServer[] = [];

  beforeAll(async () => {
    const layout = writeImageLayout(join(work.path, 'layout'), { tags: { single: { platforms: ['linux/amd64'] } } });
    await pushLayout(layout.dir, 'single', registry, 'team/app:single');
    foreignRealm = await startOriginServer({ status: 200, body: '{"token":"from-elsewhere"}' });
    authFile = join(work.path, 'auth.json');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    writeFileSync(authFile, JSON.stringify({ auths: { [proxy.host]: { auth } } }));
  });

  afterEach(() => proxy.reset());

  afterAll(async () => {
    await Promise.all([foreignRealm?.stop(), ...otherHosts.map((h) => h.stop())]);
    work.remove();
  });

  const challenges: [string, () => string][] = [
    ['Basic', () => 'Basic realm="elsewhere"'],
    ['Bearer with its own realm', () => `Bearer realm="${foreignRealm.url}/token",service="elsewhere"`],
    ['Bearer naming the registry realm', () => `Bearer realm="${registry.tokenServer!.realm}",service="elsewhere"`],
  ];

  async function otherHost(challenge: string): Promise<OriginServer> {
    const host = await startOriginServer({ status: 401, headers: { 'www-authenticate': challenge } });
    otherHosts.push(host);
    return host;
  }

  function inspectThroughProxy() {
    const repositories = new Repositories({
      env: {},
      credentials: createCredentialStore({ env: {}, homeDir: work.path, authFile }),
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    const source = parseImageSource(`${proxy.host}/team/app:single`);
    return inspectImage(repositories.open(source, { insecure: true }), source).finally(() => repositories.close());
  }

  it.each(challenges)('(%s) gets no Authorization header, nor does any realm it names', async (_name, challenge) => {
    const host = await otherHost(challenge());
    proxy.inject(redirectTo(host.url), { method: 'GET', path: BLOB });
    registry.tokenServer!.clearRequests();
    foreignRealm.requests.length = 0;

    const error = await inspectThroughProxy().catch((e: unknown) => e);

    expect(proxy.requests.find((r) => BLOB.test(r.path))?.headers.authorization).toMatch(/^Bearer /);
    expect(host.requests.map((r) => [r.method, r.headers.authorization])).toEqual([['GET', undefined]]);
    expect(foreignRealm.requests).toEqual([]);
    expect(registry.tokenServer!.requests.filter((r) => r.service === 'elsewhere')).toEqual([]);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).reason).toBe('Unauthorized');
    expect((error as RegistryError).message).toMatch(
      literal(
        '/v2/team/app/blobs/DIGEST: the registry redirected to',
        `${new URL(host.url).host}, which asks for authentication; credentials for ${proxy.host} are never sent to another host`,
      ),
    );
  });

  it.each(challenges)('(%s) makes inspect exit 1 with one line that holds no secret', async (_name, challenge) => {
    const host = await otherHost(challenge());
    proxy.inject(redirectTo(host.url), { method: 'GET', path: BLOB });

    const result = await runCli(['inspect', `${proxy.host}/team/app:single`, '--insecure', '--authfile', authFile]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: \/v2\/team\/app\/blobs\/sha256:[0-9a-f]{64}: the registry redirected to 127\.0\.0\.1:\d+, which asks for authentication; credentials for 127\.0\.0\.1:\d+ are never sent to another host\n$/,
    );
    const secrets = [registry.password!, Buffer.from(`${registry.username}:${registry.password}`).toString('base64')];
    for (const secret of secrets) expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toMatch(/Bearer|Basic [A-Za-z0-9+/=]{8,}|eyJ/);
    expect(host.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });
});

/** The words as a whole-string pattern, `DIGEST` standing for any sha256 digest. */
function literal(...words: string[]): RegExp {
  const escaped = words.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replaceAll('DIGEST', 'sha256:[0-9a-f]{64}')}$`);
}

describe('a redirect from https to plain http', () => {
  const DIGEST = `sha256:${'ab'.repeat(32)}`;
  let pki: TestPki;
  let registry: ListeningServer;
  let plainTarget: OriginServer;

  beforeAll(async () => {
    pki = generatePki(join(work.path, 'pki'));
    plainTarget = await startOriginServer({ status: 200, body: 'not over plain http' });
    registry = await listenOnLoopback(
      (request, response) => {
        request.resume();
        if (request.url === '/v2/') {
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        response.writeHead(302, { location: `${plainTarget.url}/blob`, 'content-length': 0 }).end();
      },
      { certPem: pki.server.certPem, keyPem: pki.server.keyPem },
    );
  });

  afterAll(async () => {
    await Promise.all([registry?.close(), plainTarget?.stop()]);
  });

  it.each([false, true])('is refused, and nothing is sent over http (insecure: %s)', async (insecure) => {
    const host = `127.0.0.1:${registry.port}`;
    const repositories = new Repositories({
      env: {},
      settingsFor: () => ({ key: host, caFiles: [pki.caCertPath], insecure }),
    });
    const repo = repositories.open(parseImageSource(`${host}/team/app:1`));

    const error = await repo.getBlob(DIGEST, 1024).catch((e: unknown) => e);
    await repositories.close();

    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe(
      `blob ${host}/team/app@${DIGEST}: refusing a redirect from https to http://${new URL(plainTarget.url).host}`,
    );
    expect(plainTarget.requests).toEqual([]);
  });
});
