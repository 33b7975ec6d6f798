import { MAX_YAML_TOKENS } from '../core/yaml-limits.js';
import { childPointer } from './json-pointer.js';
import { TextLines } from './line-positions.js';
import { SourceMap } from './source-map.js';

/**
 * A reader for the plain block YAML that catalogs are nearly always written in: block mappings and sequences, one
 * key or item per line, single-line scalars, comments. It gives exactly the values, positions and key orders the
 * full YAML path gives, or undefined for any text it does not fully understand, which the full path then reads: it
 * never reports a problem of its own, so the YAML library stays the only judge of what a catalog says.
 */
export interface BlockYaml {
  value: Record<string, unknown>;
  source: SourceMap;
  lines: TextLines;
  /** At least as many as the YAML tokens the library's lexer makes of the text, and at most MAX_YAML_TOKENS. */
  tokens: number;
}

/** Deepest nesting of collections read; deeper documents go to the full path and its limits. */
const MAX_DEPTH = 24;
/**
 * Most YAML tokens a line of the subset makes (indentation, `-` and spaces, a plain key in two, `:`, spaces, a plain
 * value in two, spaces, a comment, the line break), so that texts near the token limit go to the full path.
 */
const LINE_TOKENS = { blank: 3, key: 11, item: 13 };
const MAX_KEY_LENGTH = 1000;
/**
 * Longest JSON Pointer of a value read; no catalog comes near it. Recording positions costs the pointer's length
 * for each value, so thousands of values under long nested keys go to the full path, which records them sooner.
 */
const MAX_POINTER_LENGTH = 4000;

