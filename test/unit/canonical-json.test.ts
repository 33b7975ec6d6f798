import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonChunks } from '../../src/state/canonical-json.js';

const VALUES: [string, unknown][] = [
  ['a scalar', 'text'],
  ['null', null],
  ['an empty object and an empty array', { b: {}, a: [] }],
  ['keys in any order, nested', { z: 1, a: { y: [1, 2, { d: 4, c: 3 }], x: 'v' }, m: true }],
  ['members JSON leaves out or writes as null', { a: undefined, b: () => 1, c: [undefined, () => 1, 2], d: 1 }],
  ['strings with newlines and quotes', { 'line\nbreak': 'a "quoted"\nvalue', list: ['x\ny'] }],
  ['a value with toJSON', { when: new Date(Date.UTC(2026, 0, 2)), custom: { toJSON: () => ({ b: 1, a: 2 }) } }],
  ['deep nesting past the split depth', { a: { b: { c: { d: { e: { f: [{ h: 1, g: 2 }] } } } } } }],
];

describe('canonicalJsonChunks', () => {
  it.each(VALUES)('joins to exactly the text of canonicalJson: %s', (_, value) => {
    for (const depth of [0, 1, 2, 4, 10]) {
      expect([...canonicalJsonChunks(value, 2, depth)].join('')).toBe(canonicalJson(value, 2));
    }
  });

  it('writes each member of a split level as its own piece', () => {
    const tags = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, { digest: `d${i}` }]));
    const pieces = [...canonicalJsonChunks({ streams: { app: { tags } } }, 2, 4)];
    expect(pieces.length).toBeGreaterThan(200);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(64);
  });
});
