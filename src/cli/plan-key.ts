import { UsageError } from '../core/errors.js';

export const PLAN_KEY_VARIABLE = 'IMAGESTREAMS_PLAN_KEY';

/**
 * The key saved plans are signed and checked with (`IMAGESTREAMS_PLAN_KEY`), undefined when it is not set. Set but
 * empty is an error, never "no key": a CI secret that did not reach the job must not turn checking off.
 */
export function planKey(env: NodeJS.ProcessEnv): Uint8Array | undefined {
  const value = env[PLAN_KEY_VARIABLE];
  if (value === undefined) return undefined;
  if (value === '') {
    throw new UsageError(`${PLAN_KEY_VARIABLE} is set but empty: set it to the key plans are signed with, or unset it`);
  }
  return Buffer.from(value, 'utf8');
}
