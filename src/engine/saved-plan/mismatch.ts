import { PlanMismatchError } from '../../core/errors.js';

/** A saved plan that is not what plan derives from its inputs; `detail` says where it departs. */
export function mismatch(detail: string): PlanMismatchError {
  return new PlanMismatchError(
    `Saved plan does not match what plan derives from the catalog, the state and the plan's observations: ${detail}; run plan again`,
  );
}

/** An address read from a plan, for a message: only when it is short and printable. */
export function safeAddress(address: string): string {
  return /^[\w.-]{1,128}:[\w.-]{1,128}$/.test(address) ? address : 'a tag';
}
