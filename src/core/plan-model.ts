import type { ImportMode, ReferencePolicy, TagSpec } from './catalog.js';
import type { ImportReason } from './errors.js';
import type { LegacyRule, TagItem } from './state-model.js';
import type { ReferenceKind } from './tag-reference.js';

export const PLAN_FORMAT_VERSION = '1.0';

export type ChangeAction = 'create' | 'update' | 'delete' | 'noop';
export type ChangeReason =
  | 'new_tag'
  | 'spec_changed'
  | 'upstream_moved'
  | 'reimport_requested'
  | 'removed_from_catalog';
export type RowAction = 'create' | 'update' | 'delete' | 'noop';

/** One platform's digest before and after; attestations are not rows. */
export interface PlatformRow {
  platform: string;
  action: RowAction;
  before: string | null;
  after: string | null;
}

/** An item as planned: what apply will record, less the time and generation it is recorded with. */
export type PlannedItem = Omit<TagItem, 'created' | 'generation'>;

/** A manifest or blob by digest and size. */
export interface SizedDigest {
  digest: string;
  size: number;
}

/** What importing a Local tag must copy into the local store: the manifests and blobs not there yet. */
export interface PlannedCopy {
  /** The destination repository: `registry.local:5000/mirror/ubi9`, `oci:store/ubi9`. */
  repository: string;
  tag: string;
  manifests: SizedDigest[];
  blobs: SizedDigest[];
}

/** How much a change of a Local tag copies into the local store: manifests and blobs not there yet, and their bytes. */
export interface CopySummary {
  /** `repository:tag` the image is mirrored to. */
  target: string;
  manifests: number;
  blobs: number;
  bytes: number;
}

export interface PlannedChange {
  address: string;
  stream: string;
  tag: string;
  action: ChangeAction;
  /** Null for noop. */
  reason: ChangeReason | null;
  from: string;
  importMode: ImportMode;
  referencePolicy: ReferencePolicy;
  scheduled: boolean;
  /** For Legacy imports of a list: the rule that chose the child. */
  selectedBy: LegacyRule | null;
  /** The spec apply records (null for delete). */
  spec: TagSpec | null;
  /** The spec in state before, when the catalog changed it (null otherwise). */
  priorSpec: TagSpec | null;
  before: TagItem | null;
  after: PlannedItem | null;
  platforms: PlatformRow[];
  /** For a Local tag imported, or following another tag: what it copies into the local store. */
  copy?: CopySummary;
  /** For a tag that follows another tag or an image of a stream: nothing is imported, it gets that image. */
  reference?: PlannedReference;
}

/** What a reference tag follows, and the tag whose image (after this plan) it gets. */
export interface PlannedReference {
  kind: ReferenceKind;
  /** `stream:tag` or `stream@sha256:…`. */
  name: string;
  /** The tag whose image it gets: the followed tag, or for an image of a stream, a tag of it that holds the image. */
  address: string;
}

/** A pinned tag whose upstream moved: informational, not applied. */
export interface PlannedDrift {
  address: string;
  from: string;
  importMode: ImportMode;
  current: string;
  upstream: string;
  platforms: PlatformRow[];
}

export interface PlannedError {
  address: string;
  reason: ImportReason;
  message: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  drift: number;
  error: number;
  /** What the changes of Local tags copy into the local store (a blob two tags share counts once); absent when none. */
  copy?: Omit<CopySummary, 'target'>;
}

/** What limited a plan to its `targets`: `--target`, or `--scheduled-only` (the scheduled tags and their followers). */
export type PlanLimit = 'target' | 'scheduled-only';

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** When the plan was made (ISO 8601). */
  createdAt: string;
  priorState: { lineage: string; serial: number } | null;
  catalog: { path: string; sha256: string };
  /** Addresses the plan was restricted to with --target or --scheduled-only (empty: all). */
  targets: string[];
  changes: PlannedChange[];
  drift: PlannedDrift[];
  errors: PlannedError[];
  summary: PlanSummary;
  /** One entry per stream whose repository was listed (absent when the catalog discovers nothing in scope). */
  discoveries?: PlannedDiscovery[];
}

/**
 * What a stream's `discover` block found: the tags it keeps (imported as tags of the stream) and how the others
 * were left out. A saved plan records it so that apply imports exactly these tags without listing again.
 */
export interface PlannedDiscovery {
  stream: string;
  /** The repository listed, normalised (`docker.io/library/postgres`, `oci:/abs/path`). */
  repository: string;
  /** The policy in words: `semver >=15 <18`, `alphabetical desc`, `numerical asc`. */
  policy: string;
  keep: number;
  prune: boolean;
  /** The tags kept, newest first: the stream's discovered tags after this plan (with `retained`). */
  tags: string[];
  listed: number;
  filtered: number;
  unordered: number;
  outOfRange: number;
  /** Kept tags the state does not hold yet. */
  added: string[];
  /** Tags discovered earlier that left the window: planned for removal. */
  removed: string[];
  /** Tags discovered earlier that left the window and stay, because the discovery says `prune: false`. */
  retained: string[];
  /** The listing failed: nothing is added or removed, the discovered tags stay as the state has them. */
  error?: { reason: ImportReason; message: string };
}

/** A change as `plan --json` and plan files hold it: the prior spec is shown as `specDiff`. */
export type PlannedChangeDocument = Omit<PlannedChange, 'priorSpec'> & {
  /** The old and new spec as `key: value` lines prefixed `- `, `+ ` or two spaces; null unless the spec changed. */
  specDiff: string | null;
};

/** The plan as `plan --json` and plan files hold it (schemas/plan.schema.json). */
export type PlanDocument = Omit<Plan, 'changes'> & { changes: PlannedChangeDocument[] };

/** True when a tag could not be resolved or a repository could not be listed. */
export function hasErrors(plan: Pick<Plan, 'errors' | 'discoveries'>): boolean {
  return plan.errors.length > 0 || (plan.discoveries ?? []).some((d) => d.error !== undefined);
}

export function hasChanges(plan: Plan): boolean {
  return plan.summary.create + plan.summary.update + plan.summary.delete > 0;
}
