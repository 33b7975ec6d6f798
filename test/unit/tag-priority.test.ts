import { describe, expect, it } from 'vitest';
import { parseSemver, prioritizedTags } from '../../src/render/tag-priority.js';

describe("oc's tag order", () => {
  it('puts latest first, then minor versions newest first, then full versions newest first, then the rest by name', () => {
    expect(
      prioritizedTags([
        'stable',
        '1.10.2',
        'v2.1',
        '2.0',
        'latest',
        '1.9.0',
        '2.1-rc1',
        'dev',
        '1.10.2-beta.1',
        'v1.9.0',
      ]),
    ).toEqual(['latest', 'v2.1', '2.1-rc1', '2.0', '1.10.2', '1.10.2-beta.1', '1.9.0', 'v1.9.0', 'dev', 'stable']);
  });

  it('compares versions as numbers, not text', () => {
    expect(prioritizedTags(['1.9', '1.10', '1.2'])).toEqual(['1.10', '1.9', '1.2']);
  });

  it('takes tags that are not strict semantic versions as other tags', () => {
    expect(prioritizedTags(['b', '01.2.3', '1.2.3.4', '1', 'a', '1.2.x', '1.2_rc1'])).toEqual([
      '01.2.3',
      '1',
      '1.2.3.4',
      '1.2.x',
      '1.2_rc1',
      'a',
      'b',
    ]);
  });
});

describe('parseSemver (blang/semver, strict)', () => {
  it('orders pre-releases below the release, numeric identifiers below alphanumeric ones', () => {
    const order = ['1.0.0-1', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0'];
    expect(prioritizedTags([...order].reverse())).toEqual([...order].reverse());
    expect(prioritizedTags(order)).toEqual([...order].reverse());
  });

  it.each(['1.2', '1.2.03', '1.2.3-', '1.2.3-a..b', '1.2.3+', '18446744073709551616.0.0', 'a.b.c'])(
    'refuses %j',
    (text) => {
      expect(parseSemver(text)).toBeUndefined();
    },
  );

  it('accepts build metadata and the largest 64-bit numbers', () => {
    expect(parseSemver('1.2.3-rc.1+build.5')).toEqual({ core: [1n, 2n, 3n], pre: ['rc', 1n] });
    expect(parseSemver('18446744073709551615.0.0')?.core[0]).toBe(18446744073709551615n);
  });
});
