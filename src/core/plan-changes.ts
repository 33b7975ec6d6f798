import type { AnyCatalogTag, TagSpec } from './catalog.js';
import type { ChangeAction, ChangeReason, PlannedChange, PlannedItem, PlatformRow } from './plan-model.js';
import { recordedTag } from './state-lookup.js';
import type { ManifestEntry, State, TagState } from './state-model.js';

export function tagState(state: State | null, stream: string, tag: string): TagState | undefined {
  return recordedTag(state, stream, tag);
}

export function specEquals(a: TagSpec, b: TagSpec): boolean {
  return (
    a.from === b.from &&
    a.fromKind === b.fromKind &&
    a.importMode === b.importMode &&
    a.referencePolicy === b.referencePolicy &&
    a.scheduled === b.scheduled &&
    a.insecure === b.insecure &&
    a.preferPlatform === b.preferPlatform
  );
}

/** Why a tag must be imported whatever its upstream says; undefined when only an upstream move could make it change. */
export function importReason(
  tag: Pick<AnyCatalogTag, 'address' | 'stream' | 'spec'>,
  prior: TagState | undefined,
  reimport: ReadonlySet<string>,
): ChangeReason | undefined {
  if (!prior?.items[0]) return 'new_tag';
  if (!specEquals(prior.spec, tag.spec)) return 'spec_changed';
  if (reimport.has(tag.address) || reimport.has(tag.stream)) return 'reimport_requested';
  return undefined;
}

/** The change of a tag of the catalog (imported or following another) from its prior state to `after`. */
export function change(
  tag: AnyCatalogTag,
  action: ChangeAction,
  reason: ChangeReason | null,
  prior: TagState | undefined,
  after: PlannedItem | null,
): PlannedChange {
  const before = prior?.items[0] ?? null;
  return {
    address: tag.address,
    stream: tag.stream,
    tag: tag.tag,
    action,
    reason,
    from: tag.spec.from,
    importMode: tag.spec.importMode,
    referencePolicy: tag.spec.referencePolicy,
    scheduled: tag.spec.scheduled,
    selectedBy: after?.selectedBy ?? null,
    spec: tag.spec,
    priorSpec: prior && !specEquals(prior.spec, tag.spec) ? prior.spec : null,
    before,
    after,
    platforms: platformRows(before?.manifests ?? [], after?.manifests ?? []),
  };
}

/** Per-platform rows between two sets of manifests, attestations left out, in the order the manifests come. */
export function platformRows(before: ManifestEntry[], after: ManifestEntry[]): PlatformRow[] {
  const visible = (entries: ManifestEntry[]) => entries.filter((e) => !e.attestation);
  const old = new Map(visible(before).map((e) => [e.platform, e.digest]));
  const rows: PlatformRow[] = [];
  for (const entry of visible(after)) {
    const previous = old.get(entry.platform);
    old.delete(entry.platform);
    const action = previous === undefined ? 'create' : previous === entry.digest ? 'noop' : 'update';
    rows.push({ platform: entry.platform, action, before: previous ?? null, after: entry.digest });
  }
  for (const [platform, digest] of old) rows.push({ platform, action: 'delete', before: digest, after: null });
  return rows;
}
