import { closeWords } from '../config/closest-word.js';
import { allCatalogTags, type Catalog, type CatalogTag } from '../core/catalog.js';
import { quoted } from '../core/echoed-text.js';
import { UsageError } from '../core/errors.js';
import type { Plan, PlannedDiscovery } from '../core/plan-model.js';
import { inScope } from '../core/planner.js';
import type { State } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import { type Discoverer, discoverStreams } from './discover.js';
import { type DiscoveredCatalog, type DiscoveryResult, withDiscoveredTags } from './discovered-catalog.js';
import { planWithFollowerCopies } from './follower-copies.js';
import { catalogLocalStore, type LocalStore, localPullSpecs } from './local-store.js';
import { prepareSources, refreshTags } from './refresh.js';

export interface PlanOptions {
  targets: string[];
  reimport: string[];
  refresh: boolean;
  concurrency: number;
  openTag: (tag: CatalogTag) => ImageRepository;
  /** The catalog's local store; by default opened like the tags' sources (with `openTag`). */
  local?: LocalStore;
  /**
   * Lists a stream's repository and keeps what its policy selects. Without it nothing is listed: the streams'
   * discovered tags are planned as the state has them (import-image, a watch's check of one tag).
   */
  discover?: Discoverer;
  /** The discoveries to use instead of listing (a saved plan's): the tags they keep are what is planned. */
  discovered?: readonly DiscoveryResult[];
  now?: Date;
}

/** A plan, and the catalog it was made for: the catalog's tags and the tags its streams discovered. */
export interface CatalogPlan {
  plan: Plan;
  catalog: Catalog;
}

/** Refreshes the catalog's tags against their sources and computes the plan. */
export async function planCatalog(catalog: Catalog, state: State | null, options: PlanOptions): Promise<Plan> {
  return (await planWithDiscoveries(catalog, state, options)).plan;
}

/**
 * Lists the repositories the catalog's streams discover tags in (while the catalog's own tags are refreshed), makes
 * the kept tags tags of their streams, refreshes them, and computes the plan of it all.
 */
export async function planWithDiscoveries(
  catalog: Catalog,
  state: State | null,
  options: PlanOptions,
): Promise<CatalogPlan> {
  const discovering = new Set((catalog.discoveries ?? []).map((d) => d.stream));
  checkAddresses(catalog, state, options, discovering);
  const reimport = new Set(options.reimport);
  const local = options.local ?? catalogLocalStore(catalog, options.openTag);
  const refresh = (tags: CatalogTag[]) =>
    refreshTags(tags, state, {
      targets: options.targets,
      reimport,
      refresh: options.refresh,
      concurrency: options.concurrency,
      openRepository: options.openTag,
      local,
      ...(catalog.references && { references: catalog.references }),
    });
  const [own, found] = await Promise.all([refresh(catalog.tags), discoveredCatalog(catalog, state, options)]);
  checkAddresses(found.catalog, state, options);
  const discovered = await refresh(found.catalog.tags.slice(catalog.tags.length));
  const input = {
    catalog: found.catalog,
    state,
    observations: new Map([...own, ...discovered]),
    targets: options.targets,
    reimport,
    now: options.now ?? new Date(),
    localPullSpec: localPullSpecs(local),
  };
  const { openTag, concurrency } = options;
  const plan = await planWithFollowerCopies(input, { tags: found.catalog.tags, local, openTag, concurrency });
  return { plan: withDiscoveries(plan, found.discoveries), catalog: found.catalog };
}

/** The catalog with its discovered tags: listed now, or as `options.discovered` recorded them. */
async function discoveredCatalog(
  catalog: Catalog,
  state: State | null,
  options: PlanOptions,
): Promise<DiscoveredCatalog> {
  if ((catalog.discoveries ?? []).length === 0) return { catalog, discoveries: [] };
  const results =
    options.discovered ??
    (await discoverStreams(catalog, {
      targets: options.targets,
      concurrency: options.concurrency,
      ...(options.discover && { discover: options.discover }),
    }));
  return withDiscoveredTags(catalog, state, results);
}

/** The plan with what each listed discovery found; a plan without discoveries has no such field. */
export function withDiscoveries(plan: Plan, discoveries: PlannedDiscovery[]): Plan {
  return discoveries.length === 0 ? plan : { ...plan, discoveries };
}

/**
 * Gets the registries `planCatalog` will ask ready (pinged, tokens fetched: see prepareSources) while the caller reads
 * the state it needs.
 */
export function prepareCatalogSources(catalog: Catalog, options: PlanOptions): Promise<void> {
  return prepareSources(catalog.tags, {
    targets: options.targets,
    refresh: options.refresh,
    concurrency: options.concurrency,
    openRepository: options.openTag,
    ...(catalog.references && { references: catalog.references }),
  });
}

/**
 * Every --target and --reimport address must name a stream or tag of the catalog or the state; a tag of a stream in `notYet` is
 * checked once its discovered tags are known.
 */
function checkAddresses(
  catalog: Catalog,
  state: State | null,
  options: Pick<PlanOptions, 'targets' | 'reimport'>,
  notYet: ReadonlySet<string> = new Set(),
): void {
  const checked = (addresses: string[]) => addresses.filter((a) => !notYet.has(streamOf(a)));
  for (const [flag, addresses] of [
    ['--target', checked(options.targets)],
    ['--reimport', checked(options.reimport)],
  ] as const) {
    const unknown = unknownAddress(catalog, state, addresses);
    if (unknown !== undefined)
      throw new UsageError(unknownAddressMessage(flag, unknown, knownAddresses(catalog, state)));
  }
}

function unknownAddressMessage(flag: string, address: string, known: string[]): string {
  const streams = known.map((k) => k.slice(0, k.indexOf(':')));
  const near = closeWords(address, [...new Set([...streams, ...known])]);
  const hint = near.length > 0 ? `; did you mean ${near.join(', ')}?` : '';
  return `${flag} ${quoted(address)} matches no stream or tag of the catalog or the state (use STREAM or STREAM:TAG)${hint}`;
}

/** The addresses of every tag of the catalog and of the state. */
function knownAddresses(catalog: Catalog, state: State | null): string[] {
  return [
    ...allCatalogTags(catalog).map((t) => t.address),
    ...Object.entries(state?.streams ?? {}).flatMap(([s, st]) => Object.keys(st.tags).map((t) => `${s}:${t}`)),
  ];
}

/** The first of `addresses` that names no stream or tag of the catalog or the state (a discovering stream counts). */
export function unknownAddress(
  catalog: Catalog,
  state: State | null,
  addresses: readonly string[],
): string | undefined {
  const known = knownAddresses(catalog, state);
  const discovering = new Set((catalog.discoveries ?? []).map((d) => d.stream));
  return addresses.find((address) => !discovering.has(address) && !known.some((k) => inScope(k, [address])));
}

function streamOf(address: string): string {
  const colon = address.indexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}
