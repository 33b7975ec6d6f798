import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lexer, stringify } from 'yaml';
import { benchCatalog, benchDataset } from '../../bench/lib/dataset.mjs';
import { readBlockYaml } from '../../src/config/block-yaml.js';
import { blockCatalogValues, type CatalogValues } from '../../src/config/catalog-from-text.js';
import { childPointer } from '../../src/config/json-pointer.js';
import { yamlCatalogValues } from '../../src/config/yaml-catalog-values.js';
import { MAX_YAML_TOKENS } from '../../src/core/yaml-limits.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = [
  'imagestreams.yaml',
  'examples/catalogs/docker-hub.yaml',
  'examples/catalogs/quay.yaml',
  'examples/catalogs/redhat.yaml',
  'test/fixtures/catalogs/minimal.yaml',
  'test/fixtures/catalogs/full.yaml',
].map((path) => readFileSync(join(ROOT, path), 'utf8'));

/** Everything the catalog checks read from the values: each value with its type, key order and both positions. */
function readingOf({ value, problems }: CatalogValues): unknown[] {
  const reading: unknown[] = [];
  const walk = (node: unknown, pointer: string) => {
    const key = problems.locationOf(pointer, 'key');
    const at = problems.locationOf(pointer, 'value');
    reading.push([pointer, key.line, key.column, at.line, at.column]);
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, childPointer(pointer, i));
    } else if (node !== null && typeof node === 'object') {
      const keys = problems.source.keysOf(pointer, node);
      reading.push(['keys', keys, Object.keys(node)]);
      for (const name of keys) walk((node as Record<string, unknown>)[name], childPointer(pointer, name));
    } else reading.push([typeof node, node]);
  };
  walk(value, '');
  return reading;
}

/** What the YAML library reads from `text`: its reading, or the first problem it reports. */
function libraryReading(text: string): unknown[] | string {
  try {
    return readingOf(yamlCatalogValues(text, 'c.yaml'));
  } catch (error) {
    return String(error);
  }
}

/** Checks that the block reader, where it reads `text` at all, reads exactly what the YAML library reads. */
function agreesWithLibrary(text: string): boolean {
  const block = blockCatalogValues(text, 'c.yaml');
  if (!block) return false;
  expect(readingOf(block), JSON.stringify(text)).toEqual(libraryReading(text));
  expect(lexerTokens(text), JSON.stringify(text)).toBeLessThanOrEqual(readBlockYaml(text)!.tokens);
  return true;
}

