import { describe, expect, it } from 'vitest';
import { codeSpan, escapeInline, fenceFor, tableCode } from '../../src/render/markdown.js';

describe('markdown syntax helpers', () => {
  it.each([
    ['plain text', 'ubi9:latest', 'ubi9:latest'],
    ['emphasis and links', '*a* _b_ [c](d)', '\\*a\\* \\_b\\_ \\[c\\](d)'],
    ['html', '<img src=x>', '\\<img src=x\\>'],
    ['pipes, backticks and backslashes', 'a|b `c` \\d', 'a\\|b \\`c\\` \\\\d'],
    ['line breaks', 'one\n  two', 'one two'],
  ])('escapes %s inline', (_name, text, expected) => {
    expect(escapeInline(text)).toBe(expected);
  });

  it.each([
    ['text without backticks', 'sha256:abc', '`sha256:abc`'],
    ['a backtick inside', 'a`b', '``a`b``'],
    ['a run of backticks', 'a``b`', '``` a``b` ```'],
  ])('wraps %s in a code span', (_name, text, expected) => {
    expect(codeSpan(text)).toBe(expected);
  });

  it('escapes pipes of a code span in a table cell', () => {
    expect(tableCode('a|b')).toBe('`a\\|b`');
  });

  it.each([
    [['plain'], '```'],
    [['has ``` inside'], '````'],
    [['````', 'x'], '`````'],
  ])('fences %j with %s', (lines, fence) => {
    expect(fenceFor(lines, 'text')).toEqual({ open: `${fence}text`, close: fence });
  });
});
