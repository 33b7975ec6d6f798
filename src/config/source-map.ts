import { createHash } from 'node:crypto';

/** Where a value sits in the YAML text: the offset of its key (for map entries) and of the value itself. */
export interface NodeSpan {
  keyOffset?: number;
  valueOffset: number;
}

/**
 * What the plain values of a catalog lost from the YAML text, by JSON Pointer: where each value was written, and
 * the order of each mapping's keys (a JavaScript object lists integer-like keys such as tag `7` first).
 */
export class SourceMap {
  private readonly spans = new Map<string, NodeSpan>();
  private readonly keyOrders = new Map<string, string[]>();

  setSpan(pointer: string, span: NodeSpan): void {
    const key = keyOf(pointer);
    if (!this.spans.has(key)) this.spans.set(key, span);
  }

  setKeyOrder(pointer: string, keys: string[]): void {
    const key = keyOf(pointer);
    if (!this.keyOrders.has(key)) this.keyOrders.set(key, keys);
  }

  /** The offset of the value at `pointer` (or of its key), else of its nearest recorded ancestor. */
  offsetOf(pointer: string, at: 'key' | 'value'): number {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const span = this.spans.get(keyOf(p));
      if (span) return at === 'key' && p === pointer ? (span.keyOffset ?? span.valueOffset) : span.valueOffset;
      if (p === '') return 0;
    }
  }

  /** The keys of the mapping at `pointer` in the order they were written. */
  keysOf(pointer: string, map: object): string[] {
    return this.keyOrders.get(keyOf(pointer)) ?? Object.keys(map);
  }
}

/** V8 hashes a string longer than this by its length alone, so long pointers are keyed by a digest instead. */
const MAX_HASHED_LENGTH = 16_000;

/** The map key of `pointer`: itself, or a digest (`#` and hex, never a pointer) of a long pointer. */
function keyOf(pointer: string): string {
  return pointer.length > MAX_HASHED_LENGTH ? `#${createHash('sha256').update(pointer).digest('hex')}` : pointer;
}
