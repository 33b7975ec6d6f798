import {
  isAlias,
  isMap,
  isScalar,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  stringify,
  type YAMLMap,
} from 'yaml';
import { UsageError } from '../core/errors.js';

/** A value written into YAML: a scalar, or a mapping given as entries in the order they are written. */
export type YamlValue = string | boolean | YamlEntries;
export type YamlEntries = ReadonlyArray<readonly [string, YamlValue]>;

/**
 * Sets the value at `path` (keys from the root mapping) and returns the new text. An existing scalar is replaced in
 * place, in its quoting style, and so is an existing mapping by a scalar and a scalar by a mapping; missing keys are added after the last entry of the deepest mapping that exists, in
 * that mapping's style (block or flow) and indentation. Everything else — comments, blank lines, quoting, key order,
 * alignment — is left byte for byte as it was.
 */
export function setYamlValue(text: string, path: readonly string[], value: YamlValue): string {
  const source = new YamlSource(text);
  const found = source.walk(path);
  if (found.missing.length === 0) {
    const pair = found.pair!;
    if (typeof value === 'object') return source.replaceByMapping(found, value, path);
    return source.replaceScalar(pair, value, path, found.map.flow === true);
  }
  return source.addPair(found, [nest(found.missing, value)]);
}

/** Removes the key at `path` with its value, and the comments written directly above it. */
export function deleteYamlKey(text: string, path: readonly string[]): string {
  const source = new YamlSource(text);
  const found = source.walk(path);
  if (found.missing.length > 0) throw new UsageError(`${describe(path)} does not exist`);
  return source.removePair(found);
}

/**
 * Removes the keys `keys` of the mapping at `path` as `deleteYamlKey` would, parsing the text once for all but the
 * first pair of a block mapping rather than once for each key.
 */
export function deleteYamlKeys(text: string, path: readonly string[], keys: readonly string[]): string {
  const later = new YamlSource(text).removeLaterPairs(path, new Set(keys));
  if (later === undefined) return keys.reduce((edited, key) => deleteYamlKey(edited, [...path, key]), text);
  const left = new Set(yamlMappingKeys(later, path) ?? []);
  return keys.filter((key) => left.has(key)).reduce((edited, key) => deleteYamlKey(edited, [...path, key]), later);
}

/** True when every key of `path` exists. */
export function hasYamlKey(text: string, path: readonly string[]): boolean {
  return new YamlSource(text).walk(path).missing.length === 0;
}

/** The keys of the mapping at `path`, as the catalog loader reads them; undefined when there is none there. */
export function yamlMappingKeys(text: string, path: readonly string[]): string[] | undefined {
  const source = new YamlSource(text);
  const found = source.walk(path);
  if (found.missing.length > 0 || !isMap(found.pair!.value)) return undefined;
  return (found.pair!.value.items as Pair[]).flatMap((pair) => keyText(pair, text) ?? []);
}

/**
 * Where each pair of the block mapping at `path` is written: from the start of its key's line to the end of its value
 * (comment lines indented deeper included), with the column of the key that holds the mapping. Undefined when the
 * mapping is missing, a flow mapping, or a key does not start its line.
 */
export function blockPairRegions(
  text: string,
  path: readonly string[],
): { holderColumn: number; eol: string; regions: Map<string, { start: number; end: number }> } | undefined {
  return new YamlSource(text).pairRegions(path);
}

/**
 * The keys of the mapping at `path`, each with the keys of its value (none when that is not a mapping) and whether
 * their values are mappings: what the mapping holds, read in one parse.
 */
export function yamlMappingShape(text: string, path: readonly string[]): Map<string, Map<string, boolean>> | undefined {
  const source = new YamlSource(text);
  const found = source.walk(path);
  if (found.missing.length > 0 || !isMap(found.pair!.value)) return undefined;
  const shape = new Map<string, Map<string, boolean>>();
  for (const pair of found.pair!.value.items as Pair[]) {
    const key = keyText(pair, text);
    if (key === undefined || shape.has(key)) continue;
    const inner = new Map<string, boolean>();
    for (const child of isMap(pair.value) ? (pair.value.items as Pair[]) : []) {
      const name = keyText(child, text);
      if (name !== undefined && !inner.has(name)) inner.set(name, isMap(child.value));
    }
    shape.set(key, inner);
  }
  return shape;
}

/** Adds `entries` after the last pair of the mapping at `path` (which exists), in one edit. */
export function addYamlEntries(text: string, path: readonly string[], entries: YamlEntries): string {
  const source = new YamlSource(text);
  const found = source.walk([...path, '\u0000']);
  if (found.missing.length !== 1) throw new UsageError(`${describe(path)} is not a mapping`);
  return source.addPair(found, entries);
}

