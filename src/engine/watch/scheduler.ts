import { type Clock, MAX_TIMER_MS } from './clock.js';
import { failureDelay, firstCheckDelay, nextCheckDelay } from './delays.js';
import type { CheckOutcome } from './events.js';
import type { ImportRateLimit } from './rate-limit.js';
import { isDiscovery, registryOf, sameSpec, type WatchSubject } from './subjects.js';

/**
 * A scheduled tag (or a discovery, whose repository is listed) and how often it is checked (its own interval, or the
 * `--interval` override).
 */
export interface WatchedTag {
  tag: WatchSubject;
  intervalMs: number;
}

/** The check of one tag (or listing of one discovery), running. */
export interface TagJob {
  done: Promise<CheckOutcome>;
  /** Stops the job from writing anything more and lets go of what it holds (the state lock). */
  abandon(): Promise<void>;
}

/** How a settled check leaves its tag. */
export interface Settlement {
  /** Consecutive failures, this check included. */
  failures: number;
  /** Consecutive failures before this check. */
  previousFailures: number;
  /** Epoch milliseconds of the next check; null when there is none (`--once`, or the tag left the catalog). */
  nextCheckAt: number | null;
  /** Epoch milliseconds the check settled at, which the next check is counted from. */
  at: number;
}

export interface SchedulerOptions {
  clock: Clock;
  random: () => number;
  /** Checks running at once. */
  concurrency: number;
  rateLimit: ImportRateLimit;
  /** Check every tag once, then stop. */
  once: boolean;
  /** After a stop, how long running checks may take to finish before they are abandoned. */
  stopGraceMs: number;
  startJob(tag: WatchSubject, stop: AbortSignal): TagJob;
  onSettled(tag: WatchSubject, outcome: CheckOutcome, settlement: Settlement): void;
  onAbandoned(address: string): void;
}

/** What the schedule holds for one tag. */
export interface ScheduleEntryView {
  address: string;
  /** Set for a discovery (`address` is its stream), whose repository is listed. */
  discovery?: true;
  /** Epoch milliseconds. */
  nextCheckAt: number;
  failures: number;
  running: boolean;
}

interface Entry {
  tag: WatchSubject;
  intervalMs: number;
  dueAt: number;
  failures: number;
  running: boolean;
  /** The spec changed while a check was running: check again as soon as it ends. */
  recheck: boolean;
}

/**
 * Runs each scheduled tag's check when it is due: spread over the interval, at most `concurrency` at a time,
 * started no faster than the global rate limit, and backing off exponentially while a tag keeps failing. When a
 * registry rate-limits a check and says how long to wait, no tag of that registry is checked before then.
 */
export class WatchScheduler {
  private readonly entries = new Map<string, Entry>();
  /** Epoch milliseconds before which no tag of a registry is checked (the Retry-After it sent), by registry. */
  private readonly pausedUntil = new Map<string, number>();
  private readonly running = new Map<TagJob, { entry: Entry; settled: Promise<void> }>();
  private readonly abandoned = new Set<TagJob>();
  /** With `once`: what this pass checked already, which tags set again (after a listing) do not bring back. */
  private readonly checked = new Set<string>();
  private readonly stopController = new AbortController();
  private readonly graceController = new AbortController();
  private waker: AbortController | undefined;

  constructor(private readonly options: SchedulerOptions) {}

  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /**
   * Sets the tags to watch. New tags are first checked at once when `dueNow` says they must be imported, else at a
   * random point of their interval; a tag whose spec changed is checked at once; a tag gone from the list is dropped.
   */
  setTags(tags: readonly WatchedTag[], dueNow: (tag: WatchSubject) => boolean): void {
    const now = this.options.clock.now();
    const kept = new Set<string>();
    for (const { tag, intervalMs } of tags) {
      if (this.checked.has(tag.address)) continue;
      kept.add(tag.address);
      const entry = this.entries.get(tag.address);
      if (!entry) {
        const dueAt = this.notPaused(tag, now + firstCheckDelay(intervalMs, dueNow(tag), this.options.random));
        this.entries.set(tag.address, { tag, intervalMs, dueAt, failures: 0, running: false, recheck: false });
        continue;
      }
      if (!sameSpec(entry.tag, tag)) {
        entry.failures = 0;
        entry.dueAt = this.notPaused(tag, now);
        entry.recheck = entry.running;
      } else if (intervalMs !== entry.intervalMs) {
        entry.dueAt = Math.min(entry.dueAt, now + firstCheckDelay(intervalMs, false, this.options.random));
      }
      entry.tag = tag;
      entry.intervalMs = intervalMs;
    }
    for (const address of this.entries.keys()) if (!kept.has(address)) this.entries.delete(address);
    this.wake();
  }

  schedule(): ScheduleEntryView[] {
    return [...this.entries.values()].map((e) => ({
      address: e.tag.address,
      ...(isDiscovery(e.tag) && { discovery: true as const }),
      nextCheckAt: e.dueAt,
      failures: e.failures,
      running: e.running,
    }));
  }

  /** Asks the loop to stop: no new check starts; running ones get `stopGraceMs` to finish. */
  stop(): void {
    if (!this.stopping) this.stopController.abort(new Error('watch stopped'));
    this.wake();
  }

