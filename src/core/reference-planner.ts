import type { AnyCatalogTag, CatalogTag, ReferenceTag } from './catalog.js';
import type { ImportReason } from './errors.js';
import { change, importReason, tagState } from './plan-changes.js';
import type { PlannedChange, PlannedError, PlannedItem } from './plan-model.js';
import { recordedStream } from './state-lookup.js';
import type { State, TagItem } from './state-model.js';
import { targetName } from './tag-reference.js';
import { targetSelection } from './target-selection.js';

/** What the reference tags of a plan are planned against. */
export interface ReferencePlanInput {
  tags: CatalogTag[];
  references: ReferenceTag[];
  state: State | null;
  targets: readonly string[];
  reimport: ReadonlySet<string>;
  /** The changes planned for the imported tags in scope. */
  changes: readonly PlannedChange[];
  /** The imported tags in scope that could not be resolved. */
  errors: readonly PlannedError[];
  /** Where a Local follower pulls an image from: its mirror in the local store (none: no store). */
  localPullSpec?: (stream: string, digest: string) => string | undefined;
}

/**
 * The tags a follower goes through to the tag that has no image, nearest first; shared between followers, so that
 * a chain of n tags costs n of these, not n² names.
 */
interface FollowedChain {
  name: string;
  next: FollowedChain | undefined;
  length: number;
  last: string;
}

/** Why a tag has no image after this plan: `cause` (`has no image yet`) of the tag at the end of `chain`. */
type NoImage = { reason: ImportReason; cause: string; chain: FollowedChain | undefined };

/** The image a tag has after this plan, and the tag apply finds it on; or why it has none. */
type Image = { item: PlannedItem; via: string } | NoImage;

/** Chains longer than this are shown by their first two tags and their last. */
const CHAIN_SHOWN = 3;

/** `follows a:1, which follows b:1, which could not be resolved: …`, bounded whatever the chain's length. */
function noImageMessage({ cause, chain }: NoImage): string {
  if (!chain) return cause;
  const names: string[] = [];
  for (let link: FollowedChain | undefined = chain; link && names.length < CHAIN_SHOWN; link = link.next) {
    names.push(link.name);
  }
  if (chain.length > CHAIN_SHOWN) names.splice(2, 1, `… (${chain.length - CHAIN_SHOWN} tags in between)`, chain.last);
  return `${names.map((name) => (name.startsWith('…') ? name : `follows ${name}`)).join(', which ')}, which ${cause}`;
}

/**
 * Plans the tags that follow another tag or an image of a stream, in dependency order: each gets the image its
 * target has after this plan (the target's newly planned item, else the one in state). Nothing is imported for them.
 */
export function planReferences(input: ReferencePlanInput): { changes: PlannedChange[]; errors: PlannedError[] } {
  const resolver = new ImageResolver(input);
  const changes: PlannedChange[] = [];
  const errors: PlannedError[] = [];
  const selected = targetSelection(input.tags, input.targets, input.references);
  for (const ref of input.references) {
    if (!selected(ref.address)) continue;
    const image = resolver.imageOf(ref.address);
    if ('reason' in image) errors.push({ address: ref.address, reason: image.reason, message: noImageMessage(image) });
    else changes.push(referenceChange(ref, image, input));
  }
  return { changes, errors };
}

/** A Local follower records the image it gets as pulled from its own mirror in the local store. */
function mirroredIfLocal(
  ref: ReferenceTag,
  image: { item: PlannedItem; via: string },
  input: Pick<ReferencePlanInput, 'localPullSpec'>,
): Image {
  if (ref.spec.referencePolicy !== 'Local') return image;
  const pullSpec = input.localPullSpec?.(ref.stream, image.item.digest);
  if (!pullSpec) {
    return {
      reason: 'InternalError',
      cause: 'has referencePolicy Local, but no local store can hold it',
      chain: undefined,
    };
  }
  const item = { ...image.item, dockerImageReference: pullSpec, sourceImageReference: importedFrom(image.item) };
  return { item, via: image.via };
}

/** Where an item's image was imported from: its source when it is pulled from a mirror. */
export function importedFrom(item: { dockerImageReference: string; sourceImageReference?: string }): string {
  return item.sourceImageReference ?? item.dockerImageReference;
}

