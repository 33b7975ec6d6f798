import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import type { RegistryHandle } from '../helpers/registry.js';
import { pushLayout } from '../helpers/skopeo.js';

const work = tempDir('imagestreams-proxy-env-');
let layout: GeneratedLayout;
const { registry: plain } = useRegistry({ mode: 'plain' });
const { registry: tls } = useRegistry({ mode: 'basic' });
let proxy: ForwardProxy;
let authFile: string;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: { multi: { platforms: ['linux/amd64', 'linux/arm64'] } },
  });
  for (const registry of [plain, tls]) await pushLayout(layout.dir, 'multi', registry, 'team/app:multi');
  proxy = await startForwardProxy();
  authFile = join(work.path, 'auth.json');
  const auth = Buffer.from(`${tls.username}:${tls.password}`).toString('base64');
  writeFileSync(authFile, JSON.stringify({ auths: { [tls.host]: { auth } } }));
});

afterEach(() => proxy.reset());

afterAll(async () => {
  await proxy?.stop();
  work.remove();
});

/** `inspect --json` of team/app:multi on `registry` with `env`; fails unless it printed the pushed digest. */
async function inspectWith(registry: RegistryHandle, env: NodeJS.ProcessEnv): Promise<void> {
  const flags = registry.tls ? ['--ca-file', registry.ca!.caCertPath, '--authfile', authFile] : ['--insecure'];
  const result = await runCli(['inspect', `${registry.host}/team/app:multi`, '--json', ...flags], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).digest).toBe(layout.tags.multi!.digest);
}

describe('HTTPS_PROXY', () => {
  it('tunnels every request to a TLS registry through the proxy with CONNECT', async () => {
    await inspectWith(tls, { HTTPS_PROXY: proxy.url });
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(new Set(proxy.requests.map((r) => `${r.method} ${r.target}`))).toEqual(new Set([`CONNECT ${tls.host}`]));
  });

  it('is read in lower case too', async () => {
    await inspectWith(tls, { https_proxy: proxy.url });
    expect(proxy.requests.map((r) => r.method)).toContain('CONNECT');
  });

  it('tunnels only the TLS attempt of --insecure to a plain-http registry; its http requests go direct', async () => {
    await inspectWith(plain, { HTTPS_PROXY: proxy.url });
    expect(proxy.requests).toEqual([{ method: 'CONNECT', target: plain.host }]);
  });
});

describe('HTTP_PROXY', () => {
  it('carries the requests to a plain-http registry as absolute-URI requests, no tunnel', async () => {
    await inspectWith(plain, { HTTP_PROXY: proxy.url });
    const seen = proxy.requests.map((r) => `${r.method} ${r.target}`);
    expect(seen).toContain(`GET http://${plain.host}/v2/`);
    expect(seen).toContain(`HEAD http://${plain.host}/v2/team/app/manifests/multi`);
    expect(seen.filter((r) => r.startsWith('CONNECT'))).toEqual([]);
  });

  it('is not used for a TLS registry, as curl and Go do', async () => {
    await inspectWith(tls, { HTTP_PROXY: proxy.url });
    expect(proxy.requests).toEqual([]);
  });
});

describe('NO_PROXY', () => {
  const bothProxies = () => ({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });

  it.each([
    ['the host', () => '127.0.0.1'],
    ['the host and port, among other entries', () => `example.invalid, ${tls.host},${plain.host}`],
    ['*', () => '*'],
  ])('naming %s sends nothing through the proxy', async (_name, noProxy) => {
    for (const registry of [tls, plain]) await inspectWith(registry, { ...bothProxies(), NO_PROXY: noProxy() });
    expect(proxy.requests).toEqual([]);
  });

  it('naming the host with another port leaves the registry behind the proxy', async () => {
    await inspectWith(tls, { ...bothProxies(), no_proxy: '127.0.0.1:1' });
    expect(proxy.requests.map((r) => r.method)).toContain('CONNECT');
  });
});

describe('a failing proxy', () => {
  it('is named in the error, without the credentials in its URL', async () => {
    const env = { HTTPS_PROXY: 'http://someone:proxy-secret@127.0.0.1:1' };
    const result = await runCli(['inspect', `${tls.host}/team/app:multi`, '--ca-file', tls.ca!.caCertPath], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: cannot reach registry ${tls.host} through proxy 127.0.0.1:1: connection refused\n`,
    );
  });

  it('that refuses the tunnel is reported with its answer', async () => {
    const registry = tls.host.replace('127.0.0.1', 'localhost');
    const env = { HTTPS_PROXY: proxy.url };
    const result = await runCli(['inspect', `${registry}/team/app:multi`, '--ca-file', tls.ca!.caCertPath], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: cannot reach registry ${registry} through proxy ${new URL(proxy.url).host}: the proxy refused the connection (HTTP 403)\n`,
    );
  });
});
