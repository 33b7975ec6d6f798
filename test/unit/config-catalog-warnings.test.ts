import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/index.js';
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
