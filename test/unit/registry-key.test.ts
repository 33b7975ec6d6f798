import { describe, expect, it } from 'vitest';
import { matchRegistrySettings, registrySettingsOfHost } from '../../src/config/index.js';
import type { RegistrySettings } from '../../src/core/catalog.js';
import {
  bestMatch,
  parseCatalogRegistryKey,
  parseRegistryKey,
  type RegistryScheme,
  registryKeyProblem,
  registryTarget,
} from '../../src/core/registry-key.js';
import { createCredentialStore } from '../../src/credentials/index.js';

describe('an auth file key', () => {
  it.each([
    ['host', { host: 'host', path: [] }],
    ['host:5000', { host: 'host', port: 5000, path: [] }],
    ['https://host', { host: 'host', path: [] }],
    ['https://host/v1/', { host: 'host', path: [] }],
    ['http://host:5000', { host: 'host', port: 5000, path: [] }],
    ['host/path/prefix', { host: 'host', path: ['path', 'prefix'] }],
    ['https://index.docker.io/v1/', { host: 'docker.io', path: [] }],
    ['docker.io', { host: 'docker.io', path: [] }],
    ['index.docker.io', { host: 'docker.io', path: [] }],
    ['registry-1.docker.io', { host: 'docker.io', path: [] }],
    ['HOST.Example:5000', { host: 'host.example', port: 5000, path: [] }],
    ['host/', { host: 'host', path: [] }],
    ['host/team/', { host: 'host', path: ['team'] }],
  ])('%j names %j', (text, expected) => {
    expect(parseRegistryKey(text)).toEqual({ text, ...expected });
  });
});

describe('a catalog registries key', () => {
  it.each([
    ['host', { host: 'host', path: [] }],
    ['host:5000/team/app', { host: 'host', port: 5000, path: ['team', 'app'] }],
    ['index.docker.io/bitnami', { host: 'docker.io', path: ['bitnami'] }],
    ['Quay.IO', { host: 'quay.io', path: [] }],
  ])('%j names %j', (text, expected) => {
    expect(parseCatalogRegistryKey(text)).toEqual({ text, ...expected });
  });

  it.each([
    ['https://host', 'a registry key has no scheme: write host[:port][/path]'],
    ['https://index.docker.io/v1/', 'a registry key has no scheme: write host[:port][/path]'],
    ['host/', 'a registry key does not end with "/"'],
    ['host:0', 'invalid port 0'],
    ['host:99999', 'invalid port 99999'],
    ['bad_host', 'invalid registry host "bad_host"'],
    ['host/Team', 'invalid repository path component "Team"'],
    ['host//team', 'invalid repository path component ""'],
  ])('%j is refused: %s', (text, problem) => {
    expect(registryKeyProblem(text)).toBe(problem);
    expect(parseCatalogRegistryKey(text)).toBeUndefined();
  });
});

function registry(key: string): RegistrySettings {
  return { key, insecure: false, location: { file: 'c.yaml', line: 1, column: 1 } };
}

/** Which of `keys` the registry settings and the credentials each pick for `host/repository`. */
function chosenKeys(keys: string[], host: string, repository: string, scheme: RegistryScheme = 'https') {
  const settings = matchRegistrySettings({ registries: keys.map(registry) }, host, repository, scheme)?.key;
  const target = registryTarget(host, repository, scheme);
  const credential = target && bestMatch(keys, parseRegistryKey, target);
  return { settings, credential };
}

describe('registry settings and credentials pick the same key', () => {
  it.each([
    [['registry.example:443'], 'registry.example', 'team/app', 'registry.example:443'],
    [['registry.example'], 'registry.example:443', 'team/app', 'registry.example'],
    [['registry.example:5000'], 'registry.example', 'team/app', undefined],
    [['registry.example:80'], 'registry.example', 'team/app', undefined],
    [['docker.io'], 'docker.io', 'library/alpine', 'docker.io'],
    [['index.docker.io'], 'docker.io', 'library/alpine', 'index.docker.io'],
    [['registry-1.docker.io/library'], 'docker.io', 'library/alpine', 'registry-1.docker.io/library'],
    [['Registry.Example'], 'registry.example', 'team/app', 'Registry.Example'],
  ])('of %j, for %s/%s over https: %s', (keys, host, repository, expected) => {
    expect(chosenKeys(keys, host, repository)).toEqual({ settings: expected, credential: expected });
  });

  it('a registry reached over plain http has default port 80', () => {
    expect(chosenKeys(['host:80'], 'host', 'app', 'http')).toEqual({ settings: 'host:80', credential: 'host:80' });
    expect(chosenKeys(['host:443'], 'host', 'app', 'http')).toEqual({
      settings: undefined,
      credential: undefined,
    });
  });

  it('the registry settings of a host include the keys with its default port', () => {
    const catalog = { registries: ['host:443/a', 'host/b', 'host:5000', 'other'].map(registry) };
    expect(registrySettingsOfHost(catalog, 'host').map((s) => s.key)).toEqual(['host:443/a', 'host/b']);
    expect(registrySettingsOfHost(catalog, 'host:443').map((s) => s.key)).toEqual(['host:443/a', 'host/b']);
  });

  it('the credential store finds the catalog secret of a key with the default port', () => {
    const store = createCredentialStore({
      env: {},
      homeDir: '/nonexistent',
      catalogDir: '/catalog',
      catalogSecrets: [{ key: 'registry.example:443', path: 'pull-secret.json' }],
    });
    const sources = store.describeSources({ host: 'registry.example', scheme: 'https', repository: 'team/app' });
    expect(sources[0]).toBe('catalog secret pull-secret.json for registry.example:443');
  });
});

describe('scoring order', () => {
  it.each([
    ['the host and port must be the same', ['other.example', 'host:5000', 'host'], 'host', 'team/app', 'host'],
    ['a longer path prefix wins', ['host', 'host/team', 'host/team/app'], 'host', 'team/app/x', 'host/team/app'],
    ['paths are compared by whole components', ['host/team', 'host/te'], 'host', 'team/app', 'host/team'],
    ['the path outweighs the port spelling', ['host:443', 'host/team'], 'host:443', 'team/app', 'host/team'],
    ['then the port spelt as in the reference', ['host', 'host:443'], 'host:443', 'team/app', 'host:443'],
    ['then the port left out as in the reference', ['host:443', 'host'], 'host', 'team/app', 'host'],
    ['then the first written', ['docker.io', 'index.docker.io'], 'docker.io', 'library/x', 'docker.io'],
  ])('%s', (_rule, keys, host, repository, expected) => {
    expect(chosenKeys(keys, host, repository)).toEqual({ settings: expected, credential: expected });
  });
});