interface Walked {
  /** The deepest mapping found on the path. */
  map: YAMLMap;
  /** The key whose value `map` is; undefined for the root mapping. */
  holder: Scalar | undefined;
  /** Whether `holder`'s own mapping is a flow mapping. */
  holderInFlow: boolean;
  /** Indentation step of the block mappings on the path (the difference between nested keys' columns). */
  step: number;
  /** The pair at the end of the path, when it exists. */
  pair: Pair | undefined;
  /** The keys of `path` that do not exist, from the first missing one. */
  missing: string[];
}

const DEFAULT_STEP = 2;

class YamlSource {
  private readonly eol: string;
  private readonly root: YAMLMap;

  constructor(private readonly text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    const doc = parseDocument(text, { version: '1.2', uniqueKeys: false });
    if (!isMap(doc.contents)) throw new UsageError('the catalog is not a YAML mapping');
    this.root = doc.contents;
  }

  walk(path: readonly string[]): Walked {
    let map = this.root;
    let holder: Scalar | undefined;
    let holderInFlow = false;
    const columns: number[] = [];
    for (let i = 0; i < path.length; i++) {
      const pair = findPair(map, path[i]!, this.text);
      if (!map.flow && map.items[0]) columns.push(this.column(keyNode(map.items[0]).range![0]));
      const step = indentStep(columns);
      if (!pair) return { map, holder, holderInFlow, step, pair: undefined, missing: path.slice(i) };
      refuseAliases(pair, path.slice(0, i + 1));
      if (i === path.length - 1) return { map, holder, holderInFlow, step, pair, missing: [] };
      if (!isMap(pair.value)) throw new UsageError(`${describe(path.slice(0, i + 1))} is not a mapping`);
      holder = keyNode(pair);
      holderInFlow = map.flow === true;
      map = pair.value;
    }
    throw new UsageError('an empty path names no value');
  }

  replaceScalar(pair: Pair, value: string | boolean, path: readonly string[], inFlow: boolean): string {
    const node = pair.value;
    if (isMap(node) && node.range) return this.replaceMapping(pair, node.range[1], value, inFlow);
    if (!isScalar(node) || !node.range || node.range[0] === node.range[1]) {
      throw new UsageError(`${describe(path)} is not a single value`);
    }
    return this.splice(node.range[0], node.range[1], renderScalar(value, node.type, inFlow));
  }

  /** A scalar value replaced by a mapping where it stood: a block mapping in a block mapping, `{ … }` in a flow one. */
  replaceByMapping(found: Walked, value: YamlEntries, path: readonly string[]): string {
    const node = found.pair!.value;
    if (!isScalar(node) || !node.range || node.range[0] === node.range[1]) {
      throw new UsageError(`cannot replace ${describe(path)} with a mapping`);
    }
    if (found.map.flow || value.length === 0) return this.splice(node.range[0], node.range[1], renderFlowValue(value));
    const key = keyNode(found.pair!);
    const indent = this.column(key.range![0]) + found.step;
    const lines = value.flatMap(([k, v]) => renderBlockPair(k, v, indent, found.step));
    return this.splice(key.range![1], node.range[1], `:${this.eol}${lines.join(this.eol)}`);
  }

  /** A mapping value replaced by a scalar where it stood; comments inside it go with it. */
  private replaceMapping(pair: Pair, end: number, value: string | boolean, inFlow: boolean): string {
    const tail = this.text[end - 1] === '\n' ? this.eol : '';
    const scalar = renderScalar(value, 'PLAIN', inFlow);
    return this.splice(keyNode(pair).range![1], end, `: ${scalar}${tail}`);
  }

  addPair(found: Walked, pairs: YamlEntries): string {
    const { map } = found;
    const last = map.items.at(-1);
    if (map.flow && !last) return this.fillEmptyFlowMap(found, pairs);
    if (map.flow) {
      const end = valueEnd(last!);
      return this.splice(end, end, pairs.map(([k, v]) => `, ${renderKey(k)}: ${renderFlowValue(v)}`).join(''));
    }
    const indent = this.column(keyNode(map.items[0]!).range![0]);
    const at = this.blockPairEnd(last!, indent);
    let lead = map.items.length > 1 && keyNode(last!).spaceBefore ? this.eol : '';
    if (at === this.text.length && !this.text.endsWith('\n')) lead = this.eol + lead;
    const lines = pairs.flatMap(([k, v]) => renderBlockPair(k, v, indent, found.step));
    return this.splice(at, at, lead + lines.map((line) => line + this.eol).join(''));
  }

