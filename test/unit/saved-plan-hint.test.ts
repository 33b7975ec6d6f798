import { describe, expect, it } from 'vitest';
import { applyCommandLine, shellWord } from '../../src/cli/saved-plan-hint.js';

describe('the apply command plan --out prints', () => {
  it.each([
    ['plan.json', 'plan.json'],
    ['dir/p-1_2.json', 'dir/p-1_2.json'],
    ['my plan', "'my plan'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['a\nb', "'a\nb'"],
    ['*.json', "'*.json'"],
    ['', "''"],
  ])('quotes %j as %s', (word, quoted) => {
    expect(shellWord(word)).toBe(quoted);
  });

  it('puts -- before a plan file that looks like an option', () => {
    expect(applyCommandLine('-p.json', {})).toBe('imagestreams apply -- -p.json');
  });

  it('leaves out the default catalog', () => {
    expect(applyCommandLine('p', { file: 'imagestreams.yaml' })).toBe('imagestreams apply p');
    expect(applyCommandLine('p', { file: 'c.yaml', authfile: 'a b.json' })).toBe(
      "imagestreams apply -f c.yaml --authfile 'a b.json' p",
    );
  });
});