function referenceChange(ref: ReferenceTag, image: { item: PlannedItem; via: string }, input: ReferencePlanInput) {
  const prior = tagState(input.state, ref.stream, ref.tag);
  const current = prior?.items[0];
  const forced = importReason(ref, prior, input.reimport);
  const reference = { kind: ref.target.kind, name: targetName(ref.target), address: image.via };
  let planned: PlannedChange;
  if (forced) planned = change(ref, forced === 'new_tag' ? 'create' : 'update', forced, prior, image.item);
  else if (current && sameImage(current, image.item)) planned = change(ref, 'noop', null, prior, current);
  else planned = change(ref, 'update', 'upstream_moved', prior, image.item);
  return { ...planned, reference };
}

function sameImage(a: PlannedItem, b: PlannedItem): boolean {
  return a.digest === b.digest && a.dockerImageReference === b.dockerImageReference;
}

/** Finds the image each tag has after the plan, following references (the catalog has no cycles: validated). */
class ImageResolver {
  private readonly tags = new Map<string, AnyCatalogTag>();
  private readonly images = new Map<string, Image>();
  private readonly visiting = new Set<string>();
  private readonly planned: ReadonlyMap<string, PlannedChange>;
  private readonly failed: ReadonlyMap<string, PlannedError>;

  constructor(private readonly input: ReferencePlanInput) {
    for (const tag of [...input.tags, ...input.references]) this.tags.set(tag.address, tag);
    this.planned = new Map(input.changes.map((c) => [c.address, c]));
    this.failed = new Map(input.errors.map((e) => [e.address, e]));
  }

  imageOf(address: string): Image {
    const known = this.images.get(address);
    if (known) return known;
    this.visiting.add(address);
    const image = this.resolve(address);
    this.visiting.delete(address);
    this.images.set(address, image);
    return image;
  }

  private resolve(address: string): Image {
    const tag = this.tags.get(address);
    if (!tag) return { reason: 'NotFound', cause: 'is not a tag of the catalog', chain: undefined };
    if (!('target' in tag)) return this.importedImage(tag);
    if (tag.target.kind === 'ImageStreamImage') {
      const image = this.streamImage(tag, tag.target);
      return 'item' in image ? mirroredIfLocal(tag, image, this.input) : image;
    }
    const followed = targetName(tag.target);
    const image = this.imageOf(followed);
    if ('item' in image) return mirroredIfLocal(tag, { item: image.item, via: followed }, this.input);
    const next = image.chain;
    const chain = { name: followed, next, length: (next?.length ?? 0) + 1, last: next?.last ?? followed };
    return { reason: image.reason, cause: image.cause, chain };
  }

  /** The planned item of an imported tag, else the one in state. */
  private importedImage(tag: CatalogTag): Image {
    const change = this.planned.get(tag.address);
    if (change?.after && (change.action === 'create' || change.action === 'update')) {
      return { item: change.after, via: tag.address };
    }
    const current = tagState(this.input.state, tag.stream, tag.tag)?.items[0];
    if (current) return { item: plannedItem(current), via: tag.address };
    const failed = this.failed.get(tag.address);
    if (failed) return { reason: failed.reason, cause: `could not be resolved: ${failed.message}`, chain: undefined };
    return { reason: 'NotFound', cause: 'has no image yet', chain: undefined };
  }

  /** An image of a stream: one the state holds (any tag, any item), else one a tag of the stream gets in this plan. */
  private streamImage(ref: ReferenceTag, target: { stream: string; digest: string }): Image {
    const { stream, digest } = target;
    for (const [tag, recorded] of Object.entries(recordedStream(this.input.state, stream)?.tags ?? {})) {
      const item = recorded.items.find((i) => i.digest === digest);
      if (item) return { item: plannedItem(item), via: `${stream}:${tag}` };
    }
    for (const tag of this.tags.values()) {
      if (tag.stream !== stream || this.visiting.has(tag.address)) continue;
      const image = this.imageOf(tag.address);
      if ('item' in image && image.item.digest === digest) return { item: image.item, via: tag.address };
    }
    const message = `the image stream "${stream}" holds no image ${digest} (in the state or in this plan)`;
    return { reason: 'NotFound', cause: `follows ${targetName(ref.target)}: ${message}`, chain: undefined };
  }
}

/** A recorded item as a planned one: what it records less when and in which generation. */
function plannedItem(item: TagItem): PlannedItem {
  const { created: _created, generation: _generation, ...planned } = item;
  return planned;
}
