import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_YAML_TOKENS } from '../../src/core/yaml-limits.js';
import {
  type CredentialLookup,
  type CredentialStoreOptions,
  CredentialsError,
  createCredentialStore,
} from '../../src/credentials/index.js';
import { MAX_DOUBLE_QUOTED_CHARS } from '../../src/credentials/yaml-cost-limits.js';

const FIXTURES = new URL('../fixtures/credentials/', import.meta.url);
const b64 = (text: string) => Buffer.from(text).toString('base64');
const basicAuths = (entries: Record<string, string>) => ({
  auths: Object.fromEntries(Object.entries(entries).map(([key, password]) => [key, { auth: b64(`user:${password}`) }])),
});

let root: string;
let home: string;
let bin: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagestreams-credentials-'));
  home = join(root, 'home');
  bin = join(root, 'bin');
  await mkdir(home);
  await mkdir(bin);
  for (const name of ['test', 'teststore']) {
    await copyFile(new URL('fake-credential-helper.sh', FIXTURES), join(bin, `docker-credential-${name}`));
    await chmod(join(bin, `docker-credential-${name}`), 0o755);
  }
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content: unknown): Promise<string> {
  const full = join(root, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, typeof content === 'string' ? content : JSON.stringify(content));
  return full;
}

function store(options: Partial<CredentialStoreOptions> = {}) {
  return createCredentialStore({
    homeDir: home,
    catalogDir: root,
    helperTimeoutMs: 5_000,
    ...options,
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...options.env },
  });
}

const lookup = (host: string, repository = 'org/app', scheme: 'https' | 'http' = 'https'): CredentialLookup => ({
  host,
  scheme,
  repository,
});

async function passwordFound(s: ReturnType<typeof store>, l: CredentialLookup): Promise<string | undefined> {
  const found = await s.find(l);
  return found?.credential.kind === 'basic' ? found.credential.password : found?.credential.kind;
}

describe('the order of credential sources', () => {
  beforeEach(async () => {
    await put('secrets/pull.json', basicAuths({ 'quay.io': 'from-catalog' }));
    await put('given/auth.json', basicAuths({ 'quay.io': 'from-authfile', 'ghcr.io': 'from-authfile' }));
    await put('env/auth.json', basicAuths({ 'quay.io': 'from-env-authfile', 'ghcr.io': 'from-env-authfile' }));
    await put(
      'run/containers/auth.json',
      basicAuths({ 'quay.io': 'from-runtime', 'ghcr.io': 'x', 'gcr.io': 'from-runtime' }),
    );
    await put(
      'home/.docker/config.json',
      basicAuths({ 'quay.io': 'from-docker', 'gcr.io': 'x', 'k8s.io': 'from-docker' }),
    );
  });

  const full = () =>
    store({
      catalogSecrets: [{ key: 'quay.io', path: 'secrets/pull.json' }],
      authFile: join(root, 'given/auth.json'),
      env: { REGISTRY_AUTH_FILE: join(root, 'env/auth.json'), XDG_RUNTIME_DIR: join(root, 'run') },
    });

  it.each([
    ['quay.io', 'from-catalog'],
    ['ghcr.io', 'from-authfile'],
    ['gcr.io', 'from-runtime'],
    ['k8s.io', 'from-docker'],
    ['nothing.io', undefined],
  ])('takes %s from the first source that has it', async (host, expected) => {
    expect(await passwordFound(full(), lookup(host))).toBe(expected);
  });

  it('says where each credential came from', async () => {
    const s = full();
    expect((await s.find(lookup('quay.io')))?.source).toBe(
      'catalog secret secrets/pull.json for quay.io (key quay.io)',
    );
    expect((await s.find(lookup('ghcr.io')))?.source).toBe(`--authfile ${join(root, 'given/auth.json')} (key ghcr.io)`);
    expect((await s.find(lookup('gcr.io')))?.source).toBe(
      `containers auth file ${join(root, 'run/containers/auth.json')} (key gcr.io)`,
    );
    expect((await s.find(lookup('k8s.io')))?.source).toBe('docker config ~/.docker/config.json (key k8s.io)');
  });

  it('uses REGISTRY_AUTH_FILE when no --authfile is given', async () => {
    const s = store({ env: { REGISTRY_AUTH_FILE: join(root, 'env/auth.json') } });
    expect(await passwordFound(s, lookup('ghcr.io'))).toBe('from-env-authfile');
    expect((await s.find(lookup('ghcr.io')))?.source).toBe(
      `REGISTRY_AUTH_FILE ${join(root, 'env/auth.json')} (key ghcr.io)`,
    );
  });

  it('reads $DOCKER_CONFIG/config.json instead of ~/.docker/config.json', async () => {
    await put('dockercfg-dir/config.json', basicAuths({ 'k8s.io': 'from-docker-config-env' }));
    const s = store({ env: { DOCKER_CONFIG: join(root, 'dockercfg-dir') } });
    expect(await passwordFound(s, lookup('k8s.io'))).toBe('from-docker-config-env');
  });

  it('lets the first source with a matching entry win over a more specific entry further down', async () => {
    await put('given/auth.json', basicAuths({ 'quay.io/org/app': 'specific-in-authfile' }));
    await put('home/.docker/config.json', basicAuths({ 'quay.io': 'broad-in-docker' }));
    const s = store({ authFile: join(root, 'given/auth.json') });
    expect(await passwordFound(s, lookup('quay.io', 'org/app'))).toBe('specific-in-authfile');
    expect(await passwordFound(s, lookup('quay.io', 'org/other'))).toBe('broad-in-docker');
  });
});

