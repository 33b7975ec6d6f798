import { describe, expect, it } from 'vitest';
import { humanDuration, humanSize } from '../../src/render/oc-units.js';

describe('ages and sizes as docker and oc print them', () => {
  it.each([
    [0, 'Less than a second'],
    [1_000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [45 * 60_000, '45 minutes'],
    [60 * 60_000, 'About an hour'],
    [89 * 60_000, 'About an hour'],
    [91 * 60_000, '2 hours'],
    [3 * 3_600_000, '3 hours'],
    [47 * 3_600_000, '47 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('%d ms is %j', (milliseconds, text) => {
    expect(humanDuration(milliseconds)).toBe(text);
  });

  it.each([
    [0, '0B'],
    [623, '623B'],
    [1234, '1.234kB'],
    [4430, '4.43kB'],
    [12_345_678, '12.35MB'],
    [1_000_000_000, '1GB'],
  ])('%d bytes is %j', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});