  pairRegions(path: readonly string[]) {
    const found = this.walk(path);
    const map = found.pair?.value;
    if (found.missing.length > 0 || !isMap(map) || map.flow) return undefined;
    const regions = new Map<string, { start: number; end: number }>();
    for (const pair of map.items as Pair[]) {
      const key = keyText(pair, this.text);
      const start = pair.key && isScalar(pair.key) && pair.key.range ? this.lineStart(pair.key.range[0]) : -1;
      if (key === undefined || start < 0 || this.text.slice(start, keyNode(pair).range![0]).trim() !== '') {
        return undefined;
      }
      const end = this.blockPairEnd(pair, this.column(keyNode(pair).range![0]));
      if (!regions.has(key)) regions.set(key, { start, end });
    }
    return { holderColumn: this.column(keyNode(found.pair!).range![0]), eol: this.eol, regions };
  }

  removePair(found: Walked): string {
    const { map, pair } = found;
    const index = map.items.indexOf(pair!);
    if (map.flow) return this.removeFlowPair(map, index);
    const key = keyNode(pair!);
    const indent = this.column(key.range![0]);
    const end = this.blockPairEnd(pair!, indent);
    if (map.items.length === 1) {
      if (!found.holder) throw new UsageError('cannot remove the only key of the catalog');
      const tail = this.text[end - 1] === '\n' ? this.eol : '';
      return this.splice(found.holder.range![1], end, `: {}${tail}`);
    }
    let start = this.commentsAbove(this.lineStart(key.range![0]), indent);
    let stop = end;
    if (index > 0) start = this.blankLinesAbove(start);
    else stop = this.blankLinesBelow(stop);
    return this.splice(start, stop, '');
  }

  /**
   * The text without the pairs of the block mapping at `path` named `keys`, but its first pair: what removing them
   * one by one from the last does, in one parse. Undefined for a flow mapping.
   */
  removeLaterPairs(path: readonly string[], keys: ReadonlySet<string>): string | undefined {
    const map = this.walk(path).pair?.value;
    if (!isMap(map) || map.flow) return undefined;
    let text = this.text;
    for (let index = map.items.length - 1; index > 0; index--) {
      const pair = map.items[index] as Pair;
      const name = keyText(pair, this.text);
      if (name === undefined || !keys.has(name) || findPair(map, name, this.text) !== pair) continue;
      const key = keyNode(pair);
      const indent = this.column(key.range![0]);
      const start = this.blankLinesAbove(this.commentsAbove(this.lineStart(key.range![0]), indent));
      text = text.slice(0, start) + text.slice(this.blockPairEnd(pair, indent));
    }
    return text;
  }

  /** `{}` becomes `{ key: value }`, or a block mapping under a key of a block mapping. */
  private fillEmptyFlowMap(found: Walked, pairs: YamlEntries): string {
    const { map, holder } = found;
    const [start, end] = map.range!;
    if (!holder || found.holderInFlow) {
      return this.splice(start, end, renderFlowValue(pairs));
    }
    const indent = this.column(holder.range![0]) + found.step;
    const lines = pairs.flatMap(([k, v]) => renderBlockPair(k, v, indent, found.step));
    return this.splice(holder.range![1], end, `:${this.eol}${lines.join(this.eol)}`);
  }

  private removeFlowPair(map: YAMLMap, index: number): string {
    const pair = map.items[index]!;
    if (map.items.length === 1) return this.splice(map.range![0], map.range![1], '{}');
    const next = map.items[index + 1];
    if (next) return this.splice(keyNode(pair).range![0], keyNode(next).range![0], '');
    return this.splice(valueEnd(map.items[index - 1]!), valueEnd(pair), '');
  }

  /**
   * Where a pair of a block mapping ends: after the line its value ends on, and after the comment lines indented
   * deeper than its key that follow (they belong to its value).
   */
  private blockPairEnd(pair: Pair, keyIndent: number): number {
    const key = keyNode(pair);
    const end = Math.max(valueEnd(pair), key.range![1]);
    let at = this.endOfLine(end - 1);
    while (at < this.text.length) {
      const next = this.endOfLine(at);
      const indent = /^( *)#/.exec(this.text.slice(at, next))?.[1]?.length;
      if (indent === undefined || indent <= keyIndent) break;
      at = next;
    }
    return at;
  }

