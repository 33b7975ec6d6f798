import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, MAX_CATALOG_BYTES } from '../../src/config/index.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';
import { makeTempDir } from '../helpers/cleanup.js';
import { aliasBombLines } from '../helpers/hostile-yaml.js';

const HEAD = 'apiVersion: imagestreams/v1\nkind: Catalog\n';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
  return [];
}

async function loadProblems(path: string): Promise<string[]> {
  try {
    await loadCatalog(path, { displayPath: 'c.yaml' });
  } catch (error) {
    if (error instanceof CatalogError) return error.problems.map(formatCatalogProblem);
    throw error;
  }
  return [];
}

/** A catalog whose aliases expand to about 387 million strings. */
function billionLaughs(): string {
  return `${HEAD}streams: {}\nannotations:\n${aliasBombLines('  ')}\n`;
}

describe('hostile documents are refused before they cost much', () => {
  it('refuses a billion-laughs document at the written alias whose expansion crosses the limit', () => {
    expect(problemsOf(() => parseCatalog(billionLaughs(), 'c.yaml'))).toEqual([
      'c.yaml:9:12: error: the catalog expands aliases more than 1000 times',
    ]);
  });

  it('refuses deeply nested flow collections as soon as the limit is passed', () => {
    const depth = 1_000_000;
    const text = `${HEAD}streams: ${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(problemsOf(() => parseCatalog(text, 'c.yaml'))).toEqual([
      'c.yaml:3:73: error: the catalog is nested too deeply (more than 64 levels)',
    ]);
  });

  it('refuses deeply nested block mappings', () => {
    const nested = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n');
    expect(problemsOf(() => parseCatalog(`${HEAD}streams:\n${nested} x\n`, 'c.yaml'))).toEqual([
      'c.yaml:66:65: error: the catalog is nested too deeply (more than 64 levels)',
    ]);
  });

  it('refuses aliases nested into a deep structure', () => {
    const chain = Array.from({ length: 80 }, (_, i) => `  k${i}: &k${i} [${i === 0 ? 1 : `*k${i - 1}`}]`);
    const text = `${HEAD}streams: {}\nx:\n${chain.join('\n')}\n`;
    expect(problemsOf(() => parseCatalog(text, 'c.yaml'))).toEqual([
      'c.yaml:36:14: error: the catalog is nested too deeply (more than 64 levels)',
    ]);
  });

  it('accepts an anchor used by many tags', () => {
    const tags = Array.from({ length: 300 }, (_, i) => `      t${i}: *tag`);
    const text = `${HEAD}x: &tag {from: alpine}\nstreams:\n  s:\n    tags:\n${tags.join('\n')}\n`;
    expect(problemsOf(() => parseCatalog(text, 'c.yaml'))).toEqual([
      'c.yaml:3:1: error: unknown key "x" at the top level (allowed: apiVersion, kind, state, defaults, registries, local, streams)',
    ]);
  });

  it('refuses text larger than the limit without parsing it', () => {
    const text = `${HEAD}streams: {}\n#${'x'.repeat(MAX_CATALOG_BYTES)}`;
    expect(problemsOf(() => parseCatalog(text, 'c.yaml'))).toEqual([
      `c.yaml:1:1: error: the catalog is too large (${Buffer.byteLength(text)} bytes; at most 4194304 are read)`,
    ]);
  });

  it('refuses bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEAD}streams: {}\n# `), Buffer.from([0xff, 0xfe])]);
    expect(problemsOf(() => parseCatalog(bytes, 'c.yaml'))).toEqual([
      'c.yaml:1:1: error: the catalog is not UTF-8 text',
    ]);
  });
});

describe('reading the catalog file', () => {
  const dir = makeTempDir('imagestreams-config-');

  it('refuses a file larger than the limit', async () => {
    const path = join(dir, 'large.yaml');
    writeFileSync(path, Buffer.alloc(MAX_CATALOG_BYTES + 1, 0x20));
    expect(await loadProblems(path)).toEqual([
      `c.yaml:1:1: error: the catalog is too large (${MAX_CATALOG_BYTES + 1} bytes; at most 4194304 are read)`,
    ]);
  });

  it('says when the file does not exist', async () => {
    expect(await loadProblems(join(dir, 'missing.yaml'))).toEqual([
      'c.yaml:1:1: error: cannot read the catalog: no such file',
    ]);
  });

  it('says when the path is a directory', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    expect(await loadProblems(path)).toEqual(['c.yaml:1:1: error: cannot read the catalog: not a file']);
  });

  it('reads a file with a byte order mark', async () => {
    const path = join(dir, 'bom.yaml');
    writeFileSync(path, `\uFEFF${HEAD}streams:\n  s:\n    tags:\n      t: {from: alpine}\n`);
    const catalog = await loadCatalog(path);
    expect(catalog.tags[0]?.location).toEqual({ file: path, line: 6, column: 7 });
  });
});
