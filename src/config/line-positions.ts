/** The 1-based line and column of an offset in a text, as catalog messages give them. */
export interface LinePositions {
  linePos(offset: number): { line: number; col: number };
}

/** Line positions of a text whose only line break is `\n`. */
export class TextLines implements LinePositions {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) this.starts.push(at + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  linePos(offset: number): { line: number; col: number } {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (this.starts[low] === offset) return { line: low + 1, col: 1 };
    return { line: low, col: offset - this.starts[low - 1]! + 1 };
  }
}