describe('catalog pull secrets', () => {
  it('tries the most specific registry key first', async () => {
    await put('secrets/org.json', basicAuths({ 'quay.io': 'org-robot' }));
    await put('secrets/all.json', basicAuths({ 'quay.io': 'general' }));
    const s = store({
      catalogSecrets: [
        { key: 'quay.io', path: 'secrets/all.json' },
        { key: 'quay.io/org', path: 'secrets/org.json' },
      ],
    });
    expect(await passwordFound(s, lookup('quay.io', 'org/app'))).toBe('org-robot');
    expect(await passwordFound(s, lookup('quay.io', 'other/app'))).toBe('general');
  });

  it('falls back to a broader catalog key whose secret has the entry', async () => {
    await put('secrets/org.json', basicAuths({ 'quay.io/org/tool': 'tool-robot' }));
    await put('secrets/all.json', basicAuths({ 'quay.io': 'general' }));
    const s = store({
      catalogSecrets: [
        { key: 'quay.io/org', path: 'secrets/org.json' },
        { key: 'quay.io', path: 'secrets/all.json' },
      ],
    });
    expect(await passwordFound(s, lookup('quay.io', 'org/app'))).toBe('general');
    expect(await passwordFound(s, lookup('quay.io', 'org/tool'))).toBe('tool-robot');
  });

  it('uses a secret only for the registry its catalog key names', async () => {
    await put('secrets/redhat.json', basicAuths({ 'registry.redhat.io': 'rh', 'quay.io': 'quay-in-redhat-secret' }));
    const s = store({ catalogSecrets: [{ key: 'registry.redhat.io', path: 'secrets/redhat.json' }] });
    expect(await passwordFound(s, lookup('registry.redhat.io'))).toBe('rh');
    expect(await passwordFound(s, lookup('quay.io'))).toBeUndefined();
  });

  it('reads Kubernetes Secrets, relative to the catalog directory', async () => {
    await copyFile(new URL('secret-dockerconfigjson.yaml', FIXTURES), await put('secrets/pull.yaml', ''));
    const s = store({ catalogSecrets: [{ key: 'registry.redhat.io', path: 'secrets/pull.yaml' }] });
    expect(await s.find(lookup('registry.redhat.io', 'ubi9/ubi'))).toEqual({
      credential: { kind: 'basic', username: 'rh-user', password: 'pw-fixture-redhat' },
      source: 'catalog secret secrets/pull.yaml for registry.redhat.io (key registry.redhat.io)',
    });
  });

  it('shows absolute secret paths beside the catalog relative to it', async () => {
    const path = await put('secrets/pull.json', basicAuths({ 'quay.io': 'p' }));
    const s = store({ catalogSecrets: [{ key: 'quay.io', path }] });
    expect((await s.find(lookup('quay.io')))?.source).toBe(
      'catalog secret secrets/pull.json for quay.io (key quay.io)',
    );
  });

  it('reports a missing secret file when its registry is looked up, and only then', async () => {
    const s = store({ catalogSecrets: [{ key: 'quay.io', path: 'secrets/missing.yaml' }] });
    expect(await s.find(lookup('ghcr.io'))).toBeUndefined();
    await expect(s.find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('catalog secret secrets/missing.yaml for quay.io: the file does not exist'),
    );
  });

  it('refuses a catalog key that names no registry', () => {
    expect(() => store({ catalogSecrets: [{ key: '/nothing', path: 'x' }] })).toThrow(
      'catalog registry key "/nothing" names no registry host',
    );
  });
});

