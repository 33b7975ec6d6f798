import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/core/digest.js';
import { parseImageSource } from '../../src/core/reference.js';
import { createCredentialStore } from '../../src/credentials/index.js';
import { inspectImage } from '../../src/registry/inspect.js';
import { Repositories } from '../../src/registry/repositories.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { type GeneratedLayout, writeImageLayout } from '../helpers/images.js';
import { type RegistryHandle, startRegistry } from '../helpers/registry.js';
import { pushLayout, skopeoInspectRawFrom } from '../helpers/skopeo.js';
import { writeCertsDir } from '../helpers/tls.js';

const work = tempDir('imagestreams-inspect-');
let layout: GeneratedLayout;
const registries: Record<string, RegistryHandle> = {
  plain: useRegistry({ mode: 'plain' }).registry,
  basic: useRegistry({ mode: 'basic' }).registry,
  token: useRegistry({ mode: 'token', token: { anonymousPull: false } }).registry,
};
const TAGS = ['oci-index', 'docker-list', 'single'] as const;

beforeAll(async () => {
  layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      'oci-index': { platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'], attestations: true },
      'docker-list': { platforms: ['linux/amd64', 'linux/ppc64le', 'linux/s390x'], mediaTypes: 'docker' },
      single: { platforms: ['linux/arm64/v8'] },
    },
  });
  for (const registry of Object.values(registries)) {
    for (const tag of TAGS) await pushLayout(layout.dir, tag, registry, `team/app:${tag}`);
  }
});

afterAll(async () => {
  work.remove();
});

