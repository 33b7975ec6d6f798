import type { Catalog, CatalogTag } from '../../core/catalog.js';
import { CatalogError, formatCatalogProblem, type LockInfo } from '../../core/errors.js';
import type { State } from '../../core/state-model.js';
import { CredentialsError } from '../../credentials/index.js';
import { planningState, StateStore } from '../../state/index.js';
import { STOP_GRACE_MS } from '../interruption.js';
import { catalogLocalStore, type LocalStore } from '../local-store.js';
import { scheduledDiscoveries, scheduledTags } from '../scheduled-plan.js';
import { watchCatalogFile } from './catalog-file.js';
import { type Clock, systemClock } from './clock.js';
import { CredentialsWatch, changedCredentials } from './credentials.js';
import { checkedCatalog, dueNow, type FollowedCatalog, startingDiscovered, watchSubjects } from './discovered.js';
import type { CheckOutcome, ListedOutcome, WatchEvent } from './events.js';
import type { ListingContext, TagCheckContext, WatchedCatalog, WatchOptions, WatchSummary } from './options.js';
import { DEFAULT_IMPORTS_PER_MINUTE, ImportRateLimit } from './rate-limit.js';
import { type ScheduleEntryView, type Settlement, type TagJob, type WatchedTag, WatchScheduler } from './scheduler.js';
import { settledEvent, type UnstampedEvent } from './settled-events.js';
import { isDiscovery, type ListedDiscovery, sameDiscovery, type WatchSubject } from './subjects.js';

export type {
  StartCheck,
  TagCheckContext,
  WatchedCatalog,
  WatchedCredentials,
  WatchOptions,
  WatchSummary,
} from './options.js';

const DEFAULTS = { concurrency: 4, stopGraceMs: STOP_GRACE_MS, lockPollMs: 500 };

/**
 * `watch`: keeps the scheduled tags of a catalog following their upstream. Each tag is checked every interval
 * (spread by jitter, backing off while it fails, no faster than the global rate limit); a moved, new or changed tag
 * is imported under the state lock, held only while writing. The catalog file is reloaded when it or what one of
 * its credentials files holds changes; an invalid version is reported and the last good one kept.
 */
export class Watch {
  private readonly clock: Clock;
  private readonly scheduler: WatchScheduler;
  private current: Generation;
  private readonly retired = new Set<Generation>();
  private readonly summary: WatchSummary = { checks: 0, imported: 0, failed: 0, abandoned: 0, unchecked: 0 };
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private lastInvalid: string | undefined;
  private stopRequests = 0;
  private credentialsWatch: CredentialsWatch | undefined;

  constructor(private readonly options: WatchOptions) {
    this.clock = options.clock ?? systemClock;
    this.current = newGeneration(options.initial);
    this.scheduler = new WatchScheduler({
      clock: this.clock,
      random: options.random ?? Math.random,
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      rateLimit: new ImportRateLimit(options.importsPerMinute ?? DEFAULT_IMPORTS_PER_MINUTE, this.clock),
      once: options.once ?? false,
      stopGraceMs: options.stopGraceMs ?? DEFAULTS.stopGraceMs,
      startJob: (tag, stop) => this.startJob(tag, stop),
      onSettled: (tag, outcome, settlement) => this.settled(tag, outcome, settlement),
      onAbandoned: (address) => {
        this.summary.abandoned++;
        this.emit({ type: 'abandoned', address });
      },
    });
  }

  /** Runs until `stop` (or, with `once`, until every scheduled tag was checked). */
  async run(): Promise<WatchSummary> {
    try {
      await this.watchUntilStopped();
    } finally {
      await this.closeAll();
    }
    if (this.options.once) this.summary.unchecked = this.scheduler.schedule().length;
    const { checks, imported, failed, abandoned } = this.summary;
    this.emit({ type: 'stopped', checks, imported, failed, abandoned });
    return { ...this.summary };
  }

  /** The first call stops gracefully; a second one abandons running imports at once. */
  stop(reason: string): void {
    this.stopRequests++;
    if (this.stopRequests === 1) {
      this.emit({ type: 'stopping', reason });
      this.scheduler.stop();
    } else this.scheduler.abandonNow();
  }

  get stopping(): boolean {
    return this.stopRequests > 0;
  }

  schedule(): ScheduleEntryView[] {
    return this.scheduler.schedule();
  }