describe('missing files', () => {
  it('skips default files that do not exist', async () => {
    const s = store({ env: { XDG_RUNTIME_DIR: join(root, 'no-runtime'), DOCKER_CONFIG: join(root, 'no-docker') } });
    expect(await s.find(lookup('quay.io'))).toBeUndefined();
  });

  it('names a file that is a directory', async () => {
    await mkdir(join(home, '.docker', 'config.json'), { recursive: true });
    await expect(store().find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('docker config ~/.docker/config.json: it is a directory'),
    );
  });

  it('names the file and place of a syntax error', async () => {
    await put('home/.docker/config.json', '{\n  "auths": {},\n}\n');
    await expect(store().find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('docker config ~/.docker/config.json:3:1: invalid JSON'),
    );
  });
});

describe('registry matching through the store', () => {
  it.each([
    ['a plain-http registry on port 80', 'host:80', lookup('host', 'a', 'http'), true],
    ['an https registry on port 443', 'host:443', lookup('host', 'a', 'https'), true],
    ['port 80 for an https registry', 'host:80', lookup('host', 'a', 'https'), false],
    ['Docker Hub by its v1 URL', 'https://index.docker.io/v1/', lookup('docker.io', 'library/alpine'), true],
    ['Docker Hub by its API host', 'registry-1.docker.io', lookup('docker.io', 'library/alpine'), true],
    ['Docker Hub looked up by its legacy host', 'docker.io', lookup('index.docker.io', 'library/alpine'), true],
    ['a namespace', 'quay.io/org', lookup('quay.io', 'org/app'), true],
    ['another namespace', 'quay.io/org', lookup('quay.io', 'orgx/app'), false],
  ])('matches %s: %s', async (_case, key, l, expected) => {
    await put('home/.docker/config.json', basicAuths({ [key]: 'found' }));
    expect(await passwordFound(store(), l)).toBe(expected ? 'found' : undefined);
  });

  it('takes the longest path prefix within a file', async () => {
    await put(
      'home/.docker/config.json',
      basicAuths({ 'quay.io': 'broad', 'quay.io/org/app': 'app', 'quay.io/org': 'org' }),
    );
    expect(await passwordFound(store(), lookup('quay.io', 'org/app'))).toBe('app');
    expect(await passwordFound(store(), lookup('quay.io', 'org/lib'))).toBe('org');
    expect(await passwordFound(store(), lookup('quay.io', 'other/lib'))).toBe('broad');
  });
});

