import { describe, expect, it } from 'vitest';
import { matchRegistrySettings, parseDuration } from '../../src/config/index.js';
import type { RegistrySettings } from '../../src/core/catalog.js';
import { UsageError } from '../../src/core/errors.js';

function registry(key: string): RegistrySettings {
  return { key, insecure: false, location: { file: 'c.yaml', line: 1, column: 1 } };
}

describe('matchRegistrySettings', () => {
  const catalog = {
    registries: [
      registry('registry.local'),
      registry('registry.local:5000'),
      registry('registry.local:5000/team'),
      registry('registry.local:5000/team/app'),
      registry('docker.io/library'),
      registry('index.docker.io/bitnami'),
      registry('Quay.IO'),
    ],
  };

  it.each([
    ['registry.local', 'app', 'registry.local'],
    ['registry.local:5000', 'other', 'registry.local:5000'],
    ['registry.local:5000', 'team', 'registry.local:5000/team'],
    ['registry.local:5000', 'team/x', 'registry.local:5000/team'],
    ['registry.local:5000', 'team/app', 'registry.local:5000/team/app'],
    ['registry.local:5000', 'team/app/sub', 'registry.local:5000/team/app'],
    ['registry.local:5000', 'team/application', 'registry.local:5000/team'],
    ['registry.local:5000', 'teams/app', 'registry.local:5000'],
    ['docker.io', 'library/alpine', 'docker.io/library'],
    ['docker.io', 'bitnami/redis', 'index.docker.io/bitnami'],
    ['quay.io', 'org/app', 'Quay.IO'],
    ['REGISTRY.local', 'app', 'registry.local'],
    ['registry.local:443', 'app', 'registry.local'],
  ])('%s/%s uses the settings of %s', (host, repository, key) => {
    expect(matchRegistrySettings(catalog, host, repository)?.key).toBe(key);
  });

  it.each([
    ['registry.local:80', 'app'],
    ['registry.local:5001', 'team'],
    ['docker.io', 'grafana/grafana'],
    ['ghcr.io', 'org/app'],
  ])('%s/%s has no settings (the port must be the same, 443 when none is written)', (host, repository) => {
    expect(matchRegistrySettings(catalog, host, repository)).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['15m', 15 * 60_000],
    ['1h30m', 90 * 60_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['2h0m5s', 7_205_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '1.5h', '15 m', '30m1h', '-5m', '1d', '90000000000000000000h'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});
