import { describe, expect, it } from 'vitest';
import { parseTagAddress } from '../../src/config/tag-address.js';
import { sameSource, sourceAsWritten } from '../../src/config/written-source.js';

describe('sourceAsWritten: a source from the command line as the catalog holds it', () => {
  it.each([
    ['a registry reference, kept as typed', 'quay.io/org/app:1', '/work', '/work', 'quay.io/org/app:1'],
    [
      'a layout path when the catalog is in the working directory',
      'oci:images/app:1',
      '/work',
      '/work',
      'oci:images/app:1',
    ],
    [
      'a layout path made relative to the catalog',
      'oci:images/app:1',
      '/work',
      '/work/catalogs',
      'oci:../images/app:1',
    ],
    [
      'a layout path below the catalog',
      `oci:catalogs/images/app@sha256:${'a'.repeat(64)}`,
      '/work',
      '/work/catalogs',
      `oci:images/app@sha256:${'a'.repeat(64)}`,
    ],
    ['an absolute layout path, kept', 'oci:/srv/images/app:1', '/work', '/elsewhere', 'oci:/srv/images/app:1'],
  ])('%s', (_name, text, cwd, catalogDir, expected) => {
    expect(sourceAsWritten(text, cwd, catalogDir)).toBe(expected);
  });

  it('refuses a reference that does not parse', () => {
    expect(() => sourceAsWritten('Quay.io/Org/App', '/work', '/work')).toThrow(/invalid image reference/);
  });
});

describe('sameSource', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest', true],
    ['docker://quay.io/org/app:1', 'quay.io/org/app:1', true],
    ['oci:images/app:1', 'oci:./images/app:1', true],
    ['quay.io/org/app:1', 'quay.io/org/app:2', false],
    ['oci:images/app:1', 'oci:other/app:1', false],
  ])('%s and %s: %s', (a, b, same) => {
    expect(sameSource(a, b, '/work')).toBe(same);
  });
});

describe('parseTagAddress', () => {
  it.each([
    ['app:stable', undefined, { stream: 'app', tag: 'stable' }],
    ['app', 'latest', { stream: 'app', tag: 'latest' }],
    ['ubi9:9.4', 'latest', { stream: 'ubi9', tag: '9.4' }],
  ])('reads %s', (text, defaultTag, expected) => {
    expect(parseTagAddress(text, defaultTag)).toEqual(expected);
  });

  it.each([
    ['app', undefined, '"app" must be of the form <stream_name>:<tag>'],
    ['App:1', undefined, 'invalid image stream name "App"'],
    ['app:.hidden', undefined, 'invalid tag ".hidden"'],
    [`app@sha256:${'a'.repeat(64)}`, 'latest', 'names an image by digest'],
  ])('refuses %s', (text, defaultTag, message) => {
    expect(() => parseTagAddress(text, defaultTag)).toThrow(message);
  });
});