  /** The start of the comment lines at exactly `indent` directly above the line starting at `lineStart`. */
  private commentsAbove(lineStart: number, indent: number): number {
    let at = lineStart;
    while (at > 0) {
      const previous = this.lineStart(at - 1);
      const line = this.text.slice(previous, at);
      if (/^( *)#/.exec(line)?.[1]?.length !== indent) break;
      at = previous;
    }
    return at;
  }

  private blankLinesAbove(lineStart: number): number {
    let at = lineStart;
    while (at > 0) {
      const previous = this.lineStart(at - 1);
      if (this.text.slice(previous, at).trim() !== '') break;
      at = previous;
    }
    return at;
  }

  private blankLinesBelow(lineStart: number): number {
    let at = lineStart;
    while (at < this.text.length) {
      const next = this.endOfLine(at);
      if (this.text.slice(at, next).trim() !== '') break;
      at = next;
    }
    return at;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset after the line break that ends the line holding `offset` (the end of the text on the last line). */
  private endOfLine(offset: number): number {
    const newline = this.text.indexOf('\n', Math.max(offset, 0));
    return newline < 0 ? this.text.length : newline + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  private splice(start: number, end: number, insert: string): string {
    return this.text.slice(0, start) + insert + this.text.slice(end);
  }
}

function indentStep(columns: number[]): number {
  const [outer, inner] = columns.slice(-2);
  return outer !== undefined && inner !== undefined && inner > outer ? inner - outer : DEFAULT_STEP;
}

function keyNode(pair: Pair): Scalar {
  return pair.key as Scalar;
}

function valueEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  return value?.range?.[1] ?? keyNode(pair).range![1];
}

/** A pair's key as the catalog loader reads it: a plain `1.0` is "1.0"; undefined for a key that is not a scalar. */
function keyText(pair: Pair, text: string): string | undefined {
  const key = pair.key;
  if (!isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  const [start, end] = key.range ?? [0, 0];
  return key.type === 'PLAIN' ? text.slice(start, end) : String(key.value);
}

/** The pair whose key, as written, is `name`: a plain `1.0` is the key "1.0", as the catalog loader reads it. */
function findPair(map: YAMLMap, name: string, text: string): Pair | undefined {
  return (map.items as Pair[]).find((pair) => keyText(pair, text) === name);
}

/** Anchored or aliased nodes are shared with other places: editing one would silently change the others. */
function refuseAliases(pair: Pair, path: readonly string[]): void {
  const value = pair.value as Node | null;
  if (isAlias(value) || value?.anchor) {
    throw new UsageError(`${describe(path)} uses a YAML anchor or alias; edit it by hand`);
  }
}

function nest(keys: readonly string[], value: YamlValue): readonly [string, YamlValue] {
  const [first, ...rest] = keys;
  return [first!, rest.length === 0 ? value : [nest(rest, value)]];
}

function renderBlockPair(key: string, value: YamlValue, indent: number, step: number): string[] {
  const head = `${' '.repeat(indent)}${renderKey(key)}:`;
  if (typeof value !== 'object') return [`${head} ${renderScalar(value, 'PLAIN', false)}`];
  if (value.length === 0) return [`${head} {}`];
  return [head, ...value.flatMap(([k, v]) => renderBlockPair(k, v, indent + step, step))];
}

function renderFlowValue(value: YamlValue): string {
  if (typeof value !== 'object') return renderScalar(value, 'PLAIN', true);
  if (value.length === 0) return '{}';
  return `{ ${value.map(([k, v]) => `${renderKey(k)}: ${renderFlowValue(v)}`).join(', ')} }`;
}

function renderKey(key: string): string {
  return renderScalar(key, 'PLAIN', true);
}

/** A scalar in the given quoting style; plain only where it reads back as the same string. */
export function renderScalar(value: string | boolean, style: Scalar['type'], inFlow: boolean): string {
  if (typeof value === 'boolean') return String(value);
  const type = style === 'QUOTE_SINGLE' || style === 'QUOTE_DOUBLE' ? style : 'PLAIN';
  if (type === 'PLAIN' && inFlow && /[,[\]{}]/.test(value)) return JSON.stringify(value);
  // A block scalar or folded quotes would need the indentation of the line they are written on: one line instead.
  if (/[\n\r\u0085\u2028\u2029]/.test(value)) return oneLineQuoted(value);
  return stringify(value, { version: '1.2', lineWidth: 0, defaultStringType: type }).trimEnd();
}

/** A double-quoted scalar on one line: JSON's escapes, and the line breaks JSON leaves raw escaped too. */
function oneLineQuoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function describe(path: readonly string[]): string {
  return path.join('.');
}