describe('credential helpers in a docker config', () => {
  const config = {
    auths: {
      'ecr.example.com': {},
      'inline.example': { auth: b64('inline:pw-inline') },
      'unknown.example': { auth: b64('u:pw-fallback') },
    },
    credHelpers: { 'ecr.example.com': 'test', 'unknown.example': 'test', 'missing-helper.example': 'absent' },
    credsStore: 'teststore',
  };

  it('asks the registry’s helper before the credential store', async () => {
    await put('home/.docker/config.json', config);
    expect(await store().find(lookup('ecr.example.com'))).toEqual({
      credential: { kind: 'basic', username: 'docker-credential-test', password: 'pw-helper-found' },
      source: 'docker config ~/.docker/config.json (credHelpers: test)',
    });
  });

  it('falls back to the auths entry when the helper has nothing', async () => {
    await put('home/.docker/config.json', config);
    expect((await store().find(lookup('unknown.example')))?.source).toBe(
      'docker config ~/.docker/config.json (key unknown.example)',
    );
  });

  it('asks the credential store for a registry without helper or entry', async () => {
    await put('home/.docker/config.json', config);
    expect(await store().find(lookup('store.example'))).toEqual({
      credential: { kind: 'basic', username: 'docker-credential-teststore', password: 'pw-helper-found' },
      source: 'docker config ~/.docker/config.json (credsStore: teststore)',
    });
  });

  it('keeps looking when a configured helper is not installed', async () => {
    await put('home/.docker/config.json', config);
    await put('run/containers/auth.json', { credHelpers: { 'missing-helper.example': 'absent' } });
    const s = store({ env: { XDG_RUNTIME_DIR: join(root, 'run') } });
    expect(await s.find(lookup('missing-helper.example'))).toBeUndefined();
  });

  it('asks for Docker Hub with the server URL docker uses', async () => {
    await put('home/.docker/config.json', { credsStore: 'teststore' });
    const log = join(root, 'calls.log');
    const s = store({ env: { HELPER_LOG: log } });
    expect((await s.find(lookup('docker.io', 'library/alpine')))?.credential).toEqual({
      kind: 'basic',
      username: 'docker-credential-teststore',
      password: 'pw-helper-found',
    });
    await s.find(lookup('docker.io', 'library/busybox'));
    expect(await readFile(log, 'utf8')).toBe('docker-credential-teststore https://index.docker.io/v1/\n');
  });

  it('passes an identity token on', async () => {
    await put('home/.docker/config.json', { credHelpers: { 'token.example': 'test' } });
    expect((await store().find(lookup('token.example')))?.credential).toEqual({
      kind: 'identityToken',
      token: 'idtoken-helper',
    });
  });

  it('fails with the helper’s name when it fails', async () => {
    await put('home/.docker/config.json', { credHelpers: { 'failing.example': 'test' } });
    await expect(store().find(lookup('failing.example'))).rejects.toThrow(
      'credential helper docker-credential-test exited with code 2 for failing.example',
    );
  });
});

describe('identity and registry tokens in auth files', () => {
  it('returns them as they are', async () => {
    await copyFile(new URL('docker-config.json', FIXTURES), await put('home/.docker/config.json', ''));
    const s = store();
    expect((await s.find(lookup('registry.example.com')))?.credential).toEqual({
      kind: 'identityToken',
      username: 'example-user',
      token: 'idtoken-fixture-example',
    });
    expect((await s.find(lookup('token.example.com')))?.credential).toEqual({
      kind: 'registryToken',
      token: 'regtoken-fixture',
    });
  });
});

