/**
 * Deep copies of JSON-like values in which equal strings are one string. The tags of a state repeat the same media
 * types, platforms, digests and image settings thousands of times: a state of 10,000 tags holds some 30 MB of
 * copies of the same few thousand strings when each recorded value keeps its own.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  copy<T>(value: T): T {
    return this.copyValue(value) as T;
  }

  private copyValue(value: unknown): unknown {
    if (typeof value === 'string') return this.shared(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.copyValue(item));
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      Object.defineProperty(copy, key, {
        value: this.copyValue(member),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return copy;
  }

  private shared(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }
}
