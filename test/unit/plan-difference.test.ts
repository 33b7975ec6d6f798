import { describe, expect, it } from 'vitest';
import { firstDifference } from '../../src/engine/saved-plan/difference.js';

describe('firstDifference: where a saved value departs from the derived one', () => {
  it.each<[string, unknown, unknown, string | undefined]>([
    ['equal values', { a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }, undefined],
    ['keys in another order', { a: 1, b: 2 }, { b: 2, a: 1 }, undefined],
    ['an absent optional field', { a: 1, b: undefined }, { a: 1 }, undefined],
    ['a changed leaf', { after: { digest: 'x' } }, { after: { digest: 'y' } }, 'after.digest'],
    ['a changed array item', { platforms: [{ after: 'x' }] }, { platforms: [{ after: 'y' }] }, 'platforms[0].after'],
    ['an extra array item', { rows: [1] }, { rows: [1, 2] }, 'rows[1]'],
    ['a missing field', { a: 1, b: 2 }, { a: 1 }, 'b'],
    ['null for an object', { after: { digest: 'x' } }, { after: null }, 'after'],
    ['an array for an object', { after: { digest: 'x' } }, { after: ['x'] }, 'after'],
    ['a number for a string', { size: '1' }, { size: 1 }, 'size'],
    ['an unknown field, named by its parent', { spec: { from: 'a' } }, { spec: { from: 'a', evil: 1 } }, 'spec'],
    ['a different whole value', 1, 2, '(the whole value)'],
  ])('%s', (_name, expected, actual, where) => {
    expect(firstDifference(expected, actual)).toBe(where);
  });

  it('names paths by the derived keys, printable and cut short', () => {
    const key = `\u001b[2J${'k'.repeat(200)}`;
    const where = firstDifference({ labels: { [key]: 'a' } }, { labels: { [key]: 'b' } })!;
    expect(where).not.toContain('\u001b');
    expect(where.length).toBeLessThanOrEqual(121);
  });
});
