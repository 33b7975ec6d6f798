import { compare, Range } from 'semver';
import { describe, expect, it } from 'vitest';
import { versionOf } from '../../src/core/discovery-order.js';
import { comparePlain, type PlainVersion, plainRangeTest, readPlainVersion } from '../../src/core/plain-version.js';
import { type Random, seededRandom } from '../resilience/support/random.js';

function plainOf(tag: string): PlainVersion | undefined {
  const into = { major: -1, minor: -1, patch: -1 };
  return readPlainVersion(tag, into) ? into : undefined;
}

describe('a plain version read without semver', () => {
  it('reads an optional v and one to three parts, a missing part being 0', () => {
    expect(plainOf('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(plainOf('v16')).toEqual({ major: 16, minor: 0, patch: 0 });
    expect(plainOf('16.2')).toEqual({ major: 16, minor: 2, patch: 0 });
    expect(plainOf('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0 });
    expect(plainOf('999999999999999.1')).toEqual({ major: 999_999_999_999_999, minor: 1, patch: 0 });
  });

  it('leaves every other shape to semver: prereleases, builds, leading zeros, long numbers, stray dots', () => {
    const others = ['1.2.3-rc.1', '1.2+b', '01.2', '1.02', '9999999999999999', '1.2.3.4', '1.', '.1', 'v', 'vv1', ''];
    for (const tag of others) expect(plainOf(tag), tag).toBeUndefined();
  });

  it('is what semver reads, tested and ordered as semver does, over generated tags and ranges', () => {
    const random = seededRandom(7);
    const tags = Array.from({ length: 400 }, () => generatedTag(random));
    const ranges = ['*', '>=0', '<5', '=3.4.5', '^1.2', '~4.2.1', '>=2.0.0-rc.0 <3', '1.x || >=7 <=9', '1.2.3 - 6'];
    for (const tag of tags) {
      const plain = plainOf(tag);
      const version = versionOf(tag);
      if (!plain) continue;
      expect(version && { major: version.major, minor: version.minor, patch: version.patch }, tag).toEqual(plain);
      expect(version?.prerelease, tag).toEqual([]);
      for (const text of ranges) {
        const range = new Range(text);
        expect(plainRangeTest(range)?.(plain), `${tag} in ${text}`).toBe(range.test(version!));
      }
      for (const other of tags) {
        const otherVersion = versionOf(other);
        if (!otherVersion) continue;
        expect(Math.sign(comparePlain(plain, otherVersion)), `${tag} vs ${other}`).toBe(
          Math.sign(compare(version!, otherVersion)),
        );
      }
    }
  });
});

function generatedTag(random: Random): string {
  const part = () => String(random.int(0, 11));
  const shapes = [
    () => `${part()}.${part()}.${part()}`,
    () => `v${part()}.${part()}`,
    () => part(),
    () => `${part()}.${part()}.${part()}-rc.${part()}`,
    () => `${part()}.${part()}.${part()}+build.${part()}`,
    () => `0${part()}.${part()}`,
  ];
  return random.pick(shapes)();
}