/** Text the reader leaves to the full path: anything but printable characters, spaces and `\n` line breaks. */
const OUTSIDE_SUBSET = /[^\x20-\x7e\n\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|[\u2028\u2029\ufeff]/u;
const PLAIN_KEY = /[A-Za-z0-9_][\w.\-/@+=~]*(?::[\w.\-/@+=~]+)*/y;
/** Characters that give a scalar's first character another meaning than plain text. */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');
const AFTER_QUOTED = /^(?: +#.*| *)$/;

/** The YAML 1.2 core schema's tests for plain scalars that are not strings; any match but these few is left. */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const SMALL_DECIMAL = /^[0-9]{1,15}$/;
const OTHER_NUMBERS = [
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

interface Scalar {
  value: unknown;
  offset: number;
}

/** One line's key (`name:`, with its scalar if on the line) or sequence item (`-`, with its scalar if any). */
interface Entry {
  indent: number;
  offset: number;
  key?: string;
  scalar?: Scalar;
  /** An item whose content is a mapping starting on its own line: `- name: value`. */
  compact?: true;
}

/** Thrown to leave the text to the full YAML path. */
class Unsupported extends Error {}

export function readBlockYaml(text: string): BlockYaml | undefined {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    const { entries, tokens } = entriesOf(text);
    const first = entries[0];
    if (first?.key === undefined || first.indent !== 0) return undefined;
    const source = new SourceMap();
    const builder = new Builder(entries, source);
    source.setSpan('', { valueOffset: first.offset });
    const value = builder.map(0, '', 1);
    if (!builder.done) return undefined;
    return { value, source, lines: new TextLines(text), tokens };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function entriesOf(text: string): { entries: Entry[]; tokens: number } {
  const entries: Entry[] = [];
  let tokens = 1;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    tokens += LINE_TOKENS[readLine(line, start, entries)];
    if (tokens > MAX_YAML_TOKENS) unsupported();
    if (end === -1) break;
    start = end + 1;
  }
  return { entries, tokens };
}

/** Reads the entry or entries of one line, and says what kind of line it was. */
function readLine(line: string, offset: number, entries: Entry[]): keyof typeof LINE_TOKENS {
  let at = 0;
  while (line[at] === ' ') at++;
  if (at === line.length || line[at] === '#') return 'blank';
  if (line[at] !== '-') {
    entries.push(keyEntry(line, at, offset) ?? unsupported());
    return 'key';
  }
  if (line[at + 1] !== ' ') unsupported();
  let content = at + 1;
  while (line[content] === ' ') content++;
  if (content === line.length || line[content] === '#' || line[content] === '-') unsupported();
  const compact = keyEntry(line, content, offset);
  if (compact) {
    entries.push({ indent: at, offset: offset + at, compact: true }, compact);
  } else {
    entries.push({ indent: at, offset: offset + at, scalar: scalarAt(line, content, offset) });
  }
  return 'item';
}

/** The `name:` entry starting at `at`, or undefined when the line holds no key there. */
function keyEntry(line: string, at: number, offset: number): Entry | undefined {
  const key = keyAt(line, at);
  if (!key) return undefined;
  const entry: Entry = { indent: at, offset: offset + at, key: key.name };
  let value = key.end + 1;
  while (line[value] === ' ') value++;
  if (value < line.length && line[value] !== '#') entry.scalar = scalarAt(line, value, offset);
  return entry;
}

function keyAt(line: string, at: number): { name: string; end: number } | undefined {
  const quote = line[at];
  let name: string;
  let end: number;
  if (quote === '"' || quote === "'") {
    end = line.indexOf(quote, at + 1);
    if (end === -1) return undefined;
    name = line.slice(at + 1, end);
    if (quote === '"' && name.includes('\\')) unsupported();
    if (quote === "'" && line[end + 1] === "'") unsupported();
    end++;
  } else {
    PLAIN_KEY.lastIndex = at;
    const match = PLAIN_KEY.exec(line);
    if (!match) return undefined;
    name = match[0];
    end = at + name.length;
  }
  if (line[end] !== ':' || (end + 1 < line.length && line[end + 1] !== ' ')) return undefined;
  if (name.length > MAX_KEY_LENGTH) unsupported();
  return { name, end };
}

function scalarAt(line: string, at: number, offset: number): Scalar {
  const first = line[at]!;
  if (first === '"' || first === "'") return { value: quotedAt(line, at, first), offset: offset + at };
  if (INDICATORS.has(first)) unsupported();
  let end = line.indexOf(' #', at);
  if (end === -1) end = line.length;
  while (line[end - 1] === ' ') end--;
  const text = line.slice(at, end);
  if (text.includes(': ') || text.endsWith(':')) unsupported();
  return { value: plainValue(text), offset: offset + at };
}

function quotedAt(line: string, at: number, quote: string): string {
  const end = line.indexOf(quote, at + 1);
  if (end === -1) unsupported();
  const text = line.slice(at + 1, end);
  if (quote === '"' && text.includes('\\')) unsupported();
  if (!AFTER_QUOTED.test(line.slice(end + 1))) unsupported();
  return text;
}

function plainValue(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOLEAN.test(text)) return text[0] === 't' || text[0] === 'T';
  if (SMALL_DECIMAL.test(text)) return Number(text);
  if (OTHER_NUMBERS.some((number) => number.test(text))) unsupported();
  return text;
}

function unsupported(): never {
  throw new Unsupported();
}

/** Builds values from entries, recording positions and key orders as the full path records them. */
class Builder {
  private next = 0;

  constructor(
    private readonly entries: Entry[],
    private readonly source: SourceMap,
  ) {}

  get done(): boolean {
    return this.next === this.entries.length;
  }

  map(indent: number, pointer: string, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) unsupported();
    const object: Record<string, unknown> = {};
    const keys = new Set<string>();
    for (let entry = this.peek(); entry && entry.indent === indent; entry = this.peek()) {
      if (entry.key === undefined || keys.has(entry.key)) unsupported();
      this.next++;
      const child = childPointer(pointer, entry.key);
      if (child.length > MAX_POINTER_LENGTH) unsupported();
      const value = this.valueOf(entry, indent, child, depth);
      this.source.setSpan(child, { keyOffset: entry.offset, valueOffset: value.offset });
      keys.add(entry.key);
      Object.defineProperty(object, entry.key, {
        value: value.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    this.endOf(indent);
    this.source.setKeyOrder(pointer, [...keys]);
    return object;
  }

  private seq(indent: number, pointer: string, depth: number): unknown[] {
    if (depth > MAX_DEPTH) unsupported();
    const items: unknown[] = [];
    for (let entry = this.peek(); entry?.indent === indent && entry.key === undefined; entry = this.peek()) {
      this.next++;
      const child = childPointer(pointer, items.length);
      const item = entry.compact ? this.collection(child, depth) : entry.scalar!;
      this.source.setSpan(child, { valueOffset: item.offset });
      items.push(item.value);
    }
    this.endOf(indent);
    return items;
  }

  /** A key's value: its scalar, or the collection on the lines below it (a sequence may sit at the key's indent). */
  private valueOf(entry: Entry, indent: number, pointer: string, depth: number): Scalar {
    if (entry.scalar) return entry.scalar;
    const below = this.peek();
    if (!below || below.indent < indent) unsupported();
    if (below.indent === indent && below.key !== undefined) unsupported();
    return this.collection(pointer, depth);
  }

  private collection(pointer: string, depth: number): Scalar {
    const first = this.peek()!;
    const value =
      first.key === undefined ? this.seq(first.indent, pointer, depth + 1) : this.map(first.indent, pointer, depth + 1);
    return { value, offset: first.offset };
  }

  /** A collection ends at a line less indented; one more indented than its entries is something else. */
  private endOf(indent: number): void {
    const after = this.peek();
    if (after && after.indent > indent) unsupported();
  }

  private peek(): Entry | undefined {
    return this.entries[this.next];
  }
}
