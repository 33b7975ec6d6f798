import { UsageError } from '../core/errors.js';

const DURATION = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

/** Milliseconds in a duration written as hours, minutes and seconds: `15m`, `1h30m`, `90s`. Throws UsageError. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match)
    throw new UsageError(`invalid duration ${JSON.stringify(text)}: expected a duration such as 15m, 1h30m or 90s`);
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number];
  const milliseconds = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (!Number.isSafeInteger(milliseconds)) throw new UsageError(`invalid duration ${JSON.stringify(text)}: too long`);
  return milliseconds;
}
