import type { PlanDocument, PlannedChangeDocument, PlannedDiscovery, PlanSummary } from '../../core/plan-model.js';
import { safeAddress } from './mismatch.js';

/** Fields of a change that depend on the image an import reads. */
const IMAGE_FIELDS = ['after', 'selectedBy', 'platforms'] as const;

/**
 * Where a saved plan differs from the plan derived from its inputs, in words; undefined when it holds exactly the
 * derived changes, errors and counts. The copy estimates of Local imports (`copy`, `summary.copy`) are not compared:
 * they describe the local store at plan time. Nor are the image fields of `unreadable` imports, which fail.
 */
export function planDifference(
  saved: PlanDocument,
  derived: PlanDocument,
  unreadable: ReadonlySet<string>,
): string | undefined {
  return (
    changesDifference(saved.changes, derived.changes, unreadable) ??
    at('errors', firstDifference(derived.errors, saved.errors)) ??
    at('priorState', firstDifference(derived.priorState, saved.priorState)) ??
    at('summary', firstDifference(counts(derived.summary, saved.drift.length), counts(saved.summary))) ??
    discoveriesDifference(derived.discoveries ?? [], saved.discoveries) ??
    driftDifference(saved, derived)
  );
}

/** Where a saved plan's discoveries differ from the derived ones, in words; undefined when they are the same. */
export function discoveriesDifference(
  derived: readonly PlannedDiscovery[],
  saved: readonly PlannedDiscovery[] | undefined,
): string | undefined {
  return at('discoveries', firstDifference(derived, saved ?? []));
}

function changesDifference(
  saved: PlannedChangeDocument[],
  derived: PlannedChangeDocument[],
  unreadable: ReadonlySet<string>,
): string | undefined {
  const expected = new Set(derived.map((c) => c.address));
  const extra = saved.findIndex((c) => !expected.has(c.address));
  if (extra >= 0)
    return `change ${extra + 1} (${safeAddress(saved[extra]!.address)}) is not one plan makes for this catalog, state and targets`;
  const listed = new Set(saved.map((c) => c.address));
  const missing = derived.find((c) => !listed.has(c.address));
  if (missing) return `it lists nothing for ${missing.address}`;
  for (const [i, change] of derived.entries()) {
    const other = saved[i]!;
    if (other.address !== change.address) return `its changes are not in the order plan lists them (${change.address})`;
    const ignored = unreadable.has(change.address) ? ['copy', ...IMAGE_FIELDS] : ['copy'];
    const where = firstDifference(without(change, ignored), without(other, ignored));
    if (where !== undefined) return `the change of ${change.address} differs at ${where}`;
  }
  return undefined;
}

/** Drift is informational (apply ignores it), but only a tag planned as a noop can have drifted. */
function driftDifference(saved: PlanDocument, derived: PlanDocument): string | undefined {
  const noops = new Set(derived.changes.filter((c) => c.action === 'noop').map((c) => c.address));
  const stray = saved.drift.findIndex((d) => !noops.has(d.address));
  return stray < 0 ? undefined : `drift entry ${stray + 1} is not a tag the plan leaves unchanged`;
}

/** The counts of a summary; drift is not derived (the plan's own list counts), nor are copy estimates. */
function counts(summary: PlanSummary, drift = summary.drift): Omit<PlanSummary, 'copy'> {
  const { create, update, delete: remove, noop, error } = summary;
  return { create, update, delete: remove, noop, drift, error };
}

function without(change: PlannedChangeDocument, fields: readonly string[]): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...change };
  for (const field of fields) delete rest[field];
  return rest;
}

function at(what: string, where: string | undefined): string | undefined {
  return where === undefined ? undefined : `${what} differ at ${where}`;
}

/**
 * The path (`after.manifests[0].digest`) of the first place where `actual` differs from `expected`, undefined when
 * they are equal as JSON. The path is made of `expected`'s keys, so an unknown key of `actual` names its parent.
 */
export function firstDifference(expected: unknown, actual: unknown, path = ''): string | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (!isContainer(expected) || !isContainer(actual) || Array.isArray(expected) !== Array.isArray(actual)) {
    return printable(path || '(the whole value)');
  }
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    for (let i = 0; i < Math.max(expected.length, items.length); i++) {
      const where = firstDifference(expected[i], items[i], `${path}[${i}]`);
      if (where !== undefined) return where;
    }
    return undefined;
  }
  const fields = actual as Record<string, unknown>;
  const known = expected as Record<string, unknown>;
  for (const key of Object.keys(known)) {
    const where = firstDifference(known[key], fields[key], path ? `${path}.${key}` : key);
    if (where !== undefined) return where;
  }
  const unknown = Object.keys(fields).some((key) => !Object.hasOwn(known, key) && fields[key] !== undefined);
  return unknown ? printable(path || '(the whole value)') : undefined;
}

function isContainer(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

function printable(path: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const clean = path.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 120)}…` : clean;
}
