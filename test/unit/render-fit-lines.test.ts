import { describe, expect, it } from 'vitest';
import { type ElasticLines, fitLines } from '../../src/render/fit-lines.js';

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const elastic = (lines: string[]): ElasticLines => ({ lines, omission: (n) => `… ${n} omitted` });

describe('fitLines', () => {
  it('joins every line, each ended by a newline, when they fit', () => {
    expect(fitLines([['head'], elastic(['a', 'b']), ['tail']], 100)).toBe('head\na\nb\ntail\n');
  });

  it('cuts an elastic block in the middle, keeps the fixed lines and stays within the limit', () => {
    const out = fitLines([['head'], elastic(numbered('line ', 100)), ['tail']], 200);
    expect(out.length).toBeLessThanOrEqual(200);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('head');
    expect(lines[1]).toBe('line 0');
    expect(lines.at(-2)).toBe('line 99');
    expect(lines.at(-1)).toBe('tail');
    const omitted = Number(/^… (\d+) omitted$/.exec(lines.find((l) => l.startsWith('…'))!)![1]);
    expect(lines.length - 3 + omitted).toBe(100);
  });

  it('keeps small blocks whole and shares what is left between the large ones', () => {
    const small = numbered('s', 3);
    const out = fitLines([elastic(numbered('first ', 1000)), elastic(small), elastic(numbered('second ', 1000))], 1000);
    const lines = out.trimEnd().split('\n');
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(lines).toEqual(expect.arrayContaining(small));
    const first = lines.filter((l) => l.startsWith('first ')).join('\n').length;
    const second = lines.filter((l) => l.startsWith('second ')).join('\n').length;
    expect(Math.abs(first - second)).toBeLessThan(20);
  });
});
