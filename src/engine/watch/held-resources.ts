import { CatalogError, RegistryError, StateError } from '../../core/errors.js';
import type { Lock, StateStore } from '../../state/index.js';
import type { TagOutcome } from './events.js';
import { waitForStateLock } from './lock.js';
import type { TagCheckContext } from './options.js';

/** How a check waits for the state lock. */
export type LockWaitContext = Pick<TagCheckContext, 'clock' | 'lockPollMs' | 'onLockWait'>;

/** The state lock and store a check (or listing) holds, so that abandoning it stops its writes and frees the lock. */
export class HeldResources {
  private abandoned = false;
  private lockAttempt: Promise<Lock | undefined> | undefined;
  private lock: Lock | undefined;
  store: StateStore | undefined;

  get isAbandoned(): boolean {
    return this.abandoned;
  }

  async takeLock(take: () => Promise<Lock | undefined>): Promise<Lock | undefined> {
    this.lockAttempt = take();
    this.lock = await this.lockAttempt;
    if (this.abandoned) await this.lock?.release();
    return this.abandoned ? undefined : this.lock;
  }

  /**
   * Takes the state lock to write what the check of `address` found, waiting while another process holds it;
   * undefined when `stop` ended the wait or the check was abandoned.
   */
  lockState(statePath: string, address: string, context: LockWaitContext, stop: AbortSignal) {
    return this.takeLock(() =>
      waitForStateLock(statePath, {
        clock: context.clock,
        pollMs: context.lockPollMs,
        signal: stop,
        onWait: (holder) => context.onLockWait(address, holder),
      }),
    );
  }

  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.lockAttempt?.catch(() => undefined);
    await this.store?.close();
    await this.lock?.release();
  }
}

/**
 * A check's failure as the registry, the state file or the catalog (a listing's tag it also writes out, which plan
 * refuses with the same CatalogError) caused it; anything else is a bug, thrown on.
 */
export function asFailure(error: unknown): TagOutcome {
  if (error instanceof CatalogError) return { kind: 'failed', reason: 'CatalogError', message: error.message };
  if (error instanceof StateError) return { kind: 'failed', reason: 'StateError', message: error.message };
  if (error instanceof RegistryError) return { kind: 'failed', reason: error.reason, message: error.message };
  throw error;
}
