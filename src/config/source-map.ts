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
    if (!this.spans.has(pointer)) this.spans.set(pointer, span);
  }

  setKeyOrder(pointer: string, keys: string[]): void {
    if (!this.keyOrders.has(pointer)) this.keyOrders.set(pointer, keys);
  }

  /** The offset of the value at `pointer` (or of its key), else of its nearest recorded ancestor. */
  offsetOf(pointer: string, at: 'key' | 'value'): number {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const span = this.spans.get(p);
      if (span) return at === 'key' && p === pointer ? (span.keyOffset ?? span.valueOffset) : span.valueOffset;
      if (p === '') return 0;
    }
  }

  /** The keys of the mapping at `pointer` in the order they were written. */
  keysOf(pointer: string, map: object): string[] {
    return this.keyOrders.get(pointer) ?? Object.keys(map);
  }
}
