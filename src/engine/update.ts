import type { Catalog, CatalogTag } from '../core/catalog.js';
import { RegistryError, UsageError } from '../core/errors.js';
import { inScope } from '../core/target-selection.js';
import type { LeftAloneReason, TagMove, UpdateFindings } from '../core/update-model.js';
import type { UpdatePolicy } from '../core/update-policy.js';
import { newestVersionTag, parseVersionTag, type VersionTag } from '../core/version-tag.js';
import { formatWrittenReference, splitWrittenReference, type WrittenReference } from '../core/written-reference.js';
import type { ImageRepository } from '../registry/repository.js';
import { mapConcurrent } from './concurrency.js';
import { unknownAddress } from './plan.js';
import { imagePlatforms, platformMoves } from './update-platforms.js';

export interface UpdateInputs {
  catalog: Catalog;
  openTag(tag: CatalogTag): ImageRepository;
  /** The tags of the repository `tag` imports from, page by page. */
  listTags(tag: CatalogTag): AsyncIterable<readonly string[]>;
  /** The policy of the streams whose catalog entry sets none. */
  policy: UpdatePolicy;
  /** `--target` addresses: STREAM or STREAM:TAG; none: every tag. */
  targets: readonly string[];
  concurrency?: number;
}

type Outcome = { move: TagMove } | { leftAlone: LeftAloneReason } | undefined;

/**
 * Finds what each pinned tag of the catalog can move to: a version tag to the newest version its policy allows, a
 * digest-pinned tag to the digest its tag has now (both, for a digest-pinned version tag). Any registry error fails
 * the whole search: an update is all or nothing.
 */
export async function findUpdates(inputs: UpdateInputs): Promise<UpdateFindings> {
  const { catalog, targets } = inputs;
  const unknown = unknownAddress(catalog, null, targets);
  if (unknown !== undefined) {
    throw new UsageError(`--target ${unknown} matches no stream or tag of ${catalog.displayPath}`);
  }
  const tags = catalog.tags.filter((t) => inScope(t.address, targets));
  const listings = new Map<string, Promise<VersionTag[]>>();
  const versionsOf = (tag: CatalogTag): Promise<VersionTag[]> => {
    const key = tag.source.transport === 'registry' ? `${tag.source.ref.registry}/${tag.source.ref.repository}` : '';
    const listed = listings.get(key);
    if (listed) return listed;
    const listing = listVersions(inputs.listTags(tag));
    listings.set(key, listing);
    return listing;
  };
  const outcomes = await mapConcurrent(tags, inputs.concurrency ?? 8, (tag) =>
    findMove(tag, policyOf(inputs, tag), inputs.openTag(tag), versionsOf),
  );
  const findings: UpdateFindings = { moves: [], leftAlone: [] };
  outcomes.forEach((outcome, i) => {
    const tag = tags[i]!;
    if (outcome && 'move' in outcome) findings.moves.push(outcome.move);
    else if (outcome) findings.leftAlone.push({ address: tag.address, from: tag.spec.from, reason: outcome.leftAlone });
  });
  return findings;
}

/** The stream's own `update.policy` wins over the command line's. */
function policyOf(inputs: UpdateInputs, tag: CatalogTag): UpdatePolicy {
  return inputs.catalog.streams?.find((s) => s.name === tag.stream)?.updatePolicy ?? inputs.policy;
}

async function findMove(
  tag: CatalogTag,
  policy: UpdatePolicy,
  repo: ImageRepository,
  versionsOf: (tag: CatalogTag) => Promise<VersionTag[]>,
): Promise<Outcome> {
  if (tag.spec.scheduled) return { leftAlone: 'scheduled' };
  if (tag.source.transport === 'layout') return { leftAlone: 'layout' };
  const written = splitWrittenReference(tag.spec.from);
  if (written.tag === undefined && written.digest !== undefined) return { leftAlone: 'digest-only' };
  const current = parseVersionTag(written.tag ?? 'latest');
  if (!current && written.digest === undefined) return { leftAlone: 'floating' };
  const newer = current && newestVersionTag(current, await versionsOf(tag), policy);
  const sourceTag = newer?.tag ?? written.tag ?? 'latest';
  const digest = written.digest === undefined ? undefined : (await repo.head(sourceTag)).digest;
  if (!newer && digest === written.digest) return undefined;
  const after: WrittenReference = { ...written, ...(newer && { tag: newer.tag }), ...(digest && { digest }) };
  const move: TagMove = {
    address: tag.address,
    stream: tag.stream,
    tag: tag.tag,
    before: tag.spec.from,
    after: formatWrittenReference(after),
    policy,
    ...(newer && { version: { from: written.tag ?? 'latest', to: newer.tag } }),
    ...(digest && written.digest && digest !== written.digest && { digest: { from: written.digest, to: digest } }),
    platforms: platformMoves(
      await platformsBefore(repo, written, tag),
      await imagePlatforms(repo, digest ?? sourceTag, tag),
    ),
  };
  return { move };
}

/** The image before the move; an image the registry no longer has shows no digests before. */
async function platformsBefore(repo: ImageRepository, written: WrittenReference, tag: CatalogTag) {
  try {
    return await imagePlatforms(repo, written.digest ?? written.tag ?? 'latest', tag);
  } catch (error) {
    if (error instanceof RegistryError && error.reason === 'NotFound') return undefined;
    throw error;
  }
}

/** The repository's tags that read as versions, page by page: the others are not kept. */
async function listVersions(pages: AsyncIterable<readonly string[]>): Promise<VersionTag[]> {
  const versions: VersionTag[] = [];
  for await (const page of pages) {
    for (const name of page) {
      const version = parseVersionTag(name);
      if (version) versions.push(version);
    }
  }
  return versions;
}
