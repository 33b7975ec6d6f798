import { type Alias, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type Scalar } from 'yaml';
import { childPointer, where } from './json-pointer.js';
import type { ProblemList } from './problems.js';

/** Most alias expansions in one catalog: anchors may be shared, a "billion laughs" document is refused early. */
export const MAX_ALIAS_EXPANSIONS = 1000;
/** Most values produced by expanding aliases. */
export const MAX_EXPANDED_VALUES = 100_000;
/** Deepest nesting of plain values, aliases included. */
export const MAX_VALUE_DEPTH = 64;

/**
 * Turns a parsed YAML document into plain JSON-like values for schema validation, recording in `problems.source`
 * where each value (by JSON Pointer) sits in the text. Unlike yaml's own toJS, a plain scalar key keeps the text as
 * written, so the tag `1.0:` is "1.0" and not "1"; duplicate keys are compared the same way.
 */
export function toPlainValues(root: Node | null, text: string, problems: ProblemList): unknown {
  problems.source.setSpan('', { valueOffset: offsetOf(root) });
  return new ValueBuilder(text, problems).build(root, '', 0, false);
}

class ValueBuilder {
  private readonly anchors = new Map<string, Node>();
  private aliasExpansions = 0;
  /** The alias written in the document that is being expanded: where limits crossed while expanding are reported. */
  private outerAlias: Alias | undefined;
  private expandedValues = 0;

  constructor(
    private readonly text: string,
    private readonly problems: ProblemList,
  ) {}

  build(node: Node | null, pointer: string, depth: number, expanding: boolean): unknown {
    if (depth > MAX_VALUE_DEPTH) {
      this.fatal(node, expanding, `the catalog is nested too deeply (more than ${MAX_VALUE_DEPTH} levels)`);
    }
    if (expanding && ++this.expandedValues > MAX_EXPANDED_VALUES) {
      this.fatal(node, expanding, `aliases expand to more than ${MAX_EXPANDED_VALUES} values`);
    }
    if (isAlias(node)) {
      if (!expanding) this.outerAlias = node;
      return this.expand(node, pointer, depth);
    }
    const value = this.buildNode(node, pointer, depth, expanding);
    if (node?.anchor && !expanding) this.anchors.set(node.anchor, node);
    return value;
  }

  private buildNode(node: Node | null, pointer: string, depth: number, expanding: boolean): unknown {
    if (isMap(node)) return this.buildMap(node.items as Pair<unknown, unknown>[], pointer, depth, expanding);
    if (isSeq(node)) {
      return node.items.map((item, i) =>
        this.buildEntry(item as Node | null, childPointer(pointer, i), depth, expanding),
      );
    }
    if (isScalar(node)) return node.value;
    return null;
  }

  private expand(alias: Alias, pointer: string, depth: number): unknown {
    if (++this.aliasExpansions > MAX_ALIAS_EXPANSIONS) {
      this.fatal(alias, true, `the catalog expands aliases more than ${MAX_ALIAS_EXPANSIONS} times`);
    }
    const target = this.anchors.get(alias.source);
    if (!target) {
      this.problems.add(pointer, `unknown alias *${alias.source} (an anchor &${alias.source} must come first)`);
      return null;
    }
    return this.build(target, pointer, depth + 1, true);
  }

  private buildMap(pairs: Pair<unknown, unknown>[], pointer: string, depth: number, expanding: boolean) {
    const object: Record<string, unknown> = {};
    const firstOffsets = new Map<string, number>();
    const keys: string[] = [];
    for (const pair of pairs) {
      const key = pair.key as Node | null;
      const keyOffset = offsetOf(key);
      const name = isScalar(key) && !isAlias(key) ? this.keyText(key) : undefined;
      if (name === undefined) {
        this.problems.addAtOffset(keyOffset, `keys must be plain text ${where(pointer)}`);
        continue;
      }
      const first = firstOffsets.get(name);
      if (first !== undefined) {
        const message = `duplicate key "${name}" ${where(pointer)} (first defined on line ${this.problems.lineAt(first)})`;
        this.problems.addAtOffset(keyOffset, message);
        continue;
      }
      firstOffsets.set(name, keyOffset);
      keys.push(name);
      const child = childPointer(pointer, name);
      Object.defineProperty(object, name, {
        value: this.buildEntry(pair.value as Node | null, child, depth, expanding, keyOffset),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    this.problems.source.setKeyOrder(pointer, keys);
    return object;
  }

  private buildEntry(node: Node | null, pointer: string, depth: number, expanding: boolean, keyOffset?: number) {
    const valueOffset = node ? offsetOf(node) : (keyOffset ?? 0);
    this.problems.source.setSpan(pointer, keyOffset === undefined ? { valueOffset } : { keyOffset, valueOffset });
    return this.build(node, pointer, depth + 1, expanding);
  }

  private fatal(node: Node | null, expanding: boolean, message: string): never {
    return this.problems.fatal(offsetOf(expanding ? (this.outerAlias ?? node) : node), message);
  }

  /** A key as written: plain `1.0` stays "1.0" (the YAML core schema would make it the number 1). */
  private keyText(key: Scalar): string {
    if (typeof key.value === 'string') return key.value;
    const [start, end] = key.range ?? [0, 0];
    const written = this.text.slice(start, end);
    return key.type === 'PLAIN' && written !== '' && !/[\s!&*]/.test(written) ? written : String(key.value);
  }
}

function offsetOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}
