import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CredentialStoreOptions, CredentialsError, createCredentialStore } from '../../src/credentials/index.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const entry = (password: string) => ({ auth: b64(`user:${password}`) });

/** Where each file lives, relative to a temporary root holding `home/`, `run/`, `xdg-config/`, `docker-config/`. */
const FILES = {
  authfile: 'named/auth.json',
  runtime: 'run/containers/auth.json',
  xdgConfig: 'xdg-config/containers/auth.json',
  dotConfig: 'home/.config/containers/auth.json',
  dockerConfigEnv: 'docker-config/config.json',
  docker: 'home/.docker/config.json',
  dockercfg: 'home/.dockercfg',
} as const;
type FileName = keyof typeof FILES;

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'imagestreams-credentials-order-'));
  await mkdir(join(root, 'home'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes each named file with an entry for quay.io whose password is the file's name. */
async function writeFiles(names: readonly FileName[]): Promise<void> {
  for (const name of names) {
    const path = join(root, FILES[name]);
    await mkdir(dirname(path), { recursive: true });
    const entries = { 'quay.io': entry(name) };
    await writeFile(path, JSON.stringify(name === 'dockercfg' ? entries : { auths: entries }));
  }
}

function store(options: Partial<CredentialStoreOptions> = {}) {
  return createCredentialStore({ homeDir: join(root, 'home'), env: {}, ...options });
}

async function winner(options: Partial<CredentialStoreOptions> = {}): Promise<string | undefined> {
  const found = await store(options).find({ host: 'quay.io', repository: 'org/app', scheme: 'https' });
  return found?.credential.kind === 'basic' ? found.credential.password : undefined;
}

describe('the order of the user credential files (containers-auth.json(5), then docker)', () => {
  const env = () => ({ XDG_RUNTIME_DIR: join(root, 'run') });
  it.each<[FileName[], FileName | undefined]>([
    [['authfile', 'runtime', 'dotConfig', 'docker', 'dockercfg'], 'authfile'],
    [['runtime', 'dotConfig', 'docker', 'dockercfg'], 'runtime'],
    [['dotConfig', 'docker', 'dockercfg'], 'dotConfig'],
    [['docker', 'dockercfg'], 'docker'],
    [['dockercfg'], 'dockercfg'],
    [[], undefined],
  ])('with %j present, the credential comes from %s', async (present, expected) => {
    await writeFiles(present);
    const authFile = present.includes('authfile') ? { authFile: join(root, FILES.authfile) } : {};
    expect(await winner({ env: env(), ...authFile })).toBe(expected);
  });

  it('reads $XDG_CONFIG_HOME/containers/auth.json instead of ~/.config/containers/auth.json', async () => {
    await writeFiles(['xdgConfig', 'dotConfig', 'docker']);
    expect(await winner({ env: { XDG_CONFIG_HOME: join(root, 'xdg-config') } })).toBe('xdgConfig');
  });

  it('reads $DOCKER_CONFIG/config.json instead of ~/.docker/config.json, and ~/.dockercfg after it', async () => {
    await writeFiles(['dockerConfigEnv', 'docker', 'dockercfg']);
    expect(await winner({ env: { DOCKER_CONFIG: join(root, 'docker-config') } })).toBe('dockerConfigEnv');
    await rm(join(root, FILES.dockerConfigEnv));
    expect(await winner({ env: { DOCKER_CONFIG: join(root, 'docker-config') } })).toBe('dockercfg');
  });

  it('lists the files in that order', () => {
    expect(store({ env: env() }).describeSources()).toEqual([
      `containers auth file ${join(root, 'run/containers/auth.json')}`,
      'containers auth file ~/.config/containers/auth.json',
      'docker config ~/.docker/config.json',
      'legacy docker config ~/.dockercfg',
    ]);
  });

  it('reads the legacy ~/.dockercfg, whose registries are at the top level', async () => {
    await writeFile(
      join(root, FILES.dockercfg),
      JSON.stringify({ 'https://quay.io': { auth: b64('legacy:pw'), email: 'a@example.com' } }),
    );
    const found = await store().find({ host: 'quay.io', repository: 'org/app', scheme: 'https' });
    expect(found?.source).toBe('legacy docker config ~/.dockercfg (key https://quay.io)');
  });
});

describe('a named auth file (--authfile, REGISTRY_AUTH_FILE) that cannot be used fails when the store is made', () => {
  const named = () => join(root, 'named.json');
  it.each<[string, () => Promise<void>, string]>([
    ['missing', async () => {}, 'the file does not exist'],
    ['a directory', () => mkdir(named()), 'it is a directory'],
    ['a FIFO', async () => void execFileSync('mkfifo', [named()]), 'it is a FIFO'],
    ['not JSON', () => writeFile(named(), '{"auths": '), 'invalid JSON'],
  ])('%s', async (_what, make, problem) => {
    await make();
    expect(() => store({ authFile: named() })).toThrow(CredentialsError);
    expect(() => store({ authFile: named() })).toThrow(problem);
    expect(() => store({ env: { REGISTRY_AUTH_FILE: named() } })).toThrow(problem);
  });

  it('names the flag or the variable that named it', async () => {
    expect(() => store({ authFile: named() })).toThrow(`--authfile ${named()}: the file does not exist`);
    expect(() => store({ env: { REGISTRY_AUTH_FILE: named() } })).toThrow(
      `REGISTRY_AUTH_FILE ${named()}: the file does not exist`,
    );
  });

  it('while a default file that is missing is skipped', async () => {
    expect(await winner({ env: { XDG_RUNTIME_DIR: join(root, 'nowhere'), DOCKER_CONFIG: join(root, 'no') } })).toBe(
      undefined,
    );
  });
});
