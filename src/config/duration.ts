import { quoted } from '../core/echoed-text.js';
import { UsageError } from '../core/errors.js';

/**
 * What a number without a unit means, per flag: `refused` (the catalog, `watch --interval`), `zero` (only `0`, as
 * `prune --keep-younger-than 0`), or `seconds` (`--lock-timeout 30`).
 */
export type BareNumbers = 'refused' | 'zero' | 'seconds';

const DURATION = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m(?!s))?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const BARE_NUMBER = /^[0-9]+$/;
const UNIT_MS = [3_600_000, 60_000, 1000, 1] as const;

/**
 * Milliseconds in a duration written as hours, minutes, seconds and milliseconds, each at most once and in that
 * order: `15m`, `1h30m`, `90s`, `500ms`. Undefined when `text` is not one; possibly beyond Number.MAX_SAFE_INTEGER.
 */
export function durationMilliseconds(text: string, bareNumbers: BareNumbers = 'refused'): number | undefined {
  const trimmed = text.trim();
  if (BARE_NUMBER.test(trimmed)) return bareNumberMilliseconds(Number(trimmed), bareNumbers);
  const match = DURATION.exec(trimmed);
  if (!match) return undefined;
  return match.slice(1).reduce((total, part, i) => total + Number(part ?? 0) * (UNIT_MS[i] ?? 0), 0);
}

function bareNumberMilliseconds(n: number, bareNumbers: BareNumbers): number | undefined {
  if (bareNumbers === 'seconds') return n * 1000;
  return bareNumbers === 'zero' && n === 0 ? 0 : undefined;
}

/** Milliseconds in a duration such as `15m`, `1h30m` or `90s` (see durationMilliseconds). Throws UsageError. */
export function parseDuration(text: string, bareNumbers: BareNumbers = 'refused'): number {
  const milliseconds = durationMilliseconds(text, bareNumbers);
  if (milliseconds === undefined) {
    throw new UsageError(`invalid duration ${quoted(text)}: expected a duration such as 15m, 1h30m or 90s`);
  }
  if (!Number.isSafeInteger(milliseconds)) throw new UsageError(`invalid duration ${quoted(text)}: too long`);
  return milliseconds;
}