  private async watchUntilStopped(): Promise<void> {
    const catalog = this.current.source.catalog;
    const once = this.options.once ?? false;
    const state = once && !this.listing() ? null : await readState(catalog.statePath);
    this.follow(this.current, startingDiscovered(catalog, state));
    this.scheduler.setTags(this.watched(), once ? () => true : dueNow(state));
    this.emit({
      type: 'started',
      catalog: catalog.displayPath,
      tags: scheduledTags(this.current.catalog).length,
      ...this.discoveriesCount(),
      importsPerMinute: this.options.importsPerMinute ?? DEFAULT_IMPORTS_PER_MINUTE,
      once: this.options.once ?? false,
    });
    const watchCatalog = this.options.watchCatalog ?? watchCatalogFile;
    const unwatch = this.options.once ? () => {} : watchCatalog(catalog.path, () => this.catalogChanged());
    if (!this.options.once) {
      this.credentialsWatch = new CredentialsWatch(watchCatalog, () => this.catalogChanged());
      this.credentialsWatch.follow(this.current.source.credentials);
    }
    try {
      await this.scheduler.run();
    } finally {
      unwatch();
      this.credentialsWatch?.close();
      this.credentialsWatch = undefined;
      await this.reloading;
    }
  }

  /**
   * Re-reads the catalog file (and its credentials) after a change of it or of a credentials file; a burst of
   * changes during a reload causes one more.
   */
  catalogChanged(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = this.reloadCatalog().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadCatalog(): Promise<void> {
    do {
      this.reloadAgain = false;
      if (this.stopping) return;
      let next: WatchedCatalog;
      try {
        next = await this.options.reload(this.current.source);
      } catch (error) {
        this.reportInvalid(error);
        continue;
      }
      this.lastInvalid = undefined;
      const credentials = changedCredentials(this.current.source.credentials, next.credentials);
      const same = next.catalog.sha256 === this.current.source.catalog.sha256 && credentials.length === 0;
      if (same || this.stopping) {
        await next.close();
        continue;
      }
      await this.adopt(next, credentials);
    } while (this.reloadAgain);
  }

  private async adopt(next: WatchedCatalog, credentials: string[]): Promise<void> {
    const state = await readState(next.catalog.statePath).catch(() => null);
    const previous = this.current;
    this.retire(previous);
    this.current = newGeneration(next);
    const followed = { catalog: previous.source.catalog, discovered: previous.discovered };
    this.follow(this.current, startingDiscovered(next.catalog, state, followed));
    this.scheduler.setTags(this.watched(), dueNow(state));
    this.credentialsWatch?.follow(next.credentials);
    this.emit({
      type: 'catalog-reloaded',
      catalog: next.catalog.displayPath,
      tags: scheduledTags(this.current.catalog).length,
      ...this.discoveriesCount(),
      ...(credentials.length > 0 && { credentials }),
    });
  }

  /** True when the current catalog's scheduled discoveries are listed (the watch was given a way to). */
  private listing(): boolean {
    const { source } = this.current;
    return Boolean(this.options.startListing && source.discover) && scheduledDiscoveries(source.catalog).length > 0;
  }

  private discoveriesCount(): { discoveries?: number } {
    return this.listing() ? { discoveries: scheduledDiscoveries(this.current.source.catalog).length } : {};
  }

  /** Makes `discovered` the discovered tags the generation's checks run with. */
  private follow(generation: Generation, discovered: FollowedCatalog['discovered']): void {
    generation.discovered = discovered;
    generation.catalog = checkedCatalog({ catalog: generation.source.catalog, discovered });
  }

  private reportInvalid(error: unknown): void {
    const catalog = this.current.source.catalog.displayPath;
    if (error instanceof CredentialsError) {
      if (error.message === this.lastInvalid) return;
      this.lastInvalid = error.message;
      this.emit({ type: 'credentials-invalid', catalog, message: error.message });
      return;
    }
    const problems =
      error instanceof CatalogError
        ? error.problems.map(formatCatalogProblem)
        : [error instanceof Error ? error.message : String(error)];
    const message = problems.join('\n');
    if (message === this.lastInvalid) return;
    this.lastInvalid = message;
    this.emit({ type: 'catalog-invalid', catalog, message, problems });
  }

  private watched(): WatchedTag[] {
    const { source, discovered } = this.current;
    const followed = { catalog: source.catalog, discovered };
    return watchSubjects(followed, this.listing(), this.options.intervalMs);
  }

  private startCheck(tag: CatalogTag, generation: Generation, shared: SharedContext, stop: AbortSignal): TagJob {
    const context: TagCheckContext = {
      ...shared,
      catalog: generation.catalog,
      openTag: (t) => generation.source.openTag(t),
      ...(generation.local && { local: generation.local }),
    };
    return this.options.startCheck(tag, context, stop);
  }

  private startListing(
    subject: ListedDiscovery,
    generation: Generation,
    shared: SharedContext,
    stop: AbortSignal,
  ): TagJob {
    const { catalog, discover } = generation.source;
    const context: ListingContext = { ...shared, catalog, discover: discover! };
    return this.options.startListing!(subject.discovery, context, stop);
  }

  private startJob(subject: WatchSubject, stop: AbortSignal): TagJob {
    const generation = this.current;
    generation.users++;
    const shared: SharedContext = {
      clock: this.clock,
      lockPollMs: this.options.lockPollMs ?? DEFAULTS.lockPollMs,
      onLockWait: (address: string, holder: LockInfo | null) => this.emit({ type: 'lock-wait', address, holder }),
    };
    const job = isDiscovery(subject)
      ? this.startListing(subject, generation, shared, stop)
      : this.startCheck(subject, generation, shared, stop);
    const release = () => {
      generation.users--;
      if (this.retired.has(generation) && generation.users === 0) {
        this.retired.delete(generation);
        void generation.source.close().catch(() => {});
      }
    };
    job.done.then(release, release);
    return job;
  }

  private retire(generation: Generation): void {
    if (generation.users === 0) void generation.source.close().catch(() => {});
    else this.retired.add(generation);
  }

  /** Closes the catalogs' connections; those still used by abandoned imports are not waited for. */
  private async closeAll(): Promise<void> {
    const idle = [this.current, ...this.retired].filter((g) => g.users === 0);
    await Promise.all(idle.map((g) => g.source.close().catch(() => {})));
  }

  private settled(subject: WatchSubject, outcome: CheckOutcome, settlement: Settlement): void {
    if (outcome.kind === 'failed') this.summary.failed++;
    if (!isDiscovery(subject)) this.summary.checks++;
    if (outcome.kind === 'imported') this.summary.imported++;
    const event = settledEvent(subject, outcome, settlement);
    if (event) this.emit(event, settlement.at);
    if (isDiscovery(subject) && outcome.kind === 'listed') this.followListing(subject, outcome);
  }

  /**
   * Follows what a listing found: the stream's discovered tags become those it keeps, new ones checked at once,
   * those that left the window no longer checked. A listing made for a discovery the catalog changed since is not.
   */
  private followListing({ discovery }: ListedDiscovery, outcome: ListedOutcome): void {
    const generation = this.current;
    const now = generation.source.catalog.discoveries?.find((d) => d.stream === discovery.stream);
    if (!now || !sameDiscovery(now, discovery)) return;
    generation.discovered.set(discovery.stream, outcome.tags);
    this.follow(generation, generation.discovered);
    const due = new Set(outcome.due);
    this.scheduler.setTags(this.watched(), (s) => isDiscovery(s) || due.has(s.address));
  }

  /** Logs `event`, stamped `at` (a settled check: the time its next check is counted from) or now. */
  private emit(event: UnstampedEvent, at = this.clock.now()): void {
    this.options.onEvent?.({ time: new Date(at).toISOString(), ...event } as WatchEvent);
  }
}

type SharedContext = Pick<TagCheckContext, 'clock' | 'lockPollMs' | 'onLockWait'>;

interface Generation {
  source: WatchedCatalog;
  /** The tags the catalog's scheduled discoveries keep, by stream. */
  discovered: FollowedCatalog['discovered'];
  /** What checks run against: the catalog's tags and those its scheduled discoveries keep. */
  catalog: Catalog;
  local: LocalStore | undefined;
  /** Checks running against this catalog. */
  users: number;
}

function newGeneration(source: WatchedCatalog): Generation {
  const local = catalogLocalStore(source.catalog, (tag) => source.openTag(tag));
  return { source, catalog: source.catalog, discovered: new Map(), local, users: 0 };
}

async function readState(statePath: string): Promise<State | null> {
  return planningState(await StateStore.open(statePath));
}
