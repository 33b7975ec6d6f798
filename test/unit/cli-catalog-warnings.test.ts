import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unseenCatalogWarnings } from '../../src/cli/catalog-warnings.js';
import { formatWatchEvent } from '../../src/cli/watch-log.js';
import { parseCatalog } from '../../src/config/parse-catalog.js';

const PATH = join(import.meta.dirname, '..', 'fixtures', 'catalogs', 'x.yaml');

/** A catalog whose tags t0, t1… prefer the platforms given, in turn: t0's on line 8, t1's on line 11. */
function catalogPreferring(...platforms: string[]) {
  const tags = platforms.flatMap((platform, i) => [
    `      t${i}:`,
    '        from: alpine',
    `        preferPlatform: ${platform}`,
  ]);
  const text = ['apiVersion: imagestreams/v1', 'kind: Catalog', 'streams:', '  s:', '    tags:', ...tags, ''].join(
    '\n',
  );
  return parseCatalog(text, PATH, { displayPath: 'x.yaml' });
}

const messages = (catalog: ReturnType<typeof catalogPreferring>, seen: Set<string>) =>
  unseenCatalogWarnings(catalog, seen).map((w) => `${w.location.line}: ${w.message}`);

describe('the catalog warnings watch reports as the catalog is read again', () => {
  it('are each reported once: a reload reports only a warning it had not reported', () => {
    const seen = new Set<string>();
    expect(messages(catalogPreferring('linux/amd65'), seen)).toEqual([
      '8: "preferPlatform" in streams.s.tags.t0: unknown architecture "amd65" (did you mean "amd64"?)',
    ]);
    expect(messages(catalogPreferring('linux/amd65'), seen)).toEqual([]);
    expect(messages(catalogPreferring('linux/amd65', 'linux/arm65'), seen)).toEqual([
      '11: "preferPlatform" in streams.s.tags.t1: unknown architecture "arm65" (did you mean "arm64"?)',
    ]);
  });

  it('none for a catalog without warnings', () => {
    expect(messages(catalogPreferring('linux/amd64'), new Set())).toEqual([]);
  });

  it('a warning is one log line: file:line:column, as validate writes it, after the time', () => {
    const event = {
      time: '2026-01-01T10:00:00.000Z',
      type: 'catalog-warning' as const,
      file: 'x.yaml',
      line: 8,
      column: 25,
      message: 'unknown architecture "amd65"',
    };
    expect(formatWatchEvent(event, false)).toBe(
      '2026-01-01T10:00:00.000Z x.yaml:8:25: warning: unknown architecture "amd65"\n',
    );
    expect(JSON.parse(formatWatchEvent(event, true))).toEqual(event);
  });
});