describe('reading files', () => {
  it('reads each file once', async () => {
    const path = await put('home/.docker/config.json', basicAuths({ 'quay.io': 'first' }));
    const s = store();
    expect(await passwordFound(s, lookup('quay.io'))).toBe('first');
    await writeFile(path, JSON.stringify(basicAuths({ 'quay.io': 'second' })));
    expect(await passwordFound(s, lookup('quay.io', 'another/repo'))).toBe('first');
  });

  it('accepts a JSON file that begins with a UTF-8 byte-order mark, as Windows editors write it', async () => {
    const json = JSON.stringify(basicAuths({ 'quay.io': 'from-docker' }));
    await put('home/.docker/config.json', `\uFEFF${json}`);
    const secret = await put('secrets/pull.json', `\uFEFF${JSON.stringify(basicAuths({ 'ghcr.io': 'from-catalog' }))}`);
    const s = store({ catalogSecrets: [{ key: 'ghcr.io', path: secret }] });
    expect(await passwordFound(s, lookup('quay.io'))).toBe('from-docker');
    expect(await passwordFound(s, lookup('ghcr.io'))).toBe('from-catalog');
  });

  it('refuses a file nested deeper than any credentials file before parsing it', async () => {
    await put('home/.docker/config.json', `{"auths": {"quay.io": ${'['.repeat(100)}${']'.repeat(100)}}}`);
    await expect(store().find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('docker config ~/.docker/config.json: the file nests more than 64 levels deep'),
    );
  });

  it('refuses a Secret whose .dockerconfigjson is nested deeper than any, and counts no bracket in a string', async () => {
    const deep = b64(`{"auths": {"quay.io": ${'['.repeat(100)}${']'.repeat(100)}}}`);
    const secret = { kind: 'Secret', apiVersion: 'v1', type: 'kubernetes.io/dockerconfigjson' };
    const path = await put('secrets/pull.json', { ...secret, data: { '.dockerconfigjson': deep } });
    await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError(`secrets/pull.json: data[".dockerconfigjson"] nests more than 64 levels deep`),
    );
    const bracketed = { 'quay.io': { username: 'u', password: `${'['.repeat(100)}\\"{` } };
    await put('home/.docker/config.json', { auths: bracketed });
    expect(await passwordFound(store(), lookup('quay.io'))).toBe(`${'['.repeat(100)}\\"{`);
  });

  it('reads a YAML file whose comments and unquoted or single-quoted passwords hold brackets, as the YAML library does', async () => {
    const registries = Array.from({ length: 70 }, (_, i) => [
      `  r${i}.example:`,
      '    username: u',
      `    password: p{[${i}`,
    ]);
    const yaml = [
      `# ${'['.repeat(70)}`,
      'auths:',
      ...registries.flat(),
      "  quay.io: {username: u, password: '{[\"'}",
      '',
    ];
    const path = await put('secrets/pull.yaml', yaml.join('\n'));
    const s = store({ catalogSecrets: ['r69.example', 'quay.io'].map((key) => ({ key, path })) });
    expect(await passwordFound(s, lookup('r69.example'))).toBe('p{[69');
    expect(await passwordFound(s, lookup('quay.io'))).toBe('{["');
  });

  it('refuses YAML nested deeper than any credentials file, however its quotes and comments would hide the brackets', async () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    for (const hiding of [`a: '"'\nb: ${deep}\n`, `# "\nb: ${deep}\n`, `a: x"y\nb: ${deep}\n`]) {
      const path = await put('secrets/pull.yaml', hiding);
      await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
        new CredentialsError('secrets/pull.yaml: the file nests more than 64 levels deep'),
      );
    }
  });

  it('names a key written twice in a YAML pull secret, where it is written the second time', async () => {
    const yaml = ['auths:', '  quay.io: {auth: dTpw}', '  ghcr.io: {auth: dTpw}', '  quay.io: {auth: dTpw}', ''];
    const path = await put('secrets/pull.yaml', yaml.join('\n'));
    await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('secrets/pull.yaml:4:3: invalid YAML: duplicate key'),
    );
  });

  it('reads a YAML pull secret of 20,000 registries, within the token limit', async () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  h${i}.example: {auth: ${b64('u:p')}}`);
    const path = await put('secrets/pull.yaml', ['auths:', ...keys, ''].join('\n'));
    const s = store({ catalogSecrets: [{ key: 'h19999.example', path }] });
    expect(await passwordFound(s, lookup('h19999.example'))).toBe('p');
  }, 20_000);

  it('refuses a YAML file of more tokens than a catalog may hold before the library builds it', async () => {
    const path = await put('secrets/pull.yaml', `auths:\n${'  - [a]\n'.repeat(100_000)}`);
    await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError(`secrets/pull.yaml: the file has too many YAML tokens (more than ${MAX_YAML_TOKENS})`),
    );
  });

  it('refuses a YAML file of more double-quoted text than credentials need, which the library builds a character at a time', async () => {
    const password = 'p'.repeat(MAX_DOUBLE_QUOTED_CHARS / 2);
    const path = await put(
      'secrets/pull.yaml',
      `auths:\n  quay.io: {username: "${password}", password: "${password}"}\n`,
    );
    await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError('secrets/pull.yaml: the file has more than 2 MiB of double-quoted strings'),
    );
    await put('secrets/pull.yaml', `auths:\n  quay.io: {username: u, password: "${password}"}\n`);
    expect(await passwordFound(store({ catalogSecrets: [{ key: 'quay.io', path }] }), lookup('quay.io'))).toBe(
      password,
    );
  });

  it('prints nothing of a YAML key that is a collection, as the YAML library would when it turns it into text', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const path = await put('secrets/pull.yaml', 'auths:\n  ? {password: hunter2}\n  : {auth: dTpw}\n');
    await store({ catalogSecrets: [{ key: 'quay.io', path }] })
      .find(lookup('quay.io'))
      .catch(() => undefined);
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });

  it('counts each line of a YAML scalar of many lines as a token, as the library keeps as much for it', async () => {
    const path = await put('secrets/pull.yaml', `auths: |\n${'  x\n'.repeat(MAX_YAML_TOKENS)}`);
    await expect(store({ catalogSecrets: [{ key: 'quay.io', path }] }).find(lookup('quay.io'))).rejects.toThrow(
      new CredentialsError(`secrets/pull.yaml: the file has too many YAML tokens (more than ${MAX_YAML_TOKENS})`),
    );
  });

  it('accepts a leading byte-order mark only', async () => {
    await put('home/.docker/config.json', `\uFEFF\uFEFF${JSON.stringify(basicAuths({ 'quay.io': 'x' }))}`);
    await expect(store().find(lookup('quay.io'))).rejects.toThrow(
      /^docker config ~\/\.docker\/config\.json(:1:1)?: invalid JSON$/,
    );
  });
});

describe('describeSources', () => {
  it('lists the sources in the order they are consulted, marking files found missing', async () => {
    await put('secrets/a.json', basicAuths({ 'quay.io': 'a' }));
    await put('run/containers/auth.json', {});
    const s = store({
      catalogSecrets: [
        { key: 'quay.io', path: 'secrets/a.json' },
        { key: 'quay.io/org', path: 'secrets/a.json' },
        { key: 'ghcr.io', path: 'secrets/b.json' },
      ],
      env: { XDG_RUNTIME_DIR: join(root, 'run') },
    });
    const runtime = `containers auth file ${join(root, 'run/containers/auth.json')}`;
    expect(s.describeSources()).toEqual([
      'catalog secret secrets/a.json for quay.io',
      'catalog secret secrets/a.json for quay.io/org',
      'catalog secret secrets/b.json for ghcr.io',
      runtime,
      'containers auth file ~/.config/containers/auth.json',
      'docker config ~/.docker/config.json',
      'legacy docker config ~/.dockercfg',
    ]);
    await s.find(lookup('nothing.io'));
    expect(s.describeSources(lookup('quay.io', 'org/app'))).toEqual([
      'catalog secret secrets/a.json for quay.io/org',
      'catalog secret secrets/a.json for quay.io',
      runtime,
      'containers auth file ~/.config/containers/auth.json (no such file)',
      'docker config ~/.docker/config.json (no such file)',
      'legacy docker config ~/.dockercfg (no such file)',
    ]);
  });
});

describe('secrets never appear in messages', () => {
  const SECRET = /pw-|idtoken|regtoken|cHct/;

  async function messagesOfMalformedFiles(): Promise<string[]> {
    const names = (await readdir(FIXTURES)).filter((name) => /^(bad|opaque|deployment)/.test(name));
    expect(names.length).toBeGreaterThan(5);
    const messages: string[] = [];
    for (const name of names) {
      await copyFile(new URL(name, FIXTURES), await put(`secrets/${name}`, ''));
      const s = store({ catalogSecrets: [{ key: 'quay.io', path: `secrets/${name}` }] });
      messages.push(
        await s.find(lookup('quay.io')).then(
          () => `no error for ${name}`,
          (e: Error) => e.message,
        ),
      );
    }
    return messages;
  }

  it('in errors about malformed files', async () => {
    const messages = await messagesOfMalformedFiles();
    for (const message of messages) {
      expect(message).toMatch(/^secrets\/\S+: /);
      expect(message).not.toMatch(SECRET);
    }
  });

  it('in errors from credential helpers', async () => {
    await put('home/.docker/config.json', { credHelpers: { 'failing.example': 'test', 'garbage.example': 'test' } });
    for (const host of ['failing.example', 'garbage.example']) {
      const message = await store()
        .find(lookup(host))
        .then(
          () => 'no error',
          (e: Error) => e.message,
        );
      expect(message).toMatch(/docker-credential-test/);
      expect(message).not.toMatch(SECRET);
    }
  });

  it('in the sources found credentials are attributed to', async () => {
    await copyFile(new URL('docker-config.json', FIXTURES), await put('home/.docker/config.json', ''));
    const s = store();
    const sources = [];
    for (const host of ['docker.io', 'registry.example.com', 'token.example.com']) {
      sources.push((await s.find(lookup(host, 'library/alpine')))?.source);
    }
    expect(sources).toHaveLength(3);
    for (const source of sources) expect(source).not.toMatch(SECRET);
  });
});
