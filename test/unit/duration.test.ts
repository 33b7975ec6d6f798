import { describe, expect, it } from 'vitest';
import { type BareNumbers, durationMilliseconds, parseDuration } from '../../src/config/duration.js';
import { durationText } from '../../src/core/duration-text.js';
import { UsageError } from '../../src/core/errors.js';

describe('the duration grammar', () => {
  it.each([
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2s', 2000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h0m5s250ms', 3_605_250],
    ['0s', 0],
    [' 15m ', 900_000],
  ])('%j is %d ms', (text, ms) => {
    expect(durationMilliseconds(text)).toBe(ms);
  });

  it.each(['', 'm', 'ms', '1.5h', '15 m', '30m1h', '5ms1s', '-5m', '1d', '15M'])('%j is not a duration', (text) => {
    expect(durationMilliseconds(text)).toBeUndefined();
  });

  it.each<[BareNumbers, string, number | undefined]>([
    ['refused', '0', undefined],
    ['refused', '30', undefined],
    ['zero', '0', 0],
    ['zero', '30', undefined],
    ['seconds', '0', 0],
    ['seconds', '30', 30_000],
  ])('a bare number, %s: %j is %s', (bareNumbers, text, ms) => {
    expect(durationMilliseconds(text, bareNumbers)).toBe(ms);
  });

  it('parseDuration says what is wrong', () => {
    expect(() => parseDuration('15')).toThrow(
      new UsageError('invalid duration "15": expected a duration such as 15m, 1h30m or 90s'),
    );
    expect(() => parseDuration('90000000000000000000h')).toThrow(
      new UsageError('invalid duration "90000000000000000000h": too long'),
    );
  });
});

describe('durationText', () => {
  it.each([
    [0, {}, '0s'],
    [90_000, {}, '1m30s'],
    [5_400_000, {}, '1h30m'],
    [3_600_000, {}, '1h'],
    [1500, {}, '1500ms'],
    [1500, { round: 'up' }, '2s'],
    [1400, { round: 'nearest' }, '1s'],
    [61_001, { round: 'up' }, '1m2s'],
    [300_000, { largestUnit: 's' }, '300s'],
    [300, { largestUnit: 's' }, '300ms'],
  ] as const)('%d ms with %j is %j', (ms, options, text) => {
    expect(durationText(ms, options)).toBe(text);
  });

  it.each(['15m', '1h30m', '90s', '2h0m5s', '0s'])('writes %j back as parsed, or shorter', (text) => {
    expect(parseDuration(durationText(parseDuration(text)))).toBe(parseDuration(text));
  });
});
