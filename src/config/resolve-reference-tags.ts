import { type CatalogDefaults, IMPORT_MODES, type ReferenceTag } from '../core/catalog.js';
import { cyclePath, findCycle, type TagTarget, targetAddress, targetName } from '../core/tag-reference.js';
import { positiveDurationAt } from './duration-at.js';
import { childPointer } from './json-pointer.js';
import type { ProblemList } from './problems.js';
import { booleanAt, enumAt, mapAt, type RawMap, stringAt, stringEntries } from './raw-values.js';
import type { ResolveContext } from './resolve-context.js';
import { REFERENCE_POLICIES } from './resolve-defaults.js';

/** OpenShift's validation message for a scheduled tag whose `from` is not a DockerImage. */
export const SCHEDULED_REFERENCE = 'only tags pointing to Docker repositories may be scheduled for background import';

/** Where a tag is written in the catalog. */
export interface WrittenTag {
  stream: string;
  tag: string;
  raw: RawMap | undefined;
  pointer: string;
}

/**
 * A tag that follows `target`. It imports nothing, so the import settings that only a registry import uses are
 * errors when set (`scheduled`, `insecure`, `preferPlatform`); `importMode` is recorded, and `referencePolicy: Local`
 * mirrors the image it gets into the local store, as for an imported tag.
 */
export function referenceTag(
  written: WrittenTag,
  target: TagTarget,
  { defaults, localProblem }: { defaults: CatalogDefaults; localProblem?: string | undefined },
  context: ResolveContext,
): ReferenceTag {
  const { stream, tag, raw, pointer } = written;
  const problems = context.problems;
  const name = targetName(target);
  const notApplying = (key: string, why: string) => problems.add(childPointer(pointer, key), why);
  if (booleanAt(raw, 'scheduled') === true) notApplying('scheduled', SCHEDULED_REFERENCE);
  if (booleanAt(raw, 'insecure') === true) {
    notApplying(
      'insecure',
      `insecure applies only to tags pointing to Docker repositories, and this one follows ${name}`,
    );
  }
  if (stringAt(raw, 'preferPlatform') !== undefined) {
    notApplying('preferPlatform', `preferPlatform does not apply to a tag that follows ${name}: it gets that image`);
  }
  const referencePolicy = enumAt(raw, 'referencePolicy', REFERENCE_POLICIES);
  if (referencePolicy === 'Local' && localProblem) problems.add(childPointer(pointer, 'referencePolicy'), localProblem);
  const scheduleIntervalMs = positiveDurationAt(raw, 'scheduleInterval', pointer, problems);
  const writtenName = stringAt(mapAt(raw, 'from'), 'name');
  return {
    ...(writtenName !== undefined && writtenName !== name && { writtenName }),
    address: `${stream}:${tag}`,
    stream,
    tag,
    spec: {
      from: name,
      fromKind: target.kind,
      importMode: enumAt(raw, 'importMode', IMPORT_MODES) ?? defaults.importMode,
      referencePolicy: referencePolicy ?? defaults.referencePolicy,
      scheduled: false,
      insecure: false,
      preferPlatform: null,
    },
    target,
    scheduleIntervalMs: scheduleIntervalMs ?? defaults.scheduleIntervalMs,
    annotations: stringEntries(mapAt(raw, 'annotations')),
    location: problems.locationOf(pointer),
  };
}

/** Every tag written in the catalog, and where each reference's `from` is. */
export interface WrittenCatalog {
  streams: ReadonlySet<string>;
  addresses: ReadonlySet<string>;
  fromPointers: ReadonlyMap<string, string>;
}

/** A reference to a stream or tag the catalog does not have, and every cycle of tags following each other. */
export function checkReferences(references: ReferenceTag[], written: WrittenCatalog, problems: ProblemList): void {
  const follows = new Map<string, string>();
  for (const ref of references) {
    const pointer = written.fromPointers.get(ref.address)!;
    const missing = missingTarget(ref.target, written);
    if (missing) problems.add(pointer, `${ref.target.kind} ${targetName(ref.target)}: ${missing}`);
    const next = targetAddress(ref.target);
    if (!missing && next !== undefined) follows.set(ref.address, next);
  }
  reportCycles(follows, written.fromPointers, problems);
}

function missingTarget(target: TagTarget, written: WrittenCatalog): string | undefined {
  if (!written.streams.has(target.stream)) return `the catalog has no image stream "${target.stream}"`;
  const address = targetAddress(target);
  if (address !== undefined && !written.addresses.has(address)) {
    return `the image stream "${target.stream}" has no tag "${address.slice(target.stream.length + 1)}"`;
  }
  return undefined;
}

/** Each cycle once, at the `from` of its first tag in catalog order. */
function reportCycles(
  follows: Map<string, string>,
  fromPointers: ReadonlyMap<string, string>,
  problems: ProblemList,
): void {
  for (let cycle = findCycle(follows); cycle; cycle = findCycle(follows)) {
    problems.add(fromPointers.get(cycle[0]!)!, `the tags follow each other in a cycle: ${cyclePath(cycle)}`);
    for (const address of cycle) follows.delete(address);
  }
}
