import type { Catalog, CatalogTag } from '../../core/catalog.js';
import { CatalogError, formatCatalogProblem } from '../../core/errors.js';
import { importReason, tagState } from '../../core/planner.js';
import type { State } from '../../core/state-model.js';
import { planningState, StateStore } from '../../state/index.js';
import { catalogLocalStore, type LocalStore } from '../local-store.js';
import { scheduledTags } from '../scheduled-plan.js';
import { watchCatalogFile } from './catalog-file.js';
import { type Clock, systemClock } from './clock.js';
import type { TagOutcome, WatchEvent } from './events.js';
import type { TagCheckContext, WatchedCatalog, WatchOptions, WatchSummary } from './options.js';
import { DEFAULT_IMPORTS_PER_MINUTE, ImportRateLimit } from './rate-limit.js';
import { type ScheduleEntryView, type Settlement, type TagJob, type WatchedTag, WatchScheduler } from './scheduler.js';

export type { StartCheck, TagCheckContext, WatchedCatalog, WatchOptions, WatchSummary } from './options.js';

const DEFAULTS = { concurrency: 4, stopGraceMs: 5_000, lockPollMs: 500 };

/**
 * `watch`: keeps the scheduled tags of a catalog following their upstream. Each tag is checked every interval
 * (spread by jitter, backing off while it fails, no faster than the global rate limit); a moved, new or changed tag
 * is imported under the state lock, held only while writing. The catalog file is reloaded when it changes; an
 * invalid version is reported and the last good one kept.
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
    const due = this.options.once ? () => true : dueNow(await readState(catalog.statePath));
    this.scheduler.setTags(this.watched(catalog), due);
    this.emit({
      type: 'started',
      catalog: catalog.displayPath,
      tags: scheduledTags(catalog).length,
      importsPerMinute: this.options.importsPerMinute ?? DEFAULT_IMPORTS_PER_MINUTE,
      once: this.options.once ?? false,
    });
    const watchCatalog = this.options.watchCatalog ?? watchCatalogFile;
    const unwatch = this.options.once ? () => {} : watchCatalog(catalog.path, () => this.catalogChanged());
    try {
      await this.scheduler.run();
    } finally {
      unwatch();
      await this.reloading;
    }
  }

  /** Re-reads the catalog file after a change; a burst of changes during a reload causes one more. */
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
        next = await this.options.reload();
      } catch (error) {
        this.reportInvalid(error);
        continue;
      }
      this.lastInvalid = undefined;
      if (next.catalog.sha256 === this.current.source.catalog.sha256 || this.stopping) {
        await next.close();
        continue;
      }
      await this.adopt(next);
    } while (this.reloadAgain);
  }

  private async adopt(next: WatchedCatalog): Promise<void> {
    const state = await readState(next.catalog.statePath).catch(() => null);
    this.retire(this.current);
    this.current = newGeneration(next);
    this.scheduler.setTags(this.watched(next.catalog), dueNow(state));
    this.emit({
      type: 'catalog-reloaded',
      catalog: next.catalog.displayPath,
      tags: scheduledTags(next.catalog).length,
    });
  }

  private reportInvalid(error: unknown): void {
    const problems =
      error instanceof CatalogError
        ? error.problems.map(formatCatalogProblem)
        : [error instanceof Error ? error.message : String(error)];
    const message = problems.join('\n');
    if (message === this.lastInvalid) return;
    this.lastInvalid = message;
    this.emit({ type: 'catalog-invalid', catalog: this.current.source.catalog.displayPath, message, problems });
  }

  private watched(catalog: Catalog): WatchedTag[] {
    return scheduledTags(catalog).map((tag) => ({
      tag,
      intervalMs: this.options.intervalMs ?? tag.scheduleIntervalMs,
    }));
  }

  private startJob(tag: CatalogTag, stop: AbortSignal): TagJob {
    const generation = this.current;
    generation.users++;
    const context: TagCheckContext = {
      catalog: generation.source.catalog,
      openTag: (t) => generation.source.openTag(t),
      ...(generation.local && { local: generation.local }),
      clock: this.clock,
      lockPollMs: this.options.lockPollMs ?? DEFAULTS.lockPollMs,
      onLockWait: (address, holder) => this.emit({ type: 'lock-wait', address, holder }),
    };
    const job = this.options.startCheck(tag, context, stop);
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

  private settled(tag: CatalogTag, outcome: TagOutcome, settlement: Settlement): void {
    const base = {
      address: tag.address,
      failures: settlement.failures,
      nextCheck: settlement.nextCheckAt === null ? null : new Date(settlement.nextCheckAt).toISOString(),
    };
    const recovered = settlement.previousFailures > 0;
    this.summary.checks++;
    switch (outcome.kind) {
      case 'unchanged':
        this.emit({ type: 'unchanged', ...base, digest: outcome.digest, recovered });
        return;
      case 'imported': {
        this.summary.imported++;
        const { action, reason, digest, previous, followers } = outcome;
        this.emit({ type: 'imported', ...base, action, reason, digest, previous, followers, recovered });
        return;
      }
      case 'failed':
        this.summary.failed++;
        this.emit({ type: 'failed', ...base, reason: outcome.reason, message: outcome.message });
        return;
      case 'abandoned':
        return;
    }
  }

  private emit(event: DistributiveOmit<WatchEvent, 'time'>): void {
    this.options.onEvent?.({ time: new Date(this.clock.now()).toISOString(), ...event } as WatchEvent);
  }
}

interface Generation {
  source: WatchedCatalog;
  local: LocalStore | undefined;
  /** Checks running against this catalog. */
  users: number;
}

function newGeneration(source: WatchedCatalog): Generation {
  return { source, local: catalogLocalStore(source.catalog, (tag) => source.openTag(tag)), users: 0 };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function readState(statePath: string): Promise<State | null> {
  return planningState(await StateStore.open(statePath));
}

/** A tag is due at once when it must be imported whatever its upstream says: new, or its spec changed. */
function dueNow(state: State | null): (tag: CatalogTag) => boolean {
  return (tag) => importReason(tag, tagState(state, tag.stream, tag.tag), new Set()) !== undefined;
}
