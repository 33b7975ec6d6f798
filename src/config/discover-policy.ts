import type { DiscoveryOrder, DiscoveryPolicy } from '../core/discovery.js';
import { parseRange } from '../core/discovery-order.js';
import { quoted } from '../core/echoed-text.js';
import { childPointer, subjectOf } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { isRawMap, type RawMap, stringAt } from './raw-values.js';

const POLICY_KINDS = ['semver', 'alphabetical', 'numerical'] as const;
const ORDERS: readonly DiscoveryOrder[] = ['asc', 'desc'];

/**
 * `policy` of a `discover` block: `semver: RANGE` (or Flux's `{range}`), `alphabetical`/`numerical: asc|desc` (or
 * Flux's `{order}`, asc by default). Undefined when it is missing or wrong (the schema or a problem says why).
 */
export function discoverPolicyAt(
  raw: RawMap | undefined,
  pointer: string,
  problems: ProblemList,
): DiscoveryPolicy | undefined {
  const policy = raw?.policy;
  if (!isRawMap(policy)) return undefined;
  const kinds = POLICY_KINDS.filter((kind) => kind in policy);
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) return undefined;
  const at = childPointer(childPointer(pointer, 'policy'), kind);
  const value = policy[kind];
  if (kind === 'semver') return semverPolicy(value, at, problems);
  const order = orderOf(value);
  return order === undefined ? undefined : { kind, order };
}

/** `asc`, `desc`, or Flux's `{order}` (asc when it has none). */
function orderOf(value: unknown): DiscoveryOrder | undefined {
  const written = isRawMap(value) ? (value.order ?? 'asc') : value;
  return ORDERS.find((order) => order === written);
}

/** `RANGE`, or Flux's `{range}`, which must be a range the semver package reads. */
function semverPolicy(value: unknown, at: string, problems: ProblemList): DiscoveryPolicy | undefined {
  const fluxForm = isRawMap(value);
  const written = fluxForm ? stringAt(value, 'range') : value;
  const rangeAt = fluxForm ? childPointer(at, 'range') : at;
  if (typeof written !== 'string' || written === '' || problems.has(rangeAt)) return undefined;
  if (parseRange(written)) return { kind: 'semver', range: written };
  problems.add(
    rangeAt,
    `${subjectOf(rangeAt)} is not a valid semver range: ${quoted(written)} (write one such as ">=15 <18", "^1.2" or "5.1.x")`,
  );
  return undefined;
}
