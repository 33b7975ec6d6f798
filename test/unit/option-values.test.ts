import { describe, expect, it } from 'vitest';
import { parseLockTimeout } from '../../src/cli/option-values.js';

describe('--lock-timeout', () => {
  it.each([
    ['0', 0],
    ['30', 30_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
  ])('%j is %d ms (a bare number is seconds)', (text, ms) => {
    expect(parseLockTimeout(text)).toBe(ms);
  });

  it.each(['', '5 m', '1d', '-1', '99999999999999999999h'])('%j is refused', (text) => {
    expect(() => parseLockTimeout(text)).toThrow('expected a duration such as 30s, 5m or 0');
  });
});