/** The CLI flags that reach `registry`: --insecure for plain HTTP, its CA for TLS, its credentials in an auth file. */
function accessFlags(registry: RegistryHandle): string[] {
  const flags: string[] = registry.tls ? [] : ['--insecure'];
  if (registry.ca) flags.push('--ca-file', registry.ca.caCertPath);
  if (registry.username && registry.password) {
    const authfile = join(work.path, `auth-${registry.mode}.json`);
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    writeFileSync(authfile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    flags.push('--authfile', authfile);
  }
  return flags;
}

interface InspectJson {
  reference: string;
  digest: string;
  mediaType: string;
  manifests: { platform: string; digest: string; mediaType: string; size: number; attestation?: boolean }[];
}

async function inspectJson(reference: string, flags: string[]): Promise<InspectJson> {
  const result = await runCli(['inspect', reference, '--json', ...flags]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as InspectJson;
}

describe.each(['plain', 'basic', 'token'] as const)('inspect against a %s registry', (mode) => {
  it.each(TAGS)('reports %s exactly as skopeo inspect --raw sees it', async (tag) => {
    const registry = registries[mode]!;
    const out = await inspectJson(`${registry.host}/team/app:${tag}`, accessFlags(registry));
    const raw = await skopeoInspectRawFrom(registry, `team/app:${tag}`);
    const oracle = JSON.parse(raw.toString('utf8')) as {
      mediaType: string;
      manifests?: { digest: string; size: number }[];
    };

    expect(out.reference).toBe(`${registry.host}/team/app:${tag}`);
    expect(out.digest).toBe(sha256Digest(raw));
    expect(out.digest).toBe(layout.tags[tag]!.digest);
    expect(out.mediaType).toBe(oracle.mediaType);
    if (oracle.manifests) {
      expect(out.manifests.map((m) => [m.digest, m.size])).toEqual(oracle.manifests.map((m) => [m.digest, m.size]));
    } else {
      expect(out.manifests).toEqual([
        { platform: 'linux/arm64', digest: out.digest, mediaType: out.mediaType, size: raw.length },
      ]);
    }
  });
});

describe('inspect output', () => {
  it('normalises platforms and flags attestations of an OCI index', async () => {
    const out = await inspectJson(`${registries.plain!.host}/team/app:oci-index`, ['--insecure']);
    expect(out.manifests.filter((m) => !m.attestation).map((m) => m.platform)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
    ]);
    const attestations = out.manifests.filter((m) => m.attestation);
    expect(attestations).toHaveLength(3);
    expect(attestations.every((m) => m.platform === 'unknown/unknown')).toBe(true);
  });

  it('reads an OCI image layout on disk', async () => {
    const out = await inspectJson(`oci:${layout.dir}:docker-list`, []);
    expect(out.digest).toBe(layout.tags['docker-list']!.digest);
    expect(out.manifests.map((m) => m.platform)).toEqual(['linux/amd64', 'linux/ppc64le', 'linux/s390x']);
  });

  it('prints a readable text form with shortened digests', async () => {
    const result = await runCli(['inspect', `${registries.plain!.host}/team/app:single`, '--insecure']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Digest:     ${layout.tags.single!.digest}`);
    expect(result.stdout).toMatch(/linux\/arm64 {2}sha256:[0-9a-f]{12} {2}/);
  });
});

describe('inspect refuses bad input with one clear line', () => {
  const cases: [string, () => string[], RegExp][] = [
    [
      'an invalid reference',
      () => ['inspect', 'Team/App:1'],
      /^error: invalid image reference "Team\/App:1": repository name must be lowercase \("App"\)\n$/,
    ],
    [
      'an unknown host',
      () => ['inspect', 'no-such-host.invalid/team/app:1'],
      /^error: cannot reach registry no-such-host\.invalid: unknown host\n$/,
    ],
    [
      'a TLS certificate from an unknown authority',
      () => ['inspect', `${registries.basic!.host}/team/app:single`],
      /^error: TLS connection to 127\.0\.0\.1:\d+ failed \(.*\); add the registry's CA .*\n$/,
    ],
    [
      'a plain-HTTP registry without insecure',
      () =>
        ['inspect', `${registries.plain!.host}/team/app:single`].concat([
          '--ca-file',
          registries.basic!.ca!.caCertPath,
        ]),
      /^error: TLS connection to 127\.0\.0\.1:\d+ failed \(the server did not answer with TLS\); the registry seems to speak plain HTTP: set "insecure: true" .*\n$/,
    ],
    [
      'missing credentials',
      () => ['inspect', `${registries.token!.host}/team/app:single`, '--insecure'],
      /^error: (authentication required for 127\.0\.0\.1:\d+\/team\/app:single: no credentials found for 127\.0\.0\.1:\d+|token server .* refused anonymous access).*\n$/,
    ],
    [
      'wrong credentials',
      () => [
        'inspect',
        `${registries.basic!.host}/team/app:single`,
        '--ca-file',
        registries.basic!.ca!.caCertPath,
        '--authfile',
        wrongAuthFile(),
      ],
      /^error: authentication failed for 127\.0\.0\.1:\d+\/team\/app:single: the credentials for 127\.0\.0\.1:\d+ from .*were refused\n$/,
    ],
    [
      'a missing tag',
      () => ['inspect', `${registries.plain!.host}/team/app:nope`, '--insecure'],
      /^error: 127\.0\.0\.1:\d+\/team\/app:nope not found: repository 127\.0\.0\.1:\d+\/team\/app has no tag "nope"\n$/,
    ],
    [
      'a missing repository',
      () => ['inspect', `${registries.plain!.host}/team/none:1`, '--insecure'],
      /^error: 127\.0\.0\.1:\d+\/team\/none:1 not found: repository 127\.0\.0\.1:\d+\/team\/none does not exist\n$/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const result = await runCli(args());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('never shows a credential in any output', async () => {
    const basic = registries.basic!;
    const runs = await Promise.all([
      runCli(['inspect', `${basic.host}/team/app:single`, '--json', ...accessFlags(basic)]),
      runCli(['inspect', `${basic.host}/team/app:nope`, ...accessFlags(basic)]),
      runCli([
        'inspect',
        `${basic.host}/team/app:single`,
        '--ca-file',
        basic.ca!.caCertPath,
        '--authfile',
        wrongAuthFile(),
      ]),
      runCli(['inspect', `${registries.token!.host}/team/app:nope`, ...accessFlags(registries.token!)]),
    ]);
    const secrets = [
      basic.password!,
      registries.token!.password!,
      'wrong-password',
      Buffer.from(`${basic.username}:${basic.password}`).toString('base64'),
    ];
    for (const run of runs) {
      for (const secret of secrets) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
    }
  });
});

function wrongAuthFile(): string {
  const basic = registries.basic!;
  const path = join(work.path, 'wrong-auth.json');
  writeFileSync(
    path,
    JSON.stringify({ auths: { [basic.host]: { username: basic.username, password: 'wrong-password' } } }),
  );
  return path;
}

describe('token auth', () => {
  it('fetches one token per repository and reuses it for every request', async () => {
    const token = registries.token!;
    token.tokenServer!.clearRequests();
    const repositories = new Repositories({
      env: {},
      credentials: createCredentialStore({ env: {}, homeDir: work.path, authFile: authFileFor(token) }),
    });
    try {
      for (const tag of TAGS) {
        const source = parseImageSource(`${token.host}/team/app:${tag}`);
        await inspectImage(repositories.open(source, { insecure: true }), source);
      }
    } finally {
      await repositories.close();
    }
    const issued = token.tokenServer!.requests.filter((r) => r.status === 200);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ scopes: ['repository:team/app:pull'], hasCredentials: true, method: 'GET' });
  });

  it('exchanges an identity token with an OAuth2 refresh_token POST', async () => {
    const token = registries.token!;
    const refreshToken = await offlineRefreshToken(token);
    const authfile = join(work.path, 'identity-auth.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [token.host]: { identitytoken: refreshToken } } }));
    token.tokenServer!.clearRequests();
    const result = await runCli(['inspect', `${token.host}/team/app:single`, '--insecure', '--authfile', authfile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(token.tokenServer!.requests).toEqual([
      expect.objectContaining({ method: 'POST', grantType: 'refresh_token', hasCredentials: true, status: 200 }),
    ]);
    expect(result.stdout).not.toContain(refreshToken);
  });
});

function authFileFor(registry: RegistryHandle): string {
  return accessFlags(registry)[accessFlags(registry).indexOf('--authfile') + 1]!;
}

/** A refresh token from the token server's password grant with access_type=offline, as `docker login` gets one. */
async function offlineRefreshToken(registry: RegistryHandle): Promise<string> {
  const server = registry.tokenServer!;
  const form = new URLSearchParams({
    grant_type: 'password',
    username: registry.username!,
    password: registry.password!,
    service: server.service,
    client_id: 'test',
    access_type: 'offline',
  });
  const res = await fetch(server.realm, { method: 'POST', body: form });
  const body = (await res.json()) as { refresh_token?: string };
  expect(body.refresh_token).toBeTruthy();
  return body.refresh_token!;
}

describe('mutual TLS', () => {
  it('presents the client certificate found in certs.d/HOST:PORT, as docker and podman do', async () => {
    const mtls = await startRegistry({ mode: 'plain', tls: true, clientCertificates: true });
    try {
      await pushLayout(layout.dir, 'single', mtls, 'team/app:single');
      const home = join(work.path, 'home-mtls');
      const reference = `${mtls.host}/team/app:single`;

      const without = await runCli(['inspect', reference, '--ca-file', mtls.ca!.caCertPath], { env: { HOME: home } });
      expect(without.code).toBe(1);
      expect(without.stderr).toMatch(/^error: (TLS connection to|cannot reach registry) 127\.0\.0\.1:\d+/);

      writeCertsDir(mtls.pki!, join(home, '.config', 'containers', 'certs.d', mtls.host), { client: true });
      const withCert = await runCli(['inspect', reference, '--json'], { env: { HOME: home } });
      expect(withCert.stderr).toBe('');
      expect(JSON.parse(withCert.stdout).digest).toBe(layout.tags.single!.digest);
    } finally {
      await mtls.stop();
    }
  });
});
