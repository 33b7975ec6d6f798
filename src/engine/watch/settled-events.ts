import { discoveryRepository } from '../discovered-catalog.js';
import type { CheckOutcome, WatchEvent } from './events.js';
import type { Settlement } from './scheduler.js';
import { isDiscovery, type WatchSubject } from './subjects.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event without its time, which the watch stamps with its clock. */
export type UnstampedEvent = DistributiveOmit<WatchEvent, 'time'>;

/**
 * The event a settled check of a tag, or listing of a discovery's repository, logs; none for one abandoned (logged
 * when it is abandoned).
 */
export function settledEvent(
  subject: WatchSubject,
  outcome: CheckOutcome,
  settlement: Settlement,
): UnstampedEvent | undefined {
  const nextCheck = settlement.nextCheckAt === null ? null : new Date(settlement.nextCheckAt).toISOString();
  const recovered = settlement.previousFailures > 0;
  const { failures } = settlement;
  if (isDiscovery(subject)) {
    const listing = { stream: subject.address, repository: discoveryRepository(subject.discovery), nextCheck };
    if (outcome.kind === 'listed') {
      const { tags, added, removed, retained } = outcome.found;
      return { type: 'discovered', ...listing, tags, added, removed, retained, recovered };
    }
    if (outcome.kind !== 'failed') return undefined;
    return { type: 'discovery-failed', ...listing, reason: outcome.reason, message: outcome.message, failures };
  }
  const base = { address: subject.address, failures, nextCheck };
  switch (outcome.kind) {
    case 'unchanged':
      return { type: 'unchanged', ...base, digest: outcome.digest, recovered };
    case 'imported': {
      const { action, reason, digest, previous, followers } = outcome;
      return { type: 'imported', ...base, action, reason, digest, previous, followers, recovered };
    }
    case 'failed':
      return { type: 'failed', ...base, reason: outcome.reason, message: outcome.message };
    default:
      return undefined;
  }
}
