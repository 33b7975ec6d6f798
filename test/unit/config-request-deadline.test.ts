import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogs');

/** The catalog with `settings` (lines under `registries.quay.io`, from line 5), or its problems. */
function parse(settings: string[]) {
  const text = [
    'apiVersion: imagestreams/v1',
    'kind: Catalog',
    'registries:',
    '  quay.io:',
    ...settings,
    'streams: {}',
  ];
  try {
    return parseCatalog(text.join('\n'), join(FIXTURES, 'c.yaml'), { displayPath: 'c.yaml' });
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
}

describe('the request deadline of a registry', () => {
  it('is read from requestTimeout and minBytesPerSecond', () => {
    const catalog = parse(['    requestTimeout: 2m30s', '    minBytesPerSecond: 32768']);
    expect(Array.isArray(catalog) ? catalog : catalog.registries[0]).toMatchObject({
      requestTimeoutMs: 150_000,
      minBytesPerSecond: 32_768,
    });
  });

  it('is left to the defaults when not given', () => {
    const catalog = parse(['    insecure: true']);
    expect(Array.isArray(catalog) ? catalog : catalog.registries[0]).not.toHaveProperty('requestTimeoutMs');
  });

  it.each([
    [
      ['    requestTimeout: 0s'],
      'c.yaml:5:21: error: "requestTimeout" in registries.quay.io must be at least 1s, not 0s',
    ],
    [
      ['    requestTimeout: soon'],
      'c.yaml:5:21: error: "requestTimeout" in registries.quay.io must be a duration such as 15m, 1h30m or 90s, not the string "soon"',
    ],
    [
      ['    minBytesPerSecond: 0'],
      'c.yaml:5:24: error: "minBytesPerSecond" in registries.quay.io must be at least 1, not the number 0',
    ],
    [
      ['    minBytesPerSecond: 1.5'],
      'c.yaml:5:24: error: "minBytesPerSecond" in registries.quay.io must be a whole number, not the number 1.5',
    ],
  ])('refuses %j', (settings, problem) => {
    expect(parse(settings)).toEqual([problem]);
  });
});
