import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { CatalogError } from '../../src/core/errors.js';

const PATH = join(import.meta.dirname, '..', 'fixtures', 'catalogs', 'x.yaml');
const HEAD = ['apiVersion: imagestreams/v1', 'kind: Catalog'];

function catalogText(...lines: string[]): string {
  return [...HEAD, ...lines, ''].join('\n');
}

/** The catalog's warnings as `line:column: message`. */
function warningsOf(text: string): string[] {
  const catalog = parseCatalog(text, PATH, { displayPath: 'x.yaml' });
  return (catalog.warnings ?? []).map((w) => `${w.location.line}:${w.location.column}: ${w.message}`);
}

function errorOf(text: string): CatalogError {
  try {
    parseCatalog(text, PATH, { displayPath: 'x.yaml' });
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('the catalog was accepted');
}

const tag = (...lines: string[]) => ['streams:', '  s:', '    tags:', '      t:', ...lines.map((l) => `        ${l}`)];

describe('platforms no image has: accepted, with a warning where they are written', () => {
  it('warns about an unknown architecture in a tag preference, suggesting the nearest known one', () => {
    expect(warningsOf(catalogText(...tag('from: alpine', 'preferPlatform: linux/amd65')))).toEqual([
      '8:25: "preferPlatform" in streams.s.tags.t: unknown architecture "amd65" (did you mean "amd64"?)',
    ]);
  });

  it('warns about an unknown operating system in the default preference', () => {
    const text = catalogText('defaults:', '  preferPlatform: lnux/arm64', ...tag('from: alpine'));
    expect(warningsOf(text)).toEqual([
      '4:19: "preferPlatform" in defaults: unknown operating system "lnux" (did you mean "linux"?)',
    ]);
  });

  it('warns about the OpenShift prefer-arch and prefer-os annotations', () => {
    const text = catalogText(
      ...tag(
        'from: alpine',
        'annotations:',
        '  importer.image.openshift.io/prefer-arch: arm65',
        '  importer.image.openshift.io/prefer-os: widows',
      ),
    );
    expect(warningsOf(text)).toEqual([
      '9:52: "importer.image.openshift.io/prefer-arch" in streams.s.tags.t.annotations: unknown architecture "arm65" (did you mean "arm64"?)',
      '10:50: "importer.image.openshift.io/prefer-os" in streams.s.tags.t.annotations: unknown operating system "widows" (did you mean "windows"?)',
    ]);
  });

  it('names examples when nothing known is near', () => {
    expect(warningsOf(catalogText(...tag('from: alpine', 'preferPlatform: linux/quantum')))).toEqual([
      '8:25: "preferPlatform" in streams.s.tags.t: unknown architecture "quantum" (not one Go knows, such as amd64, arm64, ppc64le or s390x)',
    ]);
  });

  it.each([
    'linux/arm64/v8',
    'linux/x86_64',
    'macos/arm64',
    'windows/amd64:10.0.17763.1234',
    'linux/riscv64',
    'LINUX/PPC64LE',
  ])('says nothing about %s', (platform) => {
    expect(warningsOf(catalogText(...tag('from: alpine', `preferPlatform: ${platform}`)))).toEqual([]);
  });

  it('keeps the warnings of a catalog that has errors too', () => {
    const error = errorOf(catalogText(...tag('from: alpine', 'preferPlatform: linux/amd65', 'importMode: Bogus')));
    expect(error.problems.map((p) => p.message)).toEqual(['valid ImportMode values are Legacy or PreserveOriginal']);
    expect(error.warnings.map((w) => w.message)).toEqual([
      '"preferPlatform" in streams.s.tags.t: unknown architecture "amd65" (did you mean "amd64"?)',
    ]);
  });
});

describe('insecure on an image layout', () => {
  it('is an error at the insecure value: a layout on disk has no TLS to skip', () => {
    const error = errorOf(catalogText(...tag('from: oci:images/demo:1.0', 'insecure: true')));
    expect(error.message).toBe(
      'x.yaml:8:19: error: "insecure" in streams.s.tags.t: insecure: true does not apply to an oci: source (an image layout on disk has no TLS to skip); remove it',
    );
  });

  it('is no error when false, or on a registry source', () => {
    expect(warningsOf(catalogText(...tag('from: oci:images/demo:1.0', 'insecure: false')))).toEqual([]);
    expect(warningsOf(catalogText(...tag('from: registry.local/app:1', 'insecure: true')))).toEqual([]);
  });
});

describe('labels and annotations the API server would refuse: accepted, with a warning where they are written', () => {
  const REFUSED = 'an exported ImageStream would be refused';
  const NAME_RULE = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  const stream = (...lines: string[]) => [
    'streams:',
    '  s:',
    ...lines.map((l) => `    ${l}`),
    '    tags:',
    '      t:',
    '        from: alpine',
  ];

  it('warns at a label key holding NUL or a line break, shown escaped', () => {
    const text = catalogText(...stream('labels:', '  "a\\0b": x', '  "team\\n": y'));
    expect(warningsOf(text)).toEqual([
      `6:7: "a\\u0000b" in streams.s.labels: not a label key Kubernetes accepts: the name is not ${NAME_RULE}; ${REFUSED}`,
      `7:7: "team\\n" in streams.s.labels: not a label key Kubernetes accepts: the name is not ${NAME_RULE}; ${REFUSED}`,
    ]);
  });

  it('warns at a label value with a space or longer than 63 characters', () => {
    const text = catalogText(...stream('labels:', '  owner: team a', `  release: ${'r'.repeat(64)}`));
    const rule = `not a label value Kubernetes accepts: it must be empty or at most 63 ${NAME_RULE}`;
    expect(warningsOf(text)).toEqual([
      `6:14: "owner" in streams.s.labels: ${rule}; ${REFUSED}`,
      `7:16: "release" in streams.s.labels: ${rule}; ${REFUSED}`,
    ]);
  });

  it('warns at an annotation key with a space, or an empty name after its prefix', () => {
    const text = catalogText(...stream('annotations:', '  display name: App', '  example.com/: x'));
    expect(warningsOf(text)).toEqual([
      `6:7: "display name" in streams.s.annotations: not an annotation key Kubernetes accepts: the name is not ${NAME_RULE}; ${REFUSED}`,
      `7:7: "example.com/" in streams.s.annotations: not an annotation key Kubernetes accepts: the name is empty; ${REFUSED}`,
    ]);
  });

  it('warns at the annotations when together they are over 256 KiB', () => {
    const big = 'v'.repeat(65_536);
    const text = catalogText(...stream('annotations:', ...['a', 'b', 'c', 'd'].map((k) => `  ${k}: ${big}`)));
    expect(warningsOf(text)).toEqual([
      `5:5: "annotations" in streams.s: too large for Kubernetes: their keys and values add up to 262148 bytes, more than the 262144 (256 KiB) Kubernetes allows; ${REFUSED}`,
    ]);
  });

  it('says nothing of keys and values Kubernetes accepts: prefixed, reserved prefixes, annotation keys in capitals, empty values', () => {
    const text = catalogText(
      ...stream(
        'labels:',
        '  app.kubernetes.io/name: web',
        '  kubernetes.io/arch: amd64',
        '  tier: ""',
        '  App_1: v1.2',
        'annotations:',
        '  openshift.io/display-name: My app, with spaces',
        '  Example.COM/Owner: team a',
      ),
    );
    expect(warningsOf(text)).toEqual([]);
  });

  it('says nothing of tag annotation keys, which OpenShift does not check', () => {
    expect(warningsOf(catalogText(...tag('from: alpine', 'annotations:', '  "note\\n": x', '  a b: y')))).toEqual([]);
  });

  it('marks these warnings, and only these, as stopping an export', () => {
    const text = catalogText(
      ...stream('labels:', '  "a b": x'),
      '      u:',
      '        from: alpine',
      '        preferPlatform: linux/amd65',
    );
    const catalog = parseCatalog(text, PATH, { displayPath: 'x.yaml' });
    expect(catalog.warnings?.map((w) => w.refusedOnExport ?? false)).toEqual([true, false]);
  });
});