  /** Abandons running checks now instead of waiting for the grace period (a second signal). */
  abandonNow(): void {
    this.stop();
    this.graceController.abort(new Error('abandoned'));
  }

  /** Runs until stopped (or, with `once`, until every tag was checked); returns the addresses abandoned. */
  async run(): Promise<string[]> {
    while (!this.stopping) {
      const entry = this.nextDue();
      if (this.options.once && !entry && this.running.size === 0) break;
      const full = this.running.size >= this.options.concurrency;
      const waitMs = entry && !full ? entry.dueAt - this.options.clock.now() : MAX_TIMER_MS;
      if (waitMs > 0) {
        await this.idle(waitMs);
        continue;
      }
      if (!(await this.takeRateSlot())) continue;
      if (entry && this.entries.get(entry.tag.address) === entry && !entry.running) this.start(entry);
    }
    return this.drain();
  }

  private nextDue(): Entry | undefined {
    let next: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (!entry.running && (!next || entry.dueAt < next.dueAt)) next = entry;
    }
    return next;
  }

  private async takeRateSlot(): Promise<boolean> {
    try {
      await this.options.rateLimit.take(this.stopController.signal);
      return !this.stopping;
    } catch {
      return false;
    }
  }

  private start(entry: Entry): void {
    entry.running = true;
    const job = this.options.startJob(entry.tag, this.stopController.signal);
    const settled = job.done
      .catch((error: unknown): CheckOutcome => ({ kind: 'failed', reason: 'InternalError', message: describe(error) }))
      .then((outcome) => {
        this.running.delete(job);
        if (!this.abandoned.has(job)) this.settle(entry, outcome);
        this.wake();
      });
    this.running.set(job, { entry, settled });
  }

  private settle(entry: Entry, outcome: CheckOutcome): void {
    entry.running = false;
    if (outcome.kind === 'abandoned') {
      this.options.onAbandoned(entry.tag.address);
      return;
    }
    const previousFailures = entry.failures;
    entry.failures = outcome.kind === 'failed' ? previousFailures + 1 : 0;
    const scheduled = this.entries.get(entry.tag.address) === entry;
    let nextCheckAt: number | null = null;
    const now = this.options.clock.now();
    if (scheduled && this.options.once) {
      this.entries.delete(entry.tag.address);
      this.checked.add(entry.tag.address);
    } else if (scheduled) {
      if (outcome.kind === 'failed' && outcome.retryAfterMs !== undefined) {
        this.pause(entry.tag, now + Math.min(outcome.retryAfterMs, MAX_TIMER_MS));
      }
      entry.dueAt = this.notPaused(entry.tag, now + (entry.recheck ? 0 : this.delayAfter(entry, outcome)));
      entry.recheck = false;
      nextCheckAt = entry.dueAt;
    }
    this.options.onSettled(entry.tag, outcome, { failures: entry.failures, previousFailures, nextCheckAt, at: now });
  }

  private delayAfter(entry: Entry, outcome: CheckOutcome): number {
    return outcome.kind === 'failed'
      ? failureDelay(entry.intervalMs, entry.failures, outcome.reason, this.options.random, outcome.retryAfterMs)
      : nextCheckDelay(entry.intervalMs, this.options.random);
  }

  /** Holds back every tag of `tag`'s registry until `until`; a layout on disk has no registry to spare. */
  private pause(tag: WatchSubject, until: number): void {
    const registry = registryOf(tag);
    if (registry === undefined) return;
    this.pausedUntil.set(registry, Math.max(until, this.pausedUntil.get(registry) ?? 0));
    for (const other of this.entries.values()) {
      if (!other.running && registryOf(other.tag) === registry) other.dueAt = Math.max(other.dueAt, until);
    }
  }

  private notPaused(tag: WatchSubject, dueAt: number): number {
    const registry = registryOf(tag);
    return Math.max(dueAt, (registry !== undefined && this.pausedUntil.get(registry)) || 0);
  }

  /** Sleeps `ms` or until woken (a check ended, the tags changed, a stop). */
  private async idle(ms: number): Promise<void> {
    const waker = new AbortController();
    this.waker = waker;
    try {
      await this.options.clock.sleep(Math.min(ms, MAX_TIMER_MS), waker.signal);
    } catch {
      // woken early
    } finally {
      if (this.waker === waker) this.waker = undefined;
    }
  }

  private wake(): void {
    this.waker?.abort();
  }

  /** Gives running checks the grace period, then abandons those still running. */
  private async drain(): Promise<string[]> {
    if (this.running.size > 0 && !this.graceController.signal.aborted) {
      const grace = new AbortController();
      const onAbandonNow = () => grace.abort();
      this.graceController.signal.addEventListener('abort', onAbandonNow, { once: true });
      const settled = Promise.all([...this.running.values()].map((run) => run.settled));
      await Promise.race([settled, this.options.clock.sleep(this.options.stopGraceMs, grace.signal).catch(() => {})]);
      grace.abort();
      this.graceController.signal.removeEventListener('abort', onAbandonNow);
    }
    const left = [...this.running];
    for (const [job] of left) this.abandoned.add(job);
    await Promise.all(left.map(([job]) => job.abandon()));
    const addresses = left.map(([, run]) => run.entry.tag.address);
    for (const address of addresses) this.options.onAbandoned(address);
    return addresses;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
