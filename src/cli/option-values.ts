import { InvalidArgumentError } from 'commander';
import { durationMilliseconds } from '../config/duration.js';

/** A repeatable option's values, in the order given (none given: the option is undefined, shown without default). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The value of a boolean flag written `--flag=VALUE`: true, false, 1 or 0. */
export function booleanValue(value: string): boolean | undefined {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** `--lock-timeout`: milliseconds in a duration (`30s`, `5m`, `1h30m`, `500ms`); a bare number is seconds. */
export function parseLockTimeout(value: string): number {
  const milliseconds = durationMilliseconds(value, 'seconds');
  if (milliseconds === undefined || !Number.isSafeInteger(milliseconds)) {
    throw new InvalidArgumentError('expected a duration such as 30s, 5m or 0');
  }
  return milliseconds;
}
