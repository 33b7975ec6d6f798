import { describe, expect, it } from 'vitest';
import {
  bestMatch,
  matchScore,
  parseRegistryKey,
  type RegistryKey,
  type RegistryTarget,
  registryTarget,
} from '../../src/core/registry-key.js';
import type { CredentialLookup } from '../../src/credentials/types.js';

function targetOf(lookup: CredentialLookup): RegistryTarget | undefined {
  return registryTarget(lookup.host, lookup.repository, lookup.scheme);
}

function key(text: string): RegistryKey {
  const parsed = parseRegistryKey(text);
  if (!parsed) throw new Error(`test key ${text} does not parse`);
  return parsed;
}

function matches(keyText: string, lookup: CredentialLookup): boolean {
  const target = targetOf(lookup);
  return target !== undefined && matchScore(key(keyText), target) !== undefined;
}

describe('parseRegistryKey', () => {
  it.each([
    ['quay.io', { host: 'quay.io', path: [] }],
    ['Quay.IO', { host: 'quay.io', path: [] }],
    ['registry.local:5000', { host: 'registry.local', port: 5000, path: [] }],
    ['quay.io/org/app', { host: 'quay.io', path: ['org', 'app'] }],
    ['host:5000/path/prefix/', { host: 'host', port: 5000, path: ['path', 'prefix'] }],
    ['http://host:5000/', { host: 'host', port: 5000, path: [] }],
    ['https://registry.example.com/v2/', { host: 'registry.example.com', path: [] }],
    ['https://index.docker.io/v1/', { host: 'docker.io', path: [] }],
    ['index.docker.io', { host: 'docker.io', path: [] }],
    ['registry-1.docker.io', { host: 'docker.io', path: [] }],
    ['docker.io/library/alpine', { host: 'docker.io', path: ['library', 'alpine'] }],
    ['[::1]:5000/team', { host: '[::1]', port: 5000, path: ['team'] }],
    ['localhost', { host: 'localhost', path: [] }],
  ])('reads %j', (text, expected) => {
    expect(parseRegistryKey(text)).toEqual({ text, ...expected });
  });

  it.each(['', '/path/only', 'host:99999', 'host:0', 'https://'])('finds no registry in %j', (text) => {
    expect(parseRegistryKey(text)).toBeUndefined();
  });
});

describe('matching a key against a lookup', () => {
  const https = (host: string, repository = 'org/app'): CredentialLookup => ({ host, scheme: 'https', repository });
  const http = (host: string, repository = 'org/app'): CredentialLookup => ({ host, scheme: 'http', repository });

  it.each([
    ['quay.io', https('quay.io'), true],
    ['quay.io', https('quay.io:443'), true],
    ['quay.io:443', https('quay.io'), true],
    ['quay.io:443', http('quay.io'), false],
    ['host:80', http('host'), true],
    ['host:80', https('host'), false],
    ['host', http('host:80'), true],
    ['host', https('host:80'), false],
    ['host', http('host:5000'), false],
    ['host:5000', http('host'), false],
    ['host:5000', https('host:5000'), true],
    ['http://host:5000/', https('host:5000'), true],
    ['host:5000', https('host:5001'), false],
    ['other.io', https('quay.io'), false],
    ['sub.quay.io', https('quay.io'), false],
    ['QUAY.io', https('quay.IO'), true],
    ['quay.io/org', https('quay.io', 'org/app'), true],
    ['quay.io/org/app', https('quay.io', 'org/app'), true],
    ['quay.io/org/app/sub', https('quay.io', 'org/app'), false],
    ['quay.io/or', https('quay.io', 'org/app'), false],
    ['quay.io/orgx', https('quay.io', 'org/app'), false],
    ['quay.io/other', https('quay.io', 'org/app'), false],
    ['https://index.docker.io/v1/', https('docker.io', 'library/alpine'), true],
    ['index.docker.io', https('docker.io', 'library/alpine'), true],
    ['registry-1.docker.io', https('docker.io', 'library/alpine'), true],
    ['docker.io', https('registry-1.docker.io', 'library/alpine'), true],
    ['docker.io', https('index.docker.io', 'library/alpine'), true],
    ['docker.io/library', https('docker.io', 'library/alpine'), true],
    ['docker.io/someone', https('docker.io', 'library/alpine'), false],
  ])('key %j, lookup %j: %s', (keyText, lookup, expected) => {
    expect(matches(keyText, lookup)).toBe(expected);
  });
});

describe('choosing among matching keys', () => {
  const pick = (keys: string[], lookup: CredentialLookup) => {
    const target = targetOf(lookup);
    if (!target) throw new Error('bad lookup');
    return bestMatch(keys.map(key), (k) => k, target)?.text;
  };

  it('prefers the longest path prefix of the repository', () => {
    const keys = ['quay.io', 'quay.io/org', 'quay.io/org/app', 'quay.io/other'];
    expect(pick(keys, { host: 'quay.io', scheme: 'https', repository: 'org/app' })).toBe('quay.io/org/app');
    expect(pick(keys, { host: 'quay.io', scheme: 'https', repository: 'org/tool' })).toBe('quay.io/org');
    expect(pick(keys, { host: 'quay.io', scheme: 'https', repository: 'elsewhere/x' })).toBe('quay.io');
  });

  it('prefers the port spelled as in the reference when both spellings match', () => {
    const keys = ['host', 'host:443'];
    expect(pick(keys, { host: 'host:443', scheme: 'https', repository: 'a' })).toBe('host:443');
    expect(pick(keys, { host: 'host', scheme: 'https', repository: 'a' })).toBe('host');
  });

  it('takes the first written of equally good keys', () => {
    const keys = ['https://index.docker.io/v1/', 'docker.io'];
    expect(pick(keys, { host: 'docker.io', scheme: 'https', repository: 'library/alpine' })).toBe(
      'https://index.docker.io/v1/',
    );
    expect(pick([...keys].reverse(), { host: 'docker.io', scheme: 'https', repository: 'library/alpine' })).toBe(
      'docker.io',
    );
  });

  it('finds nothing when no key matches', () => {
    expect(
      pick(['quay.io', 'ghcr.io'], { host: 'registry.local:5000', scheme: 'http', repository: 'a' }),
    ).toBeUndefined();
  });
});
