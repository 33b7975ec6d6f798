import { describe, expect, it } from 'vitest';
import { InvalidPlatformError } from '../../src/core/errors.js';
import {
  formatPlatform,
  normalizePlatform,
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

describe("parsePlatform follows containerd's platforms package (its test tables)", () => {
  it.each([
    [
      'linux/arm64',
      'linux/arm64',
      [
        { architecture: 'aarch64' },
        { architecture: 'aarch64', variant: 'v8' },
        { architecture: 'arm64', variant: 'v8' },
      ],
    ],
    [
      'linux/arm64/v8',
      'linux/arm64',
      [{ architecture: 'aarch64' }, { architecture: 'aarch64', variant: 'v8' }, { architecture: 'arm64' }],
    ],
    ['linux/arm/v6', 'linux/arm/v6', [{ architecture: 'armel' }]],
    ['linux/arm/v7', 'linux/arm/v7', [{ architecture: 'arm' }, { architecture: 'armhf' }]],
    [
      'linux/arm',
      'linux/arm/v7',
      [{ architecture: 'arm', variant: 'v7' }, { architecture: 'armhf' }, { architecture: 'arm', variant: '7' }],
    ],
    ['Linux/x86_64', 'linux/amd64', [{ architecture: 'amd64' }]],
    ['linux/s390x', 'linux/s390x', [{ architecture: 's390x' }]],
  ])('%s is %s and matches what containerd matches', (text, expected, matches) => {
    const wanted = parsePlatform(text);
    expect(formatPlatform(wanted)).toBe(expected);
    expect(formatPlatform(parsePlatform(expected))).toBe(expected);
    for (const wire of matches) {
      expect(platformMatches(wanted, normalizePlatform({ os: 'linux', ...wire }))).toBe(true);
    }
  });

  it.each([
    ['arm64', '8', undefined],
    ['arm64', 'v8', undefined],
    ['arm64', 'v8.0', undefined],
    ['arm64', '9', 'v9'],
    ['arm64', '9.0', 'v9'],
    ['arm64', 'v9.0', 'v9'],
    ['arm64', 'v8.2', 'v8.2'],
    ['aarch64', undefined, undefined],
    ['arm', undefined, 'v7'],
    ['arm', '7', 'v7'],
    ['arm', '5', 'v5'],
    ['arm', '6', 'v6'],
    ['arm', '8', 'v8'],
    ['armhf', undefined, 'v7'],
    ['armel', undefined, 'v6'],
    ['i386', 'v2', undefined],
    ['x86_64', 'v1', undefined],
    ['X86-64', 'V3', 'v3'],
  ])('normalises architecture %s variant %s to variant %s', (architecture, variant, expected) => {
    const platform = normalizePlatform({ os: 'linux', architecture, ...(variant && { variant }) });
    expect(platform.variant).toBe(expected);
  });

  it.each([
    ['windows(10.0.17763)/amd64', 'windows/amd64:10.0.17763'],
    ['windows()/amd64', 'windows/amd64'],
    ['windows(10.0.17763%2Bbuild.42)/amd64', 'windows/amd64:10.0.17763+build.42'],
    ['macOS/arm64', 'darwin/arm64'],
  ])("reads containerd's os(osversion) form: %s → %s", (text, expected) => {
    expect(formatPlatform(parsePlatform(text))).toBe(expected);
  });

  it.each([
    ['', 'expected os/arch'],
    ['/linux/arm', 'expected os/arch'],
    ['linux/arm/', 'bad component ""'],
    ['linux /arm', 'bad operating system "linux "'],
    ['linux/&arm', 'bad component "&arm"'],
    ['linux/arm/foo/bar', 'expected os/arch'],
    ['linux/*', 'wildcards are not supported'],
    ['lin.ux/amd64', 'bad operating system "lin.ux"'],
    ['windows(10.0.17763+win32k)/amd64', 'OS features (+feature) are not supported'],
    ['windows(1.0)/amd64:1.0', 'give the os version once'],
    ['windows(50%25done)/amd64', 'bad os version "50%done"'],
    ['windows(%zz)/amd64', 'bad os version "%zz"'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parsePlatform(text)).toThrow(InvalidPlatformError);
    expect(() => parsePlatform(text)).toThrow(why);
  });

  it.each(['arm', 'armel', 'Aarch64', 'x86_64', 'linux', 'windows(10.0.17763)', 'macOS'])(
    'refuses the one-component form %j, where containerd would fill in the running machine',
    (text) => {
      expect(() => parsePlatform(text)).toThrow('expected os/arch[/variant][:osversion]');
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
