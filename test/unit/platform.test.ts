import { describe, expect, it } from 'vitest';
import { InvalidPlatformError } from '../../src/core/errors.js';
import {
  formatPlatform,
  parsePlatform,
  parsePlatformPreference,
  platformFromWire,
  platformMatches,
} from '../../src/core/platform.js';

describe('parsePlatform normalises as containerd does', () => {
  it.each([
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm64/v9', 'linux/arm64/v9'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/arm/v5', 'linux/arm/v5'],
    ['linux/i386', 'linux/386'],
    ['LINUX/PPC64LE', 'linux/ppc64le'],
    ['linux/s390x', 'linux/s390x'],
    ['macos/arm64', 'darwin/arm64'],
    ['windows/amd64:10.0.17763.1234', 'windows/amd64:10.0.17763.1234'],
    ['unknown/unknown', 'unknown/unknown'],
  ])('%s → %s', (text, expected) => {
    expect(formatPlatform(parsePlatform(text))).toBe(expected);
  });

  it('returns the parts', () => {
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('windows/amd64:10.0.1')).toEqual({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '10.0.1',
    });
  });

  it.each(['', 'linux', 'amd64', 'linux/', '/amd64', 'linux/amd64/v8/x', 'linux/am d64', 'linux/amd64:'])(
    'refuses %j',
    (text) => {
      expect(() => parsePlatform(text)).toThrow(InvalidPlatformError);
    },
  );
});

describe('platformFromWire', () => {
  it('reads descriptor platforms and defaults to unknown/unknown', () => {
    expect(formatPlatform(platformFromWire({ os: 'linux', architecture: 'arm64', variant: 'v8' }))).toBe('linux/arm64');
    expect(formatPlatform(platformFromWire({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.2' }))).toBe(
      'windows/amd64:10.0.2',
    );
    expect(formatPlatform(platformFromWire(undefined))).toBe('unknown/unknown');
  });
});

describe('platformMatches', () => {
  it.each([
    ['linux/arm64', 'linux/arm64', true],
    ['linux/arm', 'linux/arm/v6', false],
    ['linux/arm/v7', 'linux/arm/v7', true],
    ['linux/arm/v7', 'linux/arm/v6', false],
    ['linux/amd64', 'linux/amd64/v3', true],
    ['linux/amd64', 'linux/arm64', false],
    ['linux/amd64', 'windows/amd64', false],
  ])('preference %s vs %s → %s', (wanted, candidate, expected) => {
    expect(platformMatches(parsePlatform(wanted), parsePlatform(candidate))).toBe(expected);
  });

  it('lets a preference without a variant match any variant', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm' }, parsePlatform('linux/arm/v6'))).toBe(true);
  });
});

describe('parsePlatformPreference', () => {
  it('keeps no variant when none was written', () => {
    expect(parsePlatformPreference('linux/arm')).toEqual({ os: 'linux', architecture: 'arm' });
    expect(parsePlatformPreference('linux/arm/7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(platformMatches(parsePlatformPreference('linux/arm'), parsePlatform('linux/arm/v6'))).toBe(true);
  });
});
