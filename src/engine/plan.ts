import { closeWords } from '../config/closest-word.js';
import { allCatalogTags, type Catalog, type CatalogTag } from '../core/catalog.js';
import { quoted } from '../core/echoed-text.js';
import { UsageError } from '../core/errors.js';
import type { Plan } from '../core/plan-model.js';
import { computePlan, inScope } from '../core/planner.js';
import type { State } from '../core/state-model.js';
import type { ImageRepository } from '../registry/repository.js';
import { catalogLocalStore, type LocalStore } from './local-store.js';
import { prepareSources, refreshTags } from './refresh.js';

export interface PlanOptions {
  targets: string[];
  reimport: string[];
  refresh: boolean;
  concurrency: number;
  openTag: (tag: CatalogTag) => ImageRepository;
  /** The catalog's local store; by default opened like the tags' sources (with `openTag`). */
  local?: LocalStore;
  now?: Date;
}

/** Refreshes the catalog's tags against their sources and computes the plan. */
export async function planCatalog(catalog: Catalog, state: State | null, options: PlanOptions): Promise<Plan> {
  checkAddresses(catalog, state, options);
  const reimport = new Set(options.reimport);
  const observations = await refreshTags(catalog.tags, state, {
    targets: options.targets,
    reimport,
    refresh: options.refresh,
    concurrency: options.concurrency,
    openRepository: options.openTag,
    local: options.local ?? catalogLocalStore(catalog, options.openTag),
    ...(catalog.references && { references: catalog.references }),
  });
  return computePlan({
    catalog,
    state,
    observations,
    targets: options.targets,
    reimport,
    now: options.now ?? new Date(),
  });
}

/**
 * Gets the registries `planCatalog` will ask ready (pinged, tokens fetched: see prepareSources) while the caller reads
 * the state it needs.
 */
export function prepareCatalogSources(catalog: Catalog, options: PlanOptions): Promise<void> {
  return prepareSources(catalog.tags, {
    targets: options.targets,
    refresh: options.refresh,
    openRepository: options.openTag,
    ...(catalog.references && { references: catalog.references }),
  });
}

/** Every --target and --reimport address must name a stream or tag of the catalog or the state. */
function checkAddresses(
  catalog: Catalog,
  state: State | null,
  options: Pick<PlanOptions, 'targets' | 'reimport'>,
): void {
  for (const [flag, addresses] of [
    ['--target', options.targets],
    ['--reimport', options.reimport],
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

/** The first of `addresses` that names no stream or tag of the catalog or the state. */
export function unknownAddress(
  catalog: Catalog,
  state: State | null,
  addresses: readonly string[],
): string | undefined {
  const known = knownAddresses(catalog, state);
  return addresses.find((address) => !known.some((k) => inScope(k, [address])));
}