function lexerTokens(text: string): number {
  let tokens = 0;
  for (const _ of new Lexer().lex(text)) tokens++;
  return tokens;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function randomOf(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const PIECES = [
  ' ',
  '  ',
  '\n',
  '- ',
  ': ',
  ':',
  '#',
  ' #',
  ' # c',
  '"',
  "'",
  "''",
  '\\',
  '\\"',
  '&a ',
  '*a',
  '!',
  '!!str ',
  '|',
  '>',
  '[',
  ']',
  '{',
  '}',
  ',',
  '?',
  '? ',
  '-',
  '--',
  '---',
  '...',
  '~',
  'null',
  'Null',
  'true',
  'False',
  'yes',
  '1',
  '007',
  '+1',
  '-1',
  '1.5',
  '1e3',
  '.5',
  '0x1F',
  '0o7',
  '.inf',
  '.NaN',
  '9007199254740993',
  '\t',
  '\r',
  '\r\n',
  '%',
  '@',
  '`',
  'é',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u0085',
  '\u200b',
  '\n  - x',
  '\n- a: b',
  'k: v',
  '\n  k: v',
  '<<: ',
  '__proto__',
  'a b',
  '\u00e9\u00e8',
];

function mutate(text: string, random: (n: number) => number): string {
  const lines = text.split('\n');
  switch (random(6)) {
    case 0: {
      const at = random(text.length + 1);
      return text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at);
    }
    case 1: {
      const at = random(text.length);
      return text.slice(0, at) + text.slice(at + 1 + random(5));
    }
    case 2: {
      const at = random(lines.length);
      lines.splice(at, 0, lines[at]!);
      return lines.join('\n');
    }
    case 3: {
      const at = random(lines.length);
      lines[at] = random(2) === 0 ? ` ${lines[at]}` : lines[at]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    }
    case 4: {
      const [a, b] = [random(lines.length), random(lines.length)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    default: {
      const at = random(lines.length);
      const line = lines[at]!;
      const cut = random(line.length + 1);
      lines[at] = `${line.slice(0, cut)}${PIECES[random(PIECES.length)]}${line.slice(cut)}`;
      return lines.join('\n');
    }
  }
}

/** Random documents in the block subset, in each of the styles the reader accepts. */
function generated(random: (n: number) => number): string {
  const names = ['a', 'tags', 'from', '1.0', 'v2.53', 'registry.local:5000', 'x/y', 'true', 'null', '_k', 'a-b'];
  const scalars = [
    'plain',
    'two words',
    'quay.io/org/app@sha256:00ff',
    '127.0.0.1:5000/bench/app:t1',
    '"double"',
    "'single'",
    '""',
    "''",
    'true',
    'FALSE',
    '~',
    'null',
    '42',
    '0042',
    'a#b',
    'a,b',
    'a [b] {c}',
    '\u00e9t\u00e9',
    'x # comment',
    '"q" # comment',
  ];
  const lines: string[] = [];
  const key = () => {
    const name = names[random(names.length)]!;
    return random(5) === 0 ? `"${name}"` : name;
  };
  const block = (indent: string, depth: number, inItem: boolean): void => {
    const count = 1 + random(3);
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      let name = key();
      while (used.has(name.replaceAll('"', ''))) name = `${name.replaceAll('"', '')}${i}`;
      used.add(name.replaceAll('"', ''));
      const first = inItem && i === 0 ? '' : indent;
      if (!(inItem && i === 0) && random(6) === 0) lines.push(`${indent}# note`);
      if (!(inItem && i === 0) && random(8) === 0) lines.push('');
      const kind = depth > 3 ? 0 : random(4);
      if (kind === 0) lines.push(`${first}${name}: ${scalars[random(scalars.length)]}`);
      else if (kind === 1) {
        lines.push(`${first}${name}:${random(4) === 0 ? ' # about' : ''}`);
        block(`${indent}${' '.repeat(1 + random(3))}`, depth + 1, false);
      } else {
        lines.push(`${first}${name}:`);
        const itemIndent = random(2) === 0 ? indent : `${indent}  `;
        for (let n = 1 + random(3); n > 0; n--) {
          if (random(2) === 0) lines.push(`${itemIndent}- ${scalars[random(scalars.length)]}`);
          else {
            lines.push(`${itemIndent}- `);
            const at = lines.length - 1;
            block(`${itemIndent}  `, depth + 1, true);
            lines[at] = `${lines[at]}${lines.splice(at + 1, 1)[0]}`;
          }
        }
      }
    }
  };
  block('', 0, false);
  return `${lines.join('\n')}${random(2) === 0 ? '\n' : ''}`;
}

describe('the block YAML reader', () => {
  it('reads the example catalogs, the fixtures and a bench catalog exactly as the YAML library does', () => {
    const bench = stringify(benchCatalog(benchDataset(200, 20), '127.0.0.1:5000', { ca: 'ca.pem' }));
    for (const text of [...CORPUS, bench]) expect(agreesWithLibrary(text)).toBe(true);
  });

  it('reads generated documents of its subset exactly as the YAML library does', () => {
    const random = randomOf(7);
    let read = 0;
    for (let i = 0; i < 1500; i++) if (agreesWithLibrary(generated(random))) read++;
    expect(read).toBeGreaterThan(1400);
  });

  it('reads mutated catalogs either exactly as the YAML library does, or not at all', () => {
    const random = randomOf(11);
    let read = 0;
    for (let i = 0; i < 4000; i++) {
      let text = CORPUS[random(CORPUS.length)]!;
      for (let n = 1 + random(3); n > 0; n--) text = mutate(text, random);
      if (agreesWithLibrary(text)) read++;
    }
    expect(read).toBeGreaterThan(500);
  });

  it.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a flow collection', 'a: [1, 2]\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a tab', 'a:\tb\n'],
    ['CRLF line breaks', 'a: b\r\nc: d\r\n'],
    ['an escape in a double-quoted scalar', 'a: "\\u0041"\n'],
    ['a quote doubled in a single-quoted scalar', "a: 'it''s'\n"],
    ['a document marker', '---\na: b\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['an empty value', 'a:\nb: c\n'],
    ['a float', 'a: 1.0\n'],
    ['a hexadecimal integer', 'a: 0x1F\n'],
    ['a byte order mark', '\ufeffa: b\n'],
    ['a root that is not a mapping', '- a\n'],
    ['a mapping in a plain scalar', 'a: b: c\n'],
  ])('leaves %s to the YAML library', (_, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });

  it('reads a value with a run of spaces inside it as the YAML library does', () => {
    expect(agreesWithLibrary(`a: x${' '.repeat(4096)}y  \n`)).toBe(true);
  });

  /** `leaves` values under `depth` nested keys of 990 characters `letter` (a `/` takes two in a JSON Pointer). */
  const underLongKeys = (depth: number, letter: string, leaves: number) =>
    Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${letter.repeat(989)}${i}:\n`).join('') +
    Array.from({ length: leaves }, (_, i) => `${' '.repeat(depth)}a${i}: v\n`).join('');

  it('reads values under keys nested to a path of 4,000 characters as the YAML library does', () => {
    expect(agreesWithLibrary(underLongKeys(4, 'k', 50))).toBe(true);
  });

  it.each([
    ['longer than 4,000 characters', underLongKeys(5, 'k', 50)],
    ['longer than 16,000 characters', underLongKeys(17, 'k', 50)],
    ['of keys whose slashes double its length', underLongKeys(3, '/', 50)],
  ])('leaves values under keys nested to a path %s to the YAML library, which places them', (_, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
    const { value, problems } = yamlCatalogValues(text, 'c.yaml');
    const depth = text.split('\n').findIndex((line) => line.trimStart().startsWith('a0:'));
    let pointer = '';
    for (let node = value; typeof node === 'object' && node !== null && !('a49' in node); ) {
      const key = Object.keys(node)[0]!;
      pointer = childPointer(pointer, key);
      node = (node as Record<string, unknown>)[key];
    }
    expect(problems.locationOf(childPointer(pointer, 'a49'), 'value')).toMatchObject({
      line: depth + 50,
      column: depth + 6,
    });
  });

  it('reads a catalog of 10,000 tags, and leaves a text whose tokens could pass the YAML token limit', () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => {
      const policy = i % 2 === 0 ? ['        importMode: PreserveOriginal', '        scheduled: true'] : [];
      return [`      t${i}:`, `        from: 127.0.0.1:5000/bench/app:t${i}`, ...policy].join('\n');
    });
    const tenThousand = `apiVersion: imagestreams/v1\nkind: Catalog\nstreams:\n  app:\n    tags:\n${tags.join('\n')}\n`;
    const tokens = readBlockYaml(tenThousand)?.tokens;
    expect(tokens).toBeLessThanOrEqual(MAX_YAML_TOKENS);
    expect(lexerTokens(tenThousand)).toBeLessThanOrEqual(tokens!);
    const keys = (count: number) => Array.from({ length: count }, (_, i) => `k${i}: v\n`).join('');
    expect(readBlockYaml(keys(31_000))?.tokens).toBeLessThanOrEqual(MAX_YAML_TOKENS);
    expect(readBlockYaml(keys(32_000))).toBeUndefined();
  });
});
