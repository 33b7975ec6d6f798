import { describe, expect, it } from 'vitest';
import type { UpdatePolicy } from '../../src/core/update-policy.js';
import { newestVersionTag, parseVersionTag, type VersionTag, versionChange } from '../../src/core/version-tag.js';

function version(tag: string): VersionTag {
  const parsed = parseVersionTag(tag);
  if (!parsed) throw new Error(`${tag} is not a version tag`);
  return parsed;
}

/** The tag `current` moves to among `listed` under `policy`, or undefined. */
function newest(current: string, listed: string[], policy: UpdatePolicy): string | undefined {
  const candidates = listed.flatMap((t) => parseVersionTag(t) ?? []);
  return newestVersionTag(version(current), candidates, policy)?.tag;
}

describe('reading a tag as a version', () => {
  it.each([
    ['16.2', { prefix: '', numbers: [16, 2], prerelease: '', suffix: '' }],
    ['v1.2.3', { prefix: 'v', numbers: [1, 2, 3], prerelease: '', suffix: '' }],
    ['1.25-alpine', { prefix: '', numbers: [1, 25], prerelease: '', suffix: 'alpine' }],
    ['3.12.1-slim-bookworm', { prefix: '', numbers: [3, 12, 1], prerelease: '', suffix: 'slim-bookworm' }],
    ['2.0.0-rc1', { prefix: '', numbers: [2, 0, 0], prerelease: 'rc1', suffix: '' }],
    ['2.0.0-beta.2-alpine', { prefix: '', numbers: [2, 0, 0], prerelease: 'beta.2', suffix: 'alpine' }],
    ['2.4.1-1', { prefix: '', numbers: [2, 4, 1], prerelease: '', suffix: '1' }],
    ['17', { prefix: '', numbers: [17], prerelease: '', suffix: '' }],
  ])('%s', (tag, expected) => {
    expect(version(tag)).toMatchObject(expected);
  });

  it('reads a long tag that almost matches at once', () => {
    const tag = `1.0-rc${'1'.repeat(100)}_`;
    expect(parseVersionTag(tag)).toMatchObject({ prerelease: '', suffix: tag.slice(4) });
  });

  it.each(['latest', 'bookworm', 'stable-alpine', '1.2.3.4', 'v', '1.', '.1', 'sha256-abc'])(
    '%s is not a version',
    (tag) => {
      expect(parseVersionTag(tag)).toBeUndefined();
    },
  );
});

describe('choosing the newest version a policy allows', () => {
  const listed = [
    '16.1',
    '16.2',
    '16.4',
    '16.10',
    '17.0',
    '17.2',
    '16.4.1',
    'v16.9',
    '16.11-alpine',
    '18.0-rc1',
    'latest',
  ];

  it('patch stays within the minor version; a two-number tag has no patch to move to', () => {
    expect(newest('16.4.0', [...listed, '16.4.3', '16.5.0'], 'patch')).toBe('16.4.3');
    expect(newest('16.2', listed, 'patch')).toBeUndefined();
  });

  it('minor stays within the major version, comparing numbers as numbers', () => {
    expect(newest('16.2', listed, 'minor')).toBe('16.10');
  });

  it('major moves to the newest release of the same shape', () => {
    expect(newest('16.2', listed, 'major')).toBe('17.2');
  });

  it('keeps the number of components, the v prefix and the suffix', () => {
    expect(newest('v16.2', listed, 'minor')).toBe('v16.9');
    expect(newest('16.1-alpine', listed, 'minor')).toBe('16.11-alpine');
    expect(newest('16', ['16.9', '17', '18-alpine'], 'major')).toBe('17');
  });

  it('moves to a prerelease only from a prerelease', () => {
    expect(newest('17.2', listed, 'major')).toBeUndefined();
    expect(newest('18.0-rc0', [...listed, '18.0-rc2', '18.0-rc10'], 'major')).toBe('18.0-rc10');
    expect(newest('18.0-rc1', [...listed, '18.0'], 'major')).toBe('18.0');
  });

  it('never moves back or sideways', () => {
    expect(newest('17.2', ['17.0', '16.9', '17.2'], 'major')).toBeUndefined();
  });

  it('names how far a version moved', () => {
    expect(versionChange('16.2', '17.0')).toBe('major');
    expect(versionChange('16.2', '16.4')).toBe('minor');
    expect(versionChange('1.2.3', '1.2.4')).toBe('patch');
    expect(versionChange('2.0.0-rc1', '2.0.0')).toBe('prerelease');
  });
});
